package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

// metricRun returns a run whose samples are in two units: req/s, where
// "more" serves 10% more, and cpu, where "more" costs 10% more; "same" is
// the baseline in both.
func metricRun() *result.Run {
	run := &result.Run{Baseline: "baseline", Variants: []result.Variant{
		{Name: "baseline", Status: result.StatusOK}, {Name: "more", Status: result.StatusOK}, {Name: "same", Status: result.StatusOK}}}
	rng := rand.New(rand.NewPCG(1, 2))
	for b := 1; b <= 20; b++ {
		run.Blocks = append(run.Blocks, result.Block{Index: b, Cycle: b, Benchmark: "Service"})
		for _, v := range []string{"baseline", "more", "same"} {
			f := 1.0
			if v == "more" {
				f = 1.1
			}
			noise := math.Exp(rng.NormFloat64() * 0.01)
			run.Samples = append(run.Samples,
				result.Sample{Variant: v, Package: "p", Benchmark: "Service", Unit: "req/s", Block: b, Value: 100 * f * noise},
				result.Sample{Variant: v, Package: "p", Benchmark: "Service", Unit: "cpu-sec/kreq", Block: b, Value: 0.4 * f * noise})
		}
	}
	return run
}

// TestAnalyzeUnit checks that verdicts follow Options.Unit, and that a
// unit better higher counts its growth as an improvement.
func TestAnalyzeUnit(t *testing.T) {
	for _, c := range []struct {
		unit, want string
	}{
		{"req/s", result.VerdictFaster},
		{"cpu-sec/kreq", result.VerdictSlower},
		{"", result.VerdictNotMeasured}, // sec/op: there is none
	} {
		a := Analyze(metricRun(), Options{Unit: c.unit})
		for _, s := range a.Variants {
			switch s.Name {
			case "more":
				if s.Verdict != c.want {
					t.Errorf("unit %q: more is %s (%s), want %s", c.unit, s.Verdict, s.Says, c.want)
				}
				if c.unit == "req/s" && (s.Change == nil || s.Change.Center > 0.92 || s.Improved != 1) {
					t.Errorf("unit req/s: more's change %+v, improved %d", s.Change, s.Improved)
				}
			case "same":
				if c.unit != "" && s.Verdict != result.VerdictSame {
					t.Errorf("unit %q: same is %s (%s)", c.unit, s.Verdict, s.Says)
				}
			}
		}
	}
}
