package engine

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/rundir"
)

// fixture writes a tiny module with two benchmarks and returns its folder.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/fx\n\ngo 1.21\n",
		"fx.go":  "package fx\n\nvar Tag = \"\"\n\n// Sum adds the squares below n.\nfunc Sum(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += i * i\n\t}\n\treturn s + len(Tag)\n}\n",
		"fx_test.go": "package fx\n\nimport \"testing\"\n\nfunc BenchmarkSum(b *testing.B) {\n\tfor b.Loop() {\n\t\tSum(100)\n\t}\n}\n\n" +
			"func BenchmarkMore(b *testing.B) {\n\tfor b.Loop() {\n\t\tSum(200)\n\t}\n}\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// synth is a Runner that runs the go command for real but answers every
// benchmark trial with synthetic times: each variant's speed is a factor
// of its settings (found in its binary's folder name), with deterministic
// noise of about ±3%. It records the trials it answered.
type synth struct {
	real    gotool.Runner
	factors map[string]float64 // setting (as in a variant name, e.g. "gcflags=-l") → time factor
	before  func(n int)        // called before the n-th trial (1-based)

	mu     sync.Mutex
	trials []string // binary folder and benchmark of each trial
}

var benchArg = regexp.MustCompile(`-test\.bench=\^(\w+)\$`)

func (s *synth) Run(ctx context.Context, c gotool.Cmd) (gotool.Result, error) {
	if !strings.HasSuffix(c.Args[0], ".test") {
		return s.real.Run(ctx, c)
	}
	variant := filepath.Base(filepath.Dir(c.Args[0]))
	bench := "BenchmarkSum"
	if m := benchArg.FindStringSubmatch(strings.Join(c.Args, " ")); m != nil {
		bench = m[1]
	}
	s.mu.Lock()
	s.trials = append(s.trials, variant+" "+bench)
	n := len(s.trials)
	s.mu.Unlock()
	if s.before != nil {
		s.before(n)
	}
	f := 1.0
	for setting, x := range s.factors {
		if strings.Contains(variant, setting) {
			f *= x
		}
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s %d", variant, n)
	noise := 1 + 0.03*(float64(h.Sum64()%200)/100-1)
	out := fmt.Sprintf("goos: linux\ngoarch: amd64\npkg: example.com/fx\n%s-2 \t 1000\t %.1f ns/op\t 0 B/op\t 0 allocs/op\nPASS\n", bench, 1000*f*noise)
	return gotool.Result{Stdout: []byte(out), Duration: time.Millisecond}, nil
}

func (s *synth) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.trials)
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds real test binaries; skipped with -short")
	}
}

// start plans and runs o on dir with r.
func start(t *testing.T, ctx context.Context, r gotool.Runner, o options.Options) (*result.Run, error) {
	t.Helper()
	p, err := plan.Load(ctx, o, r)
	if err != nil {
		t.Fatal(err)
	}
	return Run(ctx, p, Deps{Runner: r, Log: io.Discard})
}

// samples counts the sec/op samples of each variant.
func samples(run *result.Run) map[string]int {
	n := map[string]int{}
	for _, s := range run.Samples {
		if s.Unit == "sec/op" {
			n[s.Variant]++
		}
	}
	return n
}

// TestRunDecidesAndStops: a variant 30% slower is decided at a look and
// measured no more while one as fast as the baseline (-B) needs more
// cycles to be called the same speed; a twin of the baseline (only -s -w)
// is measured once as the baseline's; the run stops once every variant is
// decided.
func TestRunDecidesAndStops(t *testing.T) {
	skipShort(t)
	r := &synth{real: gotool.Exec{}, factors: map[string]float64{"gcflags=-l": 1.3}}
	o := options.Options{Dir: fixture(t), WorkDir: t.TempDir(), Seed: 5, Budget: time.Hour, MaxBlocks: 60,
		Axes: axis.Values{"gcflags": {"", "-l", "-B"}, "ldflags": {"", "-s -w"}, "goamd64": {"v1"}}}
	run, err := start(t, context.Background(), r, o)
	if err != nil {
		t.Fatal(err)
	}
	slow := run.Stats("gcflags=-l")
	if slow == nil || slow.Verdict != result.VerdictSlower || slow.DecidedAt == 0 {
		t.Fatalf("gcflags=-l: %+v", slow)
	}
	if same := run.Stats("gcflags=-B"); same.Verdict != result.VerdictSame || same.DecidedAt <= slow.DecidedAt {
		t.Errorf("gcflags=-B: %+v, want the same speed, decided after the slow one", same)
	}
	if tw := run.Variant("ldflags=-s -w"); tw.SameCodeAs != "baseline" || run.Stats(tw.Name).Verdict != result.VerdictSameCode {
		t.Errorf("the -s -w variant: same code as %q, verdict %q", tw.SameCodeAs, run.Stats(tw.Name).Verdict)
	}
	n := samples(run)
	if n["gcflags=-l"] >= n["baseline"] || n["ldflags=-s -w"] != 0 {
		t.Errorf("samples per variant %v: the slow one should stop early, the twin have none", n)
	}
	st := run.Search.Stages[0]
	if st.Stopped == "" || st.Cycles >= 60 {
		t.Errorf("stage %+v: want a stop before --max-blocks", st)
	}
	if len(run.Sequential.Looks) == 0 || run.Sequential.Spent <= 0 || run.Sequential.Spent > 0.05 {
		t.Errorf("sequential record %+v", run.Sequential)
	}
	data, err := os.ReadFile(run.RawFile)
	if err != nil || !strings.Contains(string(data), "variant: baseline\ngoamd64: v1\n") || !strings.Contains(string(data), "\nblock: 1\n") {
		t.Errorf("raw file: %v\n%.300s", err, data)
	}
}

