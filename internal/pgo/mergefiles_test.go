package pgo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMergeFiles(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, stack := range []string{"main.a;main.main", "main.b;main.main"} {
		p := filepath.Join(dir, []string{"x.pprof", "y.pprof"}[i])
		data := encoded(t, synth{stacks: map[string]int64{stack: 5}}.profile())
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteProvenance(p, data, Provenance{Source: "collect", Module: "example.com/m", Commit: []string{"c1", "c2"}[i]}); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	out := filepath.Join(dir, "sub", "merged.pprof")
	res, err := MergeFiles(MergeFilesOptions{
		MergeOptions: MergeOptions{Weights: []float64{3, 1}, Keep: 1, Ignore: regexp.MustCompile(`^never$`)},
		Files:        files, Output: out, Tool: "gotune test",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ProvenancePath != filepath.Join(dir, "sub", "merged.provenance.json") || len(res.Stats.Inputs) != 2 {
		t.Errorf("result = %+v", res)
	}
	b, err := os.ReadFile(res.ProvenancePath)
	if err != nil {
		t.Fatal(err)
	}
	var pv Provenance
	if err := json.Unmarshal(b, &pv); err != nil {
		t.Fatal(err)
	}
	wantCmd := "gotune pgo merge -o " + out + " --weight 3,1 --keep 1 --ignore ^never$ " + strings.Join(files, " ")
	if got := strings.Join(pv.Command, " "); got != wantCmd {
		t.Errorf("command = %q, want %q", got, wantCmd)
	}
	if pv.Module != "example.com/m" || pv.Commit != "" || len(pv.Inputs) != 2 || pv.Tool != "gotune test" ||
		!strings.Contains(pv.How, "weights 3,1") || !strings.HasSuffix(pv.How, "ignoring ^never$") {
		t.Errorf("provenance = %+v", pv)
	}
	if _, err := MergeFiles(MergeFilesOptions{Files: []string{filepath.Join(dir, "missing.pprof")}, Output: out}); err == nil || !strings.Contains(err.Error(), "missing.pprof: no such file") {
		t.Errorf("err = %v, want no such file", err)
	}
}

func TestCollectTimeout(t *testing.T) {
	for _, tt := range []struct {
		benchtime string
		n         int
		want      time.Duration
	}{
		{"1s", 3, time.Minute + 30*time.Second},
		{"100ms", 2, time.Minute + 20*time.Second}, // at least a second per benchmark
		{"100x", 5, time.Minute},
	} {
		if got := CollectTimeout(tt.benchtime, tt.n); got != tt.want {
			t.Errorf("CollectTimeout(%q, %d) = %v, want %v", tt.benchtime, tt.n, got, tt.want)
		}
	}
}

func TestOutsideModule(t *testing.T) {
	root := t.TempDir()
	if _, err := OutsideModule("--out", filepath.Join(root, "raw"), root); err == nil || !strings.Contains(err.Error(), "is inside the target module") {
		t.Errorf("err = %v, want inside the target", err)
	}
	sibling := root + "-raw"
	if got, err := OutsideModule("--out", sibling, root); err != nil || got != sibling {
		t.Errorf("OutsideModule(sibling) = %q, %v", got, err)
	}
}
