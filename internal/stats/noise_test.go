package stats

import (
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/pairstat"
	"github.com/gotune/gotune/internal/result"
)

// One benchmark ten times noisier than five others is named, and what the
// run could detect without it is estimated close to what the same run
// without its samples detects.
func TestNoiseNamesTheNoisyBenchmark(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		s := synth{
			order:   []string{"baseline", "v2", "v3"},
			effects: map[string]float64{"v2": 0.01},
			benches: 6, cycles: 14, noise: 0.03, benchNoise: map[int]float64{5: 0.35}, seed: seed,
		}
		run := s.run()
		a := Analyze(run, Options{})
		n := a.Noise
		if n == nil {
			t.Fatalf("seed %d: no noise note (detectable %.3f)", seed, a.Detectable)
		}
		if n.Benchmark != "B5" || n.Share < 0.8 || n.SD < 0.3 || n.OthersSD > 0.1 || !n.Allocates {
			t.Errorf("seed %d: %+v", seed, *n)
		}
		if !strings.Contains(n.Text, "BenchmarkB5 limits") || !strings.Contains(n.Text, "runtime.GC()") {
			t.Errorf("seed %d: text %q", seed, n.Text)
		}
		// The same run without B5's samples.
		var kept []result.Sample
		for _, x := range run.Samples {
			if x.Benchmark != "B5" {
				kept = append(kept, x)
			}
		}
		run.Samples = kept
		without := Analyze(run, Options{}).Detectable
		if n.DetectableWithout > a.Detectable/2 || n.DetectableWithout < without/1.5 || n.DetectableWithout > without*1.5 {
			t.Errorf("seed %d: detectable %.4f, estimated without B5 %.4f, measured without it %.4f", seed, a.Detectable, n.DetectableWithout, without)
		}
	}
}

// Benchmarks alike in noise, or a run that could see the equivalence
// margin, get no note.
func TestNoiseQuietWhenNoOneLimits(t *testing.T) {
	alike := synth{order: []string{"baseline", "v2"}, benches: 6, cycles: 14, noise: 0.08, seed: 3}
	if a := Analyze(alike.run(), Options{}); a.Noise != nil {
		t.Errorf("alike benchmarks: %+v", *a.Noise)
	}
	precise := synth{order: []string{"baseline", "v2"}, benches: 6, cycles: 40, noise: 0.002, benchNoise: map[int]float64{0: 0.02}, seed: 3}
	if a := Analyze(precise.run(), Options{}); a.Noise != nil {
		t.Errorf("detectable %.4f within the margin, yet: %+v", a.Detectable, *a.Noise)
	}
}

// A run stopped before any verdict was possible says so, with the cycles
// the test needs, instead of what it could detect; one with enough cycles
// says what it could detect.
func TestTooFewCyclesSaid(t *testing.T) {
	few := synth{order: []string{"baseline", "v2", "v3"}, effects: map[string]float64{"v2": -0.3}, benches: 3, cycles: 4, noise: 0.02, seed: 2}
	a := Analyze(few.run(), Options{})
	// No look spent α: the last has 0.05, Holm's first step 0.025.
	if want := "With 4 cycles, no change could have been significant: at this level the signed-rank test needs 7 or more"; !strings.Contains(a.VerdictText, want) {
		t.Errorf("4 cycles, a 30%% gain: %q, want %q", a.VerdictText, want)
	}
	if cyclesFor(0.025) != 7 || pairstat.MinP(7) > 0.025 || pairstat.MinP(6) <= 0.025 {
		t.Errorf("cyclesFor(0.025) = %d", cyclesFor(0.025))
	}
	enough := synth{order: []string{"baseline", "v2"}, benches: 3, cycles: 12, noise: 0.2, seed: 2}
	if a := Analyze(enough.run(), Options{}); strings.Contains(a.VerdictText, "no change could") || !strings.Contains(a.VerdictText, "could detect") {
		t.Errorf("12 cycles: %q", a.VerdictText)
	}
}
