package pairstat

import (
	"math"

	"github.com/aclements/go-moremath/stats"
)

// Stratum is one independent part of a comparison: the per-cycle overall
// log-ratios of one variant measured on one runner (a shard of gotune
// merge), paired within that runner only.
type Stratum struct {
	D []float64
	// Weight is the stratum's share of the combined estimate (normalised
	// over the strata). When every stratum's weight is 0, the strata are
	// weighted by inverse variance.
	Weight float64
}

// Combined is the stratified estimate of a log-ratio.
type Combined struct {
	// Estimate is Σ w_s·θ_s over the strata, θ_s the stratum's
	// Hodges–Lehmann estimate; SE its standard error and DF the
	// Welch–Satterthwaite degrees of freedom of SE.
	Estimate, SE, DF float64
	// Lo and Hi are the interval at the confidence asked for.
	Lo, Hi float64
	// P is the two-sided p-value of Estimate = 0 by Student's t with DF.
	P float64
	// Weights are the normalised weights used, in the order of the strata.
	Weights []float64
}

// Stratified combines strata that were each analysed on their own. Each
// stratum s gives θ_s = HodgesLehmann(D_s), and a standard error read off
// its distribution-free 95% interval (HLInterval), SE_s = half-width /
// t_{n_s−1, 0.975}, so that an outlying cycle widens it no more than it
// widens the interval. The combination is the stratified estimator
//
//	θ = Σ w_s θ_s,   SE² = Σ w_s² SE_s²,   DF = SE⁴ / Σ (w_s² SE_s²)² / (n_s − 1),
//
// with the interval θ ± t_{DF,(1+confidence)/2}·SE and the two-sided
// p-value of θ = 0 from the same t. With w_s the share of the benchmarks
// each stratum measured, θ estimates the geometric mean over every
// benchmark, the quantity one run of them all would have estimated: each
// stratum's variant is only ever compared with its own baseline.
// Inverse-variance weights (all weights 0) are the most precise when
// every stratum has the same true change, but when strata hold different
// benchmarks they weight each by how quiet its runner was, not by its
// share of the code; gotune merge uses benchmark shares.
//
// A stratum with fewer than 6 values has an infinite interval at 95%, so
// the combination has an infinite SE (P = 1) unless its weight is 0.
// Strata with no values are left out (weight 0). With no stratum left,
// every field is NaN and P is 1.
func Stratified(strata []Stratum, confidence float64) Combined {
	c := Combined{Weights: make([]float64, len(strata))}
	theta := make([]float64, len(strata))
	se := make([]float64, len(strata))
	inverse := true
	for _, s := range strata {
		inverse = inverse && s.Weight == 0
	}
	sum := 0.0
	for i, s := range strata {
		if len(s.D) == 0 {
			continue
		}
		theta[i] = HodgesLehmann(s.D)
		se[i] = math.Inf(1)
		if n := len(s.D); n >= 2 {
			lo, hi := HLInterval(s.D, 0.95)
			se[i] = (hi - lo) / 2 / stats.InvCDF(stats.TDist{V: float64(n - 1)})(0.975)
		}
		w := s.Weight
		if inverse {
			w = 1 / (se[i] * se[i]) // +Inf for a stratum without spread; 0 for one without an interval
		}
		c.Weights[i] = w
		sum += w
	}
	nan := math.NaN()
	c.Estimate, c.SE, c.DF, c.Lo, c.Hi, c.P = nan, nan, nan, nan, nan, 1
	if sum == 0 || math.IsNaN(sum) {
		return c
	}
	if math.IsInf(sum, 1) { // inverse variance with strata of no spread: those alone
		sum = 0
		for i, w := range c.Weights {
			c.Weights[i] = 0
			if math.IsInf(w, 1) {
				c.Weights[i] = 1
				sum++
			}
		}
	}
	est, v, dfDen := 0.0, 0.0, 0.0
	for i, s := range strata {
		w := c.Weights[i] / sum
		c.Weights[i] = w
		if w == 0 {
			continue
		}
		est += w * theta[i]
		vi := w * w * se[i] * se[i]
		v += vi
		if n := len(s.D); n > 1 {
			dfDen += vi * vi / float64(n-1)
		}
	}
	c.Estimate, c.SE = est, math.Sqrt(v)
	switch {
	case math.IsInf(c.SE, 1):
		c.Lo, c.Hi, c.P = math.Inf(-1), math.Inf(1), 1
		return c
	case c.SE == 0:
		c.Lo, c.Hi, c.P = est, est, 1
		if est != 0 {
			c.P = 0
		}
		return c
	}
	c.DF = v * v / dfDen
	t := stats.TDist{V: c.DF}
	q := 1.0
	if confidence > 0 && confidence < 1 {
		q = stats.InvCDF(t)((1 + confidence) / 2)
	} else if confidence >= 1 {
		q = math.Inf(1)
	} else {
		q = 0
	}
	c.Lo, c.Hi = est-q*c.SE, est+q*c.SE
	c.P = min(1, 2*t.CDF(-math.Abs(est)/c.SE))
	return c
}

// Interval returns the interval of c at another confidence, from the same
// estimate, standard error and degrees of freedom.
func (c Combined) Interval(confidence float64) (lo, hi float64) {
	switch {
	case math.IsNaN(c.Estimate):
		return math.NaN(), math.NaN()
	case math.IsInf(c.SE, 1) || confidence >= 1:
		return math.Inf(-1), math.Inf(1)
	case c.SE == 0 || confidence <= 0:
		return c.Estimate, c.Estimate
	}
	q := stats.InvCDF(stats.TDist{V: c.DF})((1 + confidence) / 2)
	return c.Estimate - q*c.SE, c.Estimate + q*c.SE
}
