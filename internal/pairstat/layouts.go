package pairstat

import (
	"math"

	"github.com/aclements/go-moremath/stats"
)

// LayoutMean is the summary of a change measured in several code layouts
// with the layout as a random effect: each build is one sample of where
// the linker puts code, so a variant's per-layout means differ by the
// noise of the cycles and by a layout × variant interaction, which is
// drawn afresh with every build and must widen the interval of the mean.
type LayoutMean struct {
	Mean    float64 // the mean of the layout means (every layout weighs alike)
	Lo, Hi  float64 // its interval
	SE      float64 // its standard error, noise and layouts
	Tau2    float64 // the between-layout variance beyond the noise (0 when none is seen)
	DF      float64 // the degrees of freedom of SE
	Layouts int     // layouts with at least two values
}

// LayoutInterval returns the random-effects mean of groups (one slice of
// per-cycle log-ratios per code layout; groups of fewer than two values
// are left out) and its two-sided interval at confidence. ok is false with
// fewer than two usable groups.
//
// With K layouts of n_k values, means m_k, pooled within-layout variance
// s² (df_w = Σ(n_k−1)) and h = mean(1/n_k), the noise alone gives the
// mean of the m_k the variance s²h/K. The method-of-moments
// (DerSimonian–Laird) estimate of the interaction's variance is τ² =
// max(0, S_b² − s²h), S_b² the sample variance of the m_k. When τ² is 0
// the interval is the noise's, Student's t on df_w; otherwise it is the
// one of the K layout means taken as the sample, S_b²/K on K−1 degrees of
// freedom (exact for balanced layouts under the normal random-effects
// model). The tests measure its coverage: near the nominal level with four
// layouts; with two, t(0.975, 1) = 12.7 makes it too wide to decide
// anything, and it strays to about 10% misses at 95%.
func LayoutInterval(groups [][]float64, confidence float64) (LayoutMean, bool) {
	var ms, ns []float64
	ss, dfw := 0.0, 0
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		m := 0.0
		for _, x := range g {
			m += x
		}
		m /= float64(len(g))
		for _, x := range g {
			ss += (x - m) * (x - m)
		}
		dfw += len(g) - 1
		ms, ns = append(ms, m), append(ns, float64(len(g)))
	}
	k := float64(len(ms))
	if len(ms) < 2 {
		return LayoutMean{Layouts: len(ms)}, false
	}
	s2 := ss / float64(dfw)
	mean, h := 0.0, 0.0
	for i := range ms {
		mean += ms[i]
		h += 1 / ns[i]
	}
	mean /= k
	h /= k
	sb2 := 0.0
	for _, m := range ms {
		sb2 += (m - mean) * (m - mean)
	}
	sb2 /= k - 1
	tau2 := max(0, sb2-s2*h)
	out := LayoutMean{Mean: mean, Tau2: tau2, SE: math.Sqrt(s2 * h / k), Layouts: len(ms), DF: float64(dfw)}
	if tau2 > 0 {
		out.SE, out.DF = math.Sqrt(sb2/k), k-1
	}
	if out.SE == 0 {
		out.Lo, out.Hi = mean, mean
		return out, true
	}
	t := -stats.InvCDF(stats.TDist{V: out.DF})((1 - confidence) / 2)
	out.Lo, out.Hi = mean-t*out.SE, mean+t*out.SE
	return out, true
}