// TestResume interrupts a run in the middle of its blocks, then resumes
// it: nothing measured before the interrupt is lost or measured again,
// and the continued run ends where an uninterrupted one would.
func TestResume(t *testing.T) {
	skipShort(t)
	dir := fixture(t)
	o := options.Options{Dir: dir, Seed: 9, Budget: time.Hour, MaxBlocks: 5, NoEarlyStop: true,
		Axes: axis.Values{"gcflags": {"", "-l"}, "goamd64": {"v1"}}}

	// The reference: uninterrupted.
	ref := &synth{real: gotool.Exec{}}
	o.WorkDir = t.TempDir()
	want, err := start(t, context.Background(), ref, o)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	r := &synth{real: gotool.Exec{}, before: func(n int) {
		if n == 7 {
			cancel()
		}
	}}
	o.WorkDir = t.TempDir()
	partial, err := start(t, ctx, r, o)
	if err == nil || partial == nil || len(partial.Samples) == 0 {
		t.Fatalf("interrupted run: err %v, %v", err, partial)
	}
	st, err := rundir.ReadState(partial.WorkDir)
	if err != nil || st.Complete || st.Interrupted != 1 {
		t.Fatalf("state %+v, %v", st, err)
	}
	r.before = nil
	got, err := Resume(context.Background(), o.WorkDir, Deps{Runner: r, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if r.count() != ref.count() {
		t.Errorf("%d trials in all with the interrupt, %d without: a trial was lost or run twice", r.count(), ref.count())
	}
	if len(got.Blocks) != len(want.Blocks) || fmt.Sprint(samples(got)) != fmt.Sprint(samples(want)) {
		t.Errorf("resumed run: %d blocks %v, uninterrupted %d blocks %v", len(got.Blocks), samples(got), len(want.Blocks), samples(want))
	}
	for i := range got.Blocks {
		if strings.Join(got.Blocks[i].Order, ",") != strings.Join(want.Blocks[i].Order, ",") {
			t.Fatalf("block %d ran in another order: %v vs %v", i+1, got.Blocks[i].Order, want.Blocks[i].Order)
		}
	}
	if got.Search.Resumed != 1 {
		t.Errorf("resumed %d times, want 1", got.Search.Resumed)
	}
}

// TestScreening: with more than ScreenAbove variants, the first stage
// varies one axis at a time; the best value of each axis is combined into
// a variant built and measured in a second stage.
func TestScreening(t *testing.T) {
	skipShort(t)
	r := &synth{real: gotool.Exec{}, factors: map[string]float64{"gcflags=-l": 0.8, "Tag=x": 0.9}}
	o := options.Options{Dir: fixture(t), WorkDir: t.TempDir(), Seed: 3, Budget: time.Hour, MaxBlocks: 40,
		Axes: axis.Values{"goamd64": {"v1", "v2"}, "gcflags": {"", "-l", "-B"}, "ldflags": {"", "-X example.com/fx.Tag=x"}}}
	run, err := start(t, context.Background(), r, o)
	if err != nil {
		t.Fatal(err)
	}
	if run.Search.Mode != result.SearchScreen {
		t.Fatalf("search %q, want screen for 12 variants", run.Search.Mode)
	}
	combo := "gcflags=-l,ldflags=-X example.com/fx.Tag=x"
	for _, st := range run.Analysis.Variants {
		t.Logf("%s: %s %s", st.Name, st.Verdict, st.Says)
	}
	if !strings.Contains(run.Search.Combination, "gcflags=-l") || !strings.Contains(run.Search.Combination, "ldflags=") {
		t.Fatalf("combination %q, want %q (or with v2)", run.Search.Combination, combo)
	}
	if len(run.Search.Stages) != 2 || run.Search.Stages[1].Name != "combination" {
		t.Errorf("stages %+v", run.Search.Stages)
	}
	if run.Analysis.Winner != run.Search.Combination {
		t.Errorf("winner %q, want the combination %q", run.Analysis.Winner, run.Search.Combination)
	}
	screened := 0
	for _, v := range run.Variants {
		if v.Status == result.StatusSkipped && strings.HasPrefix(v.Reason, result.ReasonScreenedOut) {
			screened++
		}
	}
	if screened == 0 {
		t.Error("no variant was left unbuilt by screening")
	}
}

// TestReuseIdenticalRun: a run with the same target, settings, seed and
// host reuses the cached result; --fresh measures again.
func TestReuseIdenticalRun(t *testing.T) {
	skipShort(t)
	r := &synth{real: gotool.Exec{}}
	o := options.Options{Dir: fixture(t), WorkDir: t.TempDir(), Seed: 4, Budget: time.Hour, MaxBlocks: 3, NoEarlyStop: true,
		Axes: axis.Values{"goamd64": {"v1"}, "gcflags": {"", "-l"}}}
	first, err := start(t, context.Background(), r, o)
	if err != nil {
		t.Fatal(err)
	}
	n := r.count()
	second, err := start(t, context.Background(), r, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.count() != n || second.Search.ReusedFrom != first.WorkDir {
		t.Errorf("the identical run measured %d more trials, reused %q", r.count()-n, second.Search.ReusedFrom)
	}
	o.Fresh = true
	if _, err := start(t, context.Background(), r, o); err != nil || r.count() == n {
		t.Errorf("--fresh measured nothing: %v", err)
	}
}

// TestRunAxis: variants that differ only in a run axis (GOGC) share one
// build, are not twins, and their trials run with their environment.
func TestRunAxis(t *testing.T) {
	skipShort(t)
	r := &synth{real: gotool.Exec{}}
	var mu sync.Mutex
	env := map[string]bool{}
	r.before = func(int) {}
	rr := &envRecorder{synth: r, env: env, mu: &mu}
	o := options.Options{Dir: fixture(t), WorkDir: t.TempDir(), Seed: 6, Budget: time.Hour, MaxBlocks: 3, NoEarlyStop: true,
		Axes: axis.Values{"goamd64": {"v1"}, "gogc": {"50", "off"}}}
	run, err := start(t, context.Background(), rr, o)
	if err != nil {
		t.Fatal(err)
	}
	if run.Search.Builds != 1 {
		t.Errorf("%d builds, want 1 shared by the GOGC variants", run.Search.Builds)
	}
	for _, v := range run.Variants {
		if v.SameCodeAs != "" || v.Status != result.StatusOK {
			t.Errorf("%s: same code as %q, status %s", v.Name, v.SameCodeAs, v.Status)
		}
	}
	if !env["GOGC=50"] || !env["GOGC=off"] {
		t.Errorf("trial environments %v, want GOGC=50 and GOGC=off", env)
	}
	if v := run.Variant("gogc=50"); strings.Join(v.RunEnv, " ") != "GOGC=50" {
		t.Errorf("run env %q", v.RunEnv)
	}
}

// envRecorder records the environment of every trial.
type envRecorder struct {
	*synth
	env map[string]bool
	mu  *sync.Mutex
}

func (e *envRecorder) Run(ctx context.Context, c gotool.Cmd) (gotool.Result, error) {
	if strings.HasSuffix(c.Args[0], ".test") {
		e.mu.Lock()
		for _, kv := range c.Env {
			e.env[kv] = true
		}
		e.mu.Unlock()
	}
	return e.synth.Run(ctx, c)
}

// TestLayouts: with --layouts 2 every variant is built again with padding
// (through -overlay, the target untouched), each cycle runs every variant
// in one layout, and each group of two cycles uses both.
func TestLayouts(t *testing.T) {
	skipShort(t)
	dir := fixture(t)
	r := &synth{real: gotool.Exec{}}
	o := options.Options{Dir: dir, WorkDir: t.TempDir(), Seed: 8, Budget: time.Hour, MaxBlocks: 4, NoEarlyStop: true, Layouts: 2,
		Axes: axis.Values{"goamd64": {"v1"}, "gcflags": {"", "-l"}}}
	run, err := start(t, context.Background(), r, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range run.Variants {
		layouts := map[int]bool{}
		for _, b := range v.Builds {
			layouts[b.Layout] = true
			if b.Layout == 1 && !strings.Contains(b.Binary, "layout-1") {
				t.Errorf("%s: a layout-1 binary at %s", v.Name, b.Binary)
			}
		}
		if !layouts[0] || !layouts[1] {
			t.Errorf("%s: builds in layouts %v, want 0 and 1", v.Name, layouts)
		}
	}
	per := map[int]int{}
	for _, b := range run.Blocks {
		per[b.Layout]++
	}
	if per[0] != 4 || per[1] != 4 {
		t.Errorf("blocks per layout %v, want 4 and 4 (2 benchmarks × 2 cycles each)", per)
	}
	used := 0
	for _, tr := range r.trials {
		if strings.Contains(tr, "layout-1") {
			used++
		}
	}
	// The synth runner names a trial by its binary's folder: layout-1.
	if used != 8 {
		t.Errorf("%d trials ran a layout-1 binary, want 8 (2 variants × 4 blocks)", used)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("the target holds %d entries, want its 3: the padding went through -overlay", len(entries))
	}
}
