package pairstat

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/aclements/go-moremath/stats"
)

// TInterval returns the mean of x and its two-sided Student t confidence
// interval at the given confidence (go-moremath's MeanCI): the summary of
// the per-cycle overall log-ratios m_i when there are enough cycles (about
// 15 or more) for the mean to be near normal. With one value the interval
// is (-Inf, +Inf); an empty x gives NaN for all three.
func TInterval(x []float64, confidence float64) (mean, lo, hi float64) {
	if len(x) == 0 {
		nan := math.NaN()
		return nan, nan, nan
	}
	return stats.MeanCI(x, confidence)
}

// BootstrapMean returns the percentile bootstrap confidence interval of the
// mean of x: iters resamples of len(x) values drawn with replacement by
// rng, and the (1-confidence)/2 and (1+confidence)/2 quantiles of their
// means. Resampling whole cycles keeps the correlation between the
// benchmarks of a cycle. It returns (NaN, NaN) for an empty x or iters < 1.
func BootstrapMean(x []float64, confidence float64, iters int, rng *rand.Rand) (lo, hi float64) {
	n := len(x)
	if n == 0 || iters < 1 {
		return math.NaN(), math.NaN()
	}
	means := make([]float64, iters)
	for it := range means {
		s := 0.0
		for range n {
			s += x[rng.IntN(n)]
		}
		means[it] = s / float64(n)
	}
	slices.Sort(means)
	a := (1 - confidence) / 2
	return quantile(means, a), quantile(means, 1-a)
}

// quantile returns the q-quantile of the sorted xs, interpolating linearly
// between order statistics.
func quantile(xs []float64, q float64) float64 {
	pos := min(max(q, 0), 1) * float64(len(xs)-1)
	i := int(pos)
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	return xs[i] + (pos-float64(i))*(xs[i+1]-xs[i])
}

// Detectable returns the smallest change, as a fraction (0.03 is 3%), that
// a two-sided test at the given confidence would detect with the given
// power, when the current confidence interval of the log-ratio at that
// confidence has half-width halfWidth. By the normal approximation the
// standard error is halfWidth/z, z = Φ⁻¹((1+confidence)/2), and the
// detectable log change is (z + Φ⁻¹(power))·SE; the result is its exp
// minus 1. With an interval of ±2.5% at 95%, a change of 4.2% is detected
// with 90% power. It returns +Inf for an infinite half-width and NaN when
// confidence or power is outside (0, 1).
func Detectable(halfWidth, confidence, power float64) float64 {
	if !(confidence > 0 && confidence < 1 && power > 0 && power < 1) || math.IsNaN(halfWidth) {
		return math.NaN()
	}
	z := stats.StdNormal.InvCDF((1 + confidence) / 2)
	return math.Expm1(halfWidth * (1 + stats.StdNormal.InvCDF(power)/z))
}
