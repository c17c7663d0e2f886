package pairstat

import (
	"math"
	"math/rand/v2"
	"testing"
)

// shardSim draws the per-cycle log-ratios of three shards of known truth:
// their own true changes mu, noise sd and cycle counts; heavy makes the
// third shard's noise heavy-tailed (a cycle in ten is disturbed, ×5).
func shardSim(rng *rand.Rand, mu, sd []float64, n []int, heavy bool) []Stratum {
	out := make([]Stratum, len(mu))
	for s := range mu {
		d := make([]float64, n[s])
		for i := range d {
			e := rng.NormFloat64() * sd[s]
			if heavy && s == len(mu)-1 && rng.IntN(10) == 0 {
				e *= 5
			}
			d[i] = mu[s] + e
		}
		out[s] = Stratum{D: d}
	}
	return out
}

// TestStratifiedSimulation checks the stratified combination against
// known truth: shards on runners of different noise, different cycle
// counts, one with heavy tails, and (under the alternative) different true
// changes per shard, as shards holding different benchmarks have.
func TestStratifiedSimulation(t *testing.T) {
	const reps = 1500
	weights := []float64{0.5, 0.3, 0.2} // benchmark shares
	sd := []float64{0.01, 0.03, 0.02}
	n := []int{8, 12, 20}
	rng := rand.New(rand.NewPCG(15, 3))

	t.Run("null: false positives at most α", func(t *testing.T) {
		rejected := 0
		for range reps {
			st := shardSim(rng, []float64{0, 0, 0}, sd, n, true)
			for i := range st {
				st[i].Weight = weights[i]
			}
			if Stratified(st, 0.95).P <= 0.05 {
				rejected++
			}
		}
		rate := float64(rejected) / reps
		t.Logf("null rejection rate %.3f (α = 0.05)", rate)
		if rate > 0.065 {
			t.Errorf("null rejection rate %.3f, want at most 0.05 (+ simulation error)", rate)
		}
	})

	t.Run("null with the fewest cycles, at a Holm level", func(t *testing.T) {
		// Six cycles per shard, the least a shard measures by default,
		// tested at 0.05/3, the first step of Holm over three variants.
		const level = 0.05 / 3
		rejected := 0
		for range reps {
			st := shardSim(rng, []float64{0, 0, 0}, sd, []int{6, 6, 7}, true)
			for i := range st {
				st[i].Weight = weights[i]
			}
			if Stratified(st, 0.95).P <= level {
				rejected++
			}
		}
		rate := float64(rejected) / reps
		t.Logf("null rejection rate %.4f at level %.4f with 6–7 cycles per shard", rate, level)
		if rate > 1.5*level+0.005 {
			t.Errorf("null rejection rate %.4f, want at most %.4f (+ simulation error)", rate, level)
		}
	})

	mu := []float64{-0.04, 0.01, 0} // a variant faster on one shard's benchmarks only
	truth := 0.0
	for i, m := range mu {
		truth += weights[i] * m
	}
	t.Run("coverage of the benchmark-weighted truth", func(t *testing.T) {
		covered, detected := 0, 0
		for range reps {
			st := shardSim(rng, mu, sd, n, true)
			for i := range st {
				st[i].Weight = weights[i]
			}
			c := Stratified(st, 0.95)
			if c.Lo <= truth && truth <= c.Hi {
				covered++
			}
			if c.P <= 0.05 && c.Estimate < 0 {
				detected++
			}
		}
		cov, pow := float64(covered)/reps, float64(detected)/reps
		t.Logf("coverage %.3f of 95%%, power %.3f for a true change of %.2f%%", cov, pow, 100*truth)
		if cov < 0.93 {
			t.Errorf("coverage %.3f, want about 0.95", cov)
		}
		if pow < 0.8 {
			t.Errorf("power %.3f for a %.1f%% change, want at least 0.8", pow, 100*truth)
		}
	})

	t.Run("inverse variance misses the truth when shards differ", func(t *testing.T) {
		// The reason merge weights by benchmarks: inverse-variance weights
		// lean to the quiet runner's benchmarks.
		covered := 0
		for range reps {
			st := shardSim(rng, mu, sd, n, false)
			c := Stratified(st, 0.95)
			if c.Lo <= truth && truth <= c.Hi {
				covered++
			}
		}
		cov := float64(covered) / reps
		t.Logf("inverse-variance coverage of the benchmark-weighted truth %.3f", cov)
		if cov > 0.8 {
			t.Errorf("inverse-variance coverage %.3f: the simulation no longer shows its bias", cov)
		}
	})
}

