package engine

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
)

// TestMarkFailed: a variant whose every trial failed says why in its
// reason (the first failure), which is what the last line of a run
// quotes: never "see the failures below" with nothing below (issue 11
// items 1 and 13).
func TestMarkFailed(t *testing.T) {
	run := &result.Run{
		Baseline: "baseline",
		Variants: []result.Variant{
			{Name: "baseline", Status: result.StatusOK, Builds: []result.Build{{Package: "p"}}},
			{Name: "v3", Status: result.StatusOK, Builds: []result.Build{{Package: "p"}}},
		},
		Samples: []result.Sample{{Variant: "v3", Benchmark: "DB", Unit: "sec/op", Value: 1}},
		Failures: []result.Failure{
			{Variant: "baseline", Benchmark: "BenchmarkDB", Error: `BenchmarkDB printed no result (a TestMain that does not call m.Run, or a --bench pattern that matches nothing?); it printed "skipping: no database"`},
			{Variant: "baseline", Benchmark: "BenchmarkDB", Error: "exit status 1"},
		},
	}
	markFailed(run)
	b := run.Variant("baseline")
	want := `every trial failed, the first with: BenchmarkDB printed no result (a TestMain that does not call m.Run, or a --bench pattern that matches nothing?); it printed "skipping: no database"`
	if b.Status != result.StatusFailed || b.Reason != want {
		t.Errorf("baseline: %s, %q; want failed, %q", b.Status, b.Reason, want)
	}
	if v := run.Variant("v3"); v.Status != result.StatusOK || strings.Contains(v.Reason, "failed") {
		t.Errorf("v3, which has a sample: %s, %q", v.Status, v.Reason)
	}
}

// TestResumeRefusesChangedReplacement interrupts a run of a module that
// builds with 'replace example.com/lib => ../lib', changes ../lib, and
// resumes: the resume is refused, since its samples would mix two
// versions of the code (issue 11 item 4: the source check covers every
// module the build reads, not only the target's).
func TestResumeRefusesChangedReplacement(t *testing.T) {
	skipShort(t)
	root := t.TempDir()
	app, lib := filepath.Join(root, "app"), filepath.Join(root, "lib")
	files := map[string]string{
		"app/go.mod":      "module example.com/app\n\ngo 1.21\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n",
		"app/app.go":      "package app\n",
		"app/app_test.go": "package app\n\nimport (\n\t\"testing\"\n\n\t\"example.com/lib\"\n)\n\nfunc BenchmarkSum(b *testing.B) {\n\tfor b.Loop() {\n\t\tlib.Sum(100)\n\t}\n}\n",
		"lib/go.mod":      "module example.com/lib\n\ngo 1.21\n",
		"lib/lib.go":      "package lib\n\n// Sum adds the numbers below n.\nfunc Sum(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += i\n\t}\n\treturn s\n}\n",
	}
	for name, data := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &synth{real: gotool.Exec{}, before: func(n int) {
		if n == 3 {
			cancel()
		}
	}}
	o := options.Options{Dir: app, WorkDir: filepath.Join(root, "w"), Seed: 9, Budget: time.Hour, MaxBlocks: 4, NoEarlyStop: true,
		Axes: axis.Values{"gcflags": {"", "-l"}, "goamd64": {"v1"}}}
	if _, err := start(t, ctx, r, o); err == nil {
		t.Fatal("the run was not interrupted")
	}
	slow := strings.Replace(files["lib/lib.go"], "s += i", "s += i * i", 1)
	if err := os.WriteFile(filepath.Join(lib, "lib.go"), []byte(slow), 0o644); err != nil {
		t.Fatal(err)
	}
	r.before = nil
	_, err := Resume(context.Background(), o.WorkDir, Deps{Runner: r, Log: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "the target's source changed since the run in") {
		t.Fatalf("resume after ../lib changed: %v, want a refusal", err)
	}
	if _, ok := err.(options.InputError); !ok {
		t.Errorf("err %T is not an InputError (exit status 2)", err)
	}
}
