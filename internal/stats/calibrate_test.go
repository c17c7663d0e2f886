package stats

import (
	"math"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

func TestCalibrate(t *testing.T) {
	tests := []struct {
		name                 string
		gen                  gen
		twin                 bool
		count, comparisons   int
		floorLo, floorHi     float64
		detectLo, detectHi   float64
		wantAA, wantNoDetect bool
	}{
		{
			// Uniform noise of ±10% has a MAD of 5%, so a floor near 7.4%.
			name: "baseline rounds", gen: gen{seed: 1, rounds: 12, benches: 8, noise: 0.1},
			count: 10, comparisons: 1, floorLo: 0.04, floorHi: 0.11, detectLo: 0.01, detectHi: 0.2,
		},
		{
			name: "a/a", gen: gen{seed: 2, rounds: 10, benches: 8, noise: 0.1}, twin: true,
			count: 10, comparisons: 1, floorLo: 0.04, floorHi: 0.11, detectLo: 0.01, detectHi: 0.2, wantAA: true,
		},
		{
			// Three samples per side can never reach p < 0.05.
			name: "too few rounds for any change", gen: gen{seed: 3, rounds: 6, benches: 4, noise: 0.1},
			count: 3, comparisons: 1, floorLo: 0.02, floorHi: 0.15, wantNoDetect: true,
		},
		{
			name: "quiet machine", gen: gen{seed: 4, rounds: 10, benches: 4, noise: 0.001},
			count: 10, comparisons: 10, floorLo: 0, floorHi: 0.002, detectLo: 0, detectHi: 0.01,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			specs := []spec{{name: "base"}}
			twin := ""
			if tt.twin {
				specs = append(specs, spec{name: "base~aa"})
				twin = "base~aa"
			}
			run := synthRun(tt.gen, specs...)
			c := Calibrate(run.Samples, CalibrateOptions{Baseline: "base", Twin: twin, Count: tt.count, Comparisons: tt.comparisons})
			if c.Rounds != tt.gen.rounds || c.Count != tt.count || c.Comparisons != tt.comparisons {
				t.Errorf("rounds %d count %d comparisons %d, want %d %d %d", c.Rounds, c.Count, c.Comparisons, tt.gen.rounds, tt.count, tt.comparisons)
			}
			if c.NoiseFloor < tt.floorLo || c.NoiseFloor > tt.floorHi {
				t.Errorf("noise floor %.4f, want in [%g, %g]", c.NoiseFloor, tt.floorLo, tt.floorHi)
			}
			if tt.wantNoDetect {
				if c.MinDetectable != 0 {
					t.Errorf("min detectable %.4f, want 0 (unreachable)", c.MinDetectable)
				}
			} else if c.MinDetectable <= tt.detectLo || c.MinDetectable > tt.detectHi {
				t.Errorf("min detectable %.4f, want in (%g, %g]", c.MinDetectable, tt.detectLo, tt.detectHi)
			}
			if tt.wantAA != (c.AA != nil) || tt.wantAA != (c.Source == result.CalibrationAA) {
				t.Fatalf("source %q, AA %v; want A/A %v", c.Source, c.AA, tt.wantAA)
			}
			if c.AA != nil && !(c.AA.Lo < 1 && c.AA.Hi > 1) {
				t.Errorf("A/A ratio %+v: its interval should hold 1", *c.AA)
			}
		})
	}
}

// TestCalibrateMoreRoundsDetectLess checks the projection: more rounds
// detect smaller changes, and more comparisons need larger ones.
func TestCalibrateMoreRoundsDetectLess(t *testing.T) {
	run := synthRun(gen{seed: 5, rounds: 8, benches: 6, noise: 0.1}, spec{name: "base"})
	at := func(count, m int) float64 {
		return Calibrate(run.Samples, CalibrateOptions{Baseline: "base", Count: count, Comparisons: m}).MinDetectable
	}
	if a, b := at(8, 10), at(30, 10); !(b < a) {
		t.Errorf("30 rounds detect %.4f, 8 rounds %.4f: want less with more rounds", b, a)
	}
	if a, b := at(20, 1), at(20, 100); !(b > a) {
		t.Errorf("100 comparisons need %.4f, 1 needs %.4f: want more with more comparisons", b, a)
	}
}

func TestSpread(t *testing.T) {
	got := spread([]float64{3, 1, 2}, 3)
	want := []float64{1 + 1.0/3, 2, 3 - 1.0/3}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("spread = %v, want %v", got, want)
		}
	}
}
