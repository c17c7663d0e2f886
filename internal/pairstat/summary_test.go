package pairstat

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTInterval(t *testing.T) {
	// Mean 3, sd √2.5, n = 5, t(0.975, 4) = 2.776445.
	x := []float64{1, 2, 3, 4, 5}
	mean, lo, hi := TInterval(x, 0.95)
	half := 2.776445 * math.Sqrt(2.5) / math.Sqrt(5)
	if mean != 3 || math.Abs(lo-(3-half)) > 1e-5 || math.Abs(hi-(3+half)) > 1e-5 {
		t.Errorf("TInterval = %g [%g, %g], want 3 ± %g", mean, lo, hi, half)
	}
	if m, lo, hi := TInterval(nil, 0.95); !math.IsNaN(m) || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Error("TInterval(nil) is not NaN")
	}
	if _, lo, hi := TInterval([]float64{1}, 0.95); !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Errorf("TInterval of one value = [%g, %g], want infinite", lo, hi)
	}
}

func TestBootstrapMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := make([]float64, 200)
	for i := range x {
		x[i] = 0.01 + 0.05*rng.NormFloat64()
	}
	lo, hi := BootstrapMean(x, 0.95, 2000, rand.New(rand.NewPCG(1, 1)))
	lo2, hi2 := BootstrapMean(x, 0.95, 2000, rand.New(rand.NewPCG(1, 1)))
	if lo != lo2 || hi != hi2 {
		t.Error("same seed, different interval")
	}
	mean, tlo, thi := TInterval(x, 0.95)
	if !(lo < mean && mean < hi) || math.Abs((hi-lo)-(thi-tlo)) > 0.15*(thi-tlo) {
		t.Errorf("bootstrap [%g, %g] vs t [%g, %g] around %g: want similar", lo, hi, tlo, thi, mean)
	}
	if lo, hi := BootstrapMean(nil, 0.95, 100, rng); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Error("BootstrapMean(nil) is not NaN")
	}
}

func TestDetectable(t *testing.T) {
	// ±2.5% at 95%, 90% power: 0.025·(1 + 1.28155/1.95996) = 0.041347 in
	// log space, exp-1 = 4.22%.
	if got := Detectable(0.025, 0.95, 0.9); math.Abs(got-0.04221) > 1e-4 {
		t.Errorf("Detectable(0.025, .95, .9) = %g, want 0.0422", got)
	}
	if got := Detectable(math.Inf(1), 0.95, 0.9); !math.IsInf(got, 1) {
		t.Errorf("Detectable(Inf) = %g", got)
	}
	if got := Detectable(0.02, 1, 0.9); !math.IsNaN(got) {
		t.Errorf("Detectable at confidence 1 = %g, want NaN", got)
	}
}
