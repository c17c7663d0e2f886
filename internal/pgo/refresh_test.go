package pgo

import (
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

func TestDecideRefresh(t *testing.T) {
	ratio := func(c, lo, hi float64) *result.Ratio { return &result.Ratio{Center: c, Lo: lo, Hi: hi} }
	tests := []struct {
		name      string
		verdict   string
		change    *result.Ratio
		status    string // the candidate's; "" = ok
		reason    string
		sameCode  bool
		committed bool
		comStale  float64
		candStale float64
		want      string
		wantWhy   string
	}{
		{"faster", result.VerdictFaster, ratio(0.95, 0.93, 0.97), "", "", false, true, 0, 0, RefreshApply,
			"the candidate is significantly faster than the committed profile: -5.0% [-7.0%, -3.0%]"},
		{"slower", result.VerdictSlower, ratio(1.04, 1.02, 1.06), "", "", false, true, 0.3, 0, RefreshWorse,
			"the candidate is significantly slower than the committed profile: +4.0% [+2.0%, +6.0%]"},
		{"same and fresher", result.VerdictSame, ratio(1.0, 0.99, 1.01), "", "", false, true, 0.14, 0.001, RefreshApply,
			"the candidate is the same speed as the committed profile within ±2% (its change +0.0% [-1.0%, +1.0%]) and covers more of the current source: 0.1% of the module's profiled CPU no longer matches the source in the candidate, 14.0% in the committed profile"},
		{"same, fresher by less than the margin", result.VerdictSame, ratio(1.0, 0.99, 1.01), "", "", false, true, 0.005, 0, RefreshKeep,
			"covers no more of the current source (0.0% of the module's profiled CPU no longer matches the source in the candidate, 0.5% in the committed profile): nothing to gain"},
		{"same code", result.VerdictSameCode, nil, "", "", true, true, 0.2, 0, RefreshApply,
			"the same speed as the committed profile within ±2% (it compiles to the same code as the committed profile) and covers more"},
		{"could not tell", result.VerdictUnclear, ratio(0.99, 0.96, 1.03), "", "", false, true, 0.5, 0, RefreshKeep,
			"could not tell the candidate apart from the committed profile (-1.0% [-4.0%, +3.0%], after 12 cycles): measure longer with --budget"},
		{"no PGO effect", result.VerdictNotMeasured, nil, result.StatusSkipped, "no PGO effect: the compiled code is identical to -pgo=off\nmore", false, true, 0, 0, RefreshKeep,
			"the candidate was not measured: no PGO effect: the compiled code is identical to -pgo=off"},
		{"build failed", result.VerdictNotMeasured, nil, result.StatusBuildFailed, "compile error", false, true, 0, 0, RefreshWorse,
			"the candidate's build or benchmarks failed: compile error"},
		{"nothing committed, same speed", result.VerdictSame, ratio(1.0, 0.99, 1.01), "", "", false, false, 0, 0, RefreshKeep,
			"the same speed as the build without a profile within ±2%"},
		{"nothing committed, faster", result.VerdictFaster, ratio(0.9, 0.88, 0.92), "", "", false, false, 0, 0, RefreshApply,
			"significantly faster than the build without a profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := tt.status
			if status == "" {
				status = result.StatusOK
			}
			cand := result.Variant{Name: "pgo=cand.pprof", Status: status, Reason: tt.reason}
			if tt.sameCode {
				cand.SameCodeAs = "baseline"
			}
			run := &result.Run{Baseline: "baseline",
				Variants: []result.Variant{{Name: "baseline", Status: result.StatusOK}, cand, {Name: "pgo=off", Status: result.StatusOK}},
				Analysis: &result.Analysis{Equivalence: 0.02, Variants: []result.VariantStats{
					{Name: "baseline", Verdict: result.VerdictBaseline},
					{Name: "pgo=cand.pprof", Verdict: tt.verdict, Change: tt.change, Cycles: 12},
					{Name: "pgo=off", Verdict: result.VerdictSlower, Change: ratio(1.1, 1.08, 1.12)},
				}}}
			d := DecideRefresh(RefreshFacts{Run: run, Candidate: "pgo=cand.pprof", Off: "pgo=off", Committed: tt.committed, CommittedStale: tt.comStale, CandidateStale: tt.candStale})
			if d.Outcome != tt.want || !strings.Contains(d.Reason, tt.wantWhy) {
				t.Errorf("decision %q: %s\nwant %q: …%s…", d.Outcome, d.Reason, tt.want, tt.wantWhy)
			}
			if d.Off == nil || d.Off.Center != 1.1 {
				t.Errorf("off change = %+v", d.Off)
			}
		})
	}
}
