package pairstat

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestLayoutIntervalNoInteraction(t *testing.T) {
	// Two layouts with equal means: no interaction is seen, and the
	// interval is the noise's, with Student's t on the pooled within-layout
	// degrees of freedom: s² = 8/6, h = 1/4, SE² = s²h/2 = 1/6, df 6,
	// t(0.975, 6) = 2.447 (published tables).
	g := [][]float64{{-1, 1, -1, 1}, {1, -1, 1, -1}, {5}} // the single value is left out
	m, ok := LayoutInterval(g, 0.95)
	if !ok || m.Layouts != 2 || m.Tau2 != 0 || m.DF != 6 || m.Mean != 0 {
		t.Fatalf("LayoutInterval = %+v, %v", m, ok)
	}
	if want := math.Sqrt(1.0 / 6); math.Abs(m.SE-want) > 1e-12 {
		t.Errorf("SE %v, want %v", m.SE, want)
	}
	if got := m.Hi / m.SE; math.Abs(got-2.447) > 0.001 {
		t.Errorf("half-width / SE = %.4f, want t(0.975, 6) = 2.447", got)
	}
}

func TestLayoutIntervalInteraction(t *testing.T) {
	// Layouts far apart beyond their noise: τ² is almost all of the
	// variance, the degrees of freedom tend to K−1 = 1, and t(0.975, 1) =
	// 12.706 makes the interval wide enough to hold 0.
	m, ok := LayoutInterval([][]float64{{0.30, 0.31, 0.29}, {0.02, 0.03, 0.01}}, 0.95)
	if !ok || m.Tau2 <= 0 || m.DF > 1.01 || m.DF < 1 {
		t.Fatalf("LayoutInterval = %+v, %v", m, ok)
	}
	if math.Abs(m.Mean-0.16) > 1e-12 || m.Lo > 0 || m.Hi < 0.32 {
		t.Errorf("interval [%.3f, %.3f] around %.3f: want it to hold 0 and both layouts", m.Lo, m.Hi, m.Mean)
	}
	if half := (m.Hi - m.Lo) / 2 / m.SE; math.Abs(half-12.706) > 0.05 {
		t.Errorf("half-width / SE = %.3f, want about t(0.975, 1) = 12.706", half)
	}
	if _, ok := LayoutInterval([][]float64{{1, 2, 3}, {4}}, 0.95); ok {
		t.Errorf("one usable layout gave an interval")
	}
}

// TestLayoutIntervalCoverage draws runs whose true mean is 0 and whose
// layouts each add a random offset (the interaction, sd tau) to noise of sd
// 1 per cycle, and counts how often the 95% interval misses 0. With four
// layouts it stays near the nominal 5% whatever the interaction's size;
// with two it cannot (see LayoutInterval), and the test records how far
// it strays instead of hiding it.
func TestLayoutIntervalCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const runs, perLayout = 2000, 6
	for _, k := range []int{2, 4} {
		for _, tau := range []float64{0, 0.25, 0.5, 1, 3} {
			miss := 0
			for range runs {
				groups := make([][]float64, k)
				for l := range groups {
					off := tau * rng.NormFloat64()
					for range perLayout {
						groups[l] = append(groups[l], off+rng.NormFloat64())
					}
				}
				m, _ := LayoutInterval(groups, 0.95)
				if m.Lo > 0 || m.Hi < 0 {
					miss++
				}
			}
			rate := float64(miss) / runs
			t.Logf("K=%d tau=%.2f: the interval missed the true 0 in %.1f%% of runs", k, tau, 100*rate)
			limit := 0.065 // 5% and three Monte Carlo standard errors
			if k == 2 {
				limit = 0.12
			}
			if rate > limit {
				t.Errorf("K=%d tau=%.2f: missed in %.1f%% of runs, more than %.1f%%", k, tau, 100*rate, 100*limit)
			}
		}
	}
}
