package engine

import (
	"strings"
	"testing"

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
