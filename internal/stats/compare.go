package stats

import (
	"math"

	"github.com/gotune/gotune/internal/pairstat"
	"github.com/gotune/gotune/internal/result"
)

// comparisons compares every measured variant with the baseline, benchmark
// by benchmark and unit by unit, paired by block: the Hodges–Lehmann
// change with its 95% interval and the signed-rank test, Holm within each
// unit's family (sec/op apart from B/op and allocs/op, which are nearly
// deterministic). Ratios are taken on logs when every value is positive;
// with zeros (0 B/op) on differences, relative to the baseline's median.
func comparisons(t *table, run *result.Run, o Options) []result.Comparison {
	var out []result.Comparison
	for _, v := range run.Variants {
		if v.Name == run.Baseline || !v.Measured() {
			continue
		}
		for _, k := range t.keys {
			ps := t.pairs(v.Name, k)
			if len(ps) == 0 {
				continue
			}
			out = append(out, compare(v.Name, k, ps))
		}
	}
	families := map[string][]int{}
	for i, c := range out {
		families[c.Unit] = append(families[c.Unit], i)
	}
	for _, idx := range families {
		p := make([]float64, len(idx))
		for j, i := range idx {
			p[j] = out[i].P
		}
		for j, adj := range pairstat.Holm(p) {
			c := &out[idx[j]]
			c.PHolm = adj
			c.Significant = adj <= o.Alpha && c.Change.Center != 1
		}
	}
	return out
}

// compare compares one variant's paired values of one key.
func compare(variant string, k key, ps []pair) result.Comparison {
	c := result.Comparison{Variant: variant, Package: k.pkg, Benchmark: k.name, Unit: k.unit, N: len(ps)}
	bs, xs := make([]float64, len(ps)), make([]float64, len(ps))
	positive := true
	for i, p := range ps {
		bs[i], xs[i] = p.base, p.x
		positive = positive && p.base > 0 && p.x > 0
	}
	c.Base, c.New = median(bs), median(xs)
	d := make([]float64, len(ps))
	for i, p := range ps {
		if positive {
			d[i] = math.Log(p.x / p.base)
		} else {
			d[i] = p.x - p.base
		}
	}
	c.P = pairstat.SignedRank(d).P
	est := pairstat.HodgesLehmann(d)
	lo, hi := pairstat.HLInterval(d, 0.95)
	if positive {
		c.Change = result.Ratio{Center: math.Exp(est), Lo: math.Exp(lo), Hi: math.Exp(hi)}
	} else if c.Base > 0 {
		c.Change = result.Ratio{Center: 1 + est/c.Base, Lo: 1 + lo/c.Base, Hi: 1 + hi/c.Base}
	} else {
		c.Change = result.Ratio{Center: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1)}
		if est == 0 {
			c.Change.Center = 1
		}
		c.Warnings = append(c.Warnings, "the baseline's median is 0: no ratio")
	}
	if len(ps) < 6 {
		c.Warnings = append(c.Warnings, "fewer than 6 pairs: no test can reach significance")
	}
	if positive {
		c.LayoutSpread, c.LayoutSensitive = layoutSpreadOf(ps, est)
	}
	return c
}

// layoutSpreadOf returns, for pairs measured in two code layouts or more
// (each with at least three pairs), the spread of the per-layout
// Hodges–Lehmann estimates of the log-ratio (the largest over the
// smallest, minus 1), and whether the overall log estimate est lies within
// that spread of zero (in logs) or the layouts disagree in sign.
func layoutSpreadOf(ps []pair, est float64) (float64, bool) {
	by := map[int][]float64{}
	for _, p := range ps {
		by[p.layout] = append(by[p.layout], math.Log(p.x/p.base))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	n := 0
	for _, d := range by {
		if len(d) < 3 {
			continue
		}
		n++
		e := pairstat.HodgesLehmann(d)
		lo, hi = math.Min(lo, e), math.Max(hi, e)
	}
	if n < 2 {
		return 0, false
	}
	// In logs, so that a 10× slowdown measured as 8× in one layout and
	// 12× in another is not "within its spread".
	return math.Expm1(hi - lo), (lo < 0 && hi > 0) || math.Abs(est) < hi-lo
}