func TestStratifiedCases(t *testing.T) {
	six := []float64{-0.02, -0.01, -0.03, -0.02, -0.015, -0.025}
	tests := []struct {
		name   string
		strata []Stratum
		check  func(t *testing.T, c Combined)
	}{
		{"one stratum is its own HL estimate", []Stratum{{D: six, Weight: 1}}, func(t *testing.T, c Combined) {
			if c.Estimate != HodgesLehmann(six) || c.DF != 5 {
				t.Errorf("estimate %g df %g, want %g and 5", c.Estimate, c.DF, HodgesLehmann(six))
			}
			if !(c.Lo < c.Estimate && c.Estimate < c.Hi && c.Hi < 0 && c.P < 0.05) {
				t.Errorf("interval [%g, %g] p %g, want below 0 and significant", c.Lo, c.Hi, c.P)
			}
		}},
		{"weights are normalised", []Stratum{{D: six, Weight: 3}, {D: six, Weight: 1}}, func(t *testing.T, c Combined) {
			if c.Weights[0] != 0.75 || c.Weights[1] != 0.25 || math.Abs(c.Estimate-HodgesLehmann(six)) > 1e-15 {
				t.Errorf("weights %v estimate %g", c.Weights, c.Estimate)
			}
		}},
		{"a stratum too short for an interval makes it infinite", []Stratum{{D: six, Weight: 1}, {D: six[:4], Weight: 1}}, func(t *testing.T, c Combined) {
			if !math.IsInf(c.Hi, 1) || c.P != 1 {
				t.Errorf("interval [%g, %g] p %g, want infinite and p 1", c.Lo, c.Hi, c.P)
			}
		}},
		{"an empty stratum is left out", []Stratum{{D: six, Weight: 1}, {D: nil, Weight: 1}}, func(t *testing.T, c Combined) {
			if c.Weights[0] != 1 || c.Weights[1] != 0 {
				t.Errorf("weights %v, want [1 0]", c.Weights)
			}
		}},
		{"no data", []Stratum{{}, {}}, func(t *testing.T, c Combined) {
			if !math.IsNaN(c.Estimate) || c.P != 1 {
				t.Errorf("estimate %g p %g, want NaN and 1", c.Estimate, c.P)
			}
		}},
		{"no spread", []Stratum{{D: []float64{0.01, 0.01, 0.01, 0.01, 0.01, 0.01}, Weight: 1}}, func(t *testing.T, c Combined) {
			if c.Estimate != 0.01 || c.P != 0 || c.Lo != 0.01 {
				t.Errorf("estimate %g p %g lo %g", c.Estimate, c.P, c.Lo)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, Stratified(tc.strata, 0.95)) })
	}
}

func TestCombinedInterval(t *testing.T) {
	c := Stratified([]Stratum{{D: []float64{-0.02, -0.01, -0.03, -0.02, -0.015, -0.025, 0.001}, Weight: 1}}, 0.95)
	lo, hi := c.Interval(0.95)
	if lo != c.Lo || hi != c.Hi {
		t.Errorf("Interval(0.95) = [%g, %g], want [%g, %g]", lo, hi, c.Lo, c.Hi)
	}
	lo90, hi90 := c.Interval(0.90)
	if !(lo < lo90 && hi90 < hi) {
		t.Errorf("90%% interval [%g, %g] not inside the 95%% one [%g, %g]", lo90, hi90, lo, hi)
	}
}
