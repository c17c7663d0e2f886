package pairstat

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// allWalsh returns the sorted Walsh averages of d.
func allWalsh(d []float64) []float64 {
	var w []float64
	for i := range d {
		for j := i; j < len(d); j++ {
			w = append(w, (d[i]+d[j])/2)
		}
	}
	slices.Sort(w)
	return w
}

// sample draws n values of one of several shapes, some with many ties.
func sample(rng *rand.Rand, n, shape int) []float64 {
	d := make([]float64, n)
	for i := range d {
		switch shape % 4 {
		case 0:
			d[i] = rng.NormFloat64()
		case 1:
			d[i] = float64(rng.IntN(5) - 2) // heavy ties and zeros
		case 2:
			d[i] = math.Exp(3*rng.Float64()) - 5 // skewed
		default:
			d[i] = 1 // all equal
		}
	}
	return d
}

func TestWalshSelection(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 300 {
		n := 1 + rng.IntN(90)
		d := sample(rng, n, trial)
		want := allWalsh(d)
		w := newWalsh(d)
		for _, k := range []int{1, 2, len(want) / 3, (len(want) + 1) / 2, len(want) - 1, len(want)} {
			if k < 1 || k > len(want) {
				continue
			}
			if got := w.kth(k); got != want[k-1] {
				t.Fatalf("n=%d shape=%d: kth(%d) = %g, want %g", n, trial%4, k, got, want[k-1])
			}
		}
		m := len(want)
		med := want[(m-1)/2]
		if m%2 == 0 {
			med = (want[m/2-1] + want[m/2]) / 2
		}
		if got := HodgesLehmann(d); got != med {
			t.Fatalf("n=%d: HodgesLehmann = %g, median of Walsh averages %g", n, got, med)
		}
		for _, conf := range []float64{0.5, 0.9, 0.95, 0.99, 0.999} {
			lo, hi := HLInterval(d, conf)
			k := CriticalValue(n, 1-conf) + 1
			if k == 0 {
				if !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
					t.Fatalf("n=%d conf=%g: HLInterval = [%g, %g], want infinite", n, conf, lo, hi)
				}
				continue
			}
			if lo != want[k-1] || hi != want[m-k] {
				t.Fatalf("n=%d conf=%g: HLInterval = [%g, %g], want [W_(%d), W_(%d)] = [%g, %g]",
					n, conf, lo, hi, k, m+1-k, want[k-1], want[m-k])
			}
		}
	}
}

func TestHodgesLehmannEdges(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    []float64
		want float64
	}{
		{"one", []float64{3}, 3},
		{"two", []float64{1, 3}, 2},       // Walsh 1, 2, 3
		{"three", []float64{0, 1, 10}, 3}, // Walsh 0, .5, 1, 5, 5.5, 10
		{"constant", []float64{2, 2, 2, 2}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := HodgesLehmann(tc.d); got != tc.want {
				t.Errorf("HodgesLehmann(%v) = %g, want %g", tc.d, got, tc.want)
			}
		})
	}
	if !math.IsNaN(HodgesLehmann(nil)) {
		t.Error("HodgesLehmann(nil) is not NaN")
	}
	if lo, hi := HLInterval([]float64{1, 2, 3, 4, 5}, 0.95); !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Errorf("HLInterval of 5 values at 95%% = [%g, %g], want (-Inf, +Inf): 5 pairs cannot reach it", lo, hi)
	}
	if lo, hi := HLInterval([]float64{1, 2, 3, 4, 5, 6}, 0.95); lo != 1 || hi != 6 {
		t.Errorf("HLInterval of 6 values at 95%% = [%g, %g], want [1, 6] (k = 1)", lo, hi)
	}
	if lo, hi := HLInterval([]float64{1, 2}, 0); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("HLInterval at confidence 0 = [%g, %g], want NaN", lo, hi)
	}
	d := []float64{3, 1, 2}
	HodgesLehmann(d)
	HLInterval(d, 0.5)
	if !slices.Equal(d, []float64{3, 1, 2}) {
		t.Errorf("input modified: %v", d)
	}
}

// TestIntervalMatchesTest checks the duality the package promises: for
// non-zero, untied differences the signed-rank test rejects at level a
// exactly when the 1-a Hodges–Lehmann interval excludes 0, on both sides
// of MaxExact.
func TestIntervalMatchesTest(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	trials := 3000
	if testing.Short() {
		trials = 600
	}
	rejections := 0
	for trial := range trials {
		n := 1 + rng.IntN(120)
		shift := 0.6 * rng.NormFloat64() / math.Sqrt(float64(n)) * 3
		d := make([]float64, n)
		for i := range d {
			d[i] = rng.NormFloat64() + shift
		}
		p := SignedRank(d).P
		for _, a := range []float64{0.5, 0.2, 0.1, 0.05, 0.01, 1e-3, 1e-4, 1e-6} {
			lo, hi := HLInterval(d, 1-a)
			if rejects, excludes := p <= a, lo > 0 || hi < 0; rejects != excludes {
				t.Fatalf("trial %d, n=%d, a=%g: P=%g (rejects %v) but interval [%g, %g] (excludes 0: %v)",
					trial, n, a, p, rejects, lo, hi, excludes)
			} else if rejects {
				rejections++
			}
		}
	}
	if rejections == 0 {
		t.Fatal("no test rejected: the check saw only one side")
	}
}

func TestHLIntervalKnown(t *testing.T) {
	// Hollander & Wolfe's depression data (see TestSignedRankKnown): the
	// test rejects at 0.05 but not at 0.02, so the 95% interval lies above
	// 0 and the 98% one contains it.
	d := []float64{0.952, -0.147, 1.022, 0.43, 0.62, 0.59, 0.49, -0.08, 0.01}
	if lo, hi := HLInterval(d, 0.95); !(lo > 0 && hi > lo) {
		t.Errorf("95%% interval [%g, %g], want it above 0", lo, hi)
	}
	if lo, hi := HLInterval(d, 0.98); !(lo <= 0 && hi > 0) {
		t.Errorf("98%% interval [%g, %g], want it to contain 0", lo, hi)
	}
	// n = 9, alpha = 0.05: T = 5, k = 6, M = 45, interval [W_(6), W_(40)].
	w := allWalsh(d)
	if lo, hi := HLInterval(d, 0.95); lo != w[5] || hi != w[39] {
		t.Errorf("95%% interval [%g, %g], want [%g, %g]", lo, hi, w[5], w[39])
	}
}
