package stats

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotune/gotune/internal/pairstat"
	"github.com/gotune/gotune/internal/result"
)

// Thresholds of the noise note: a benchmark is named when its variance
// is at least noiseShare of the summed variances of at least
// noiseMinBenchmarks benchmarks, its SD at least noiseRatio times the
// others' median, and the run could not detect changes of the
// equivalence margin.
const (
	noiseShare         = 0.5
	noiseRatio         = 2.0
	noiseMinBenchmarks = 3
)

// noise returns the benchmark that limits what the run could detect, or
// nil: the one whose paired log time ratios vary most between blocks,
// when it alone makes up most of the overall change's noise. The overall
// per-cycle change is the mean over B benchmarks, so its variance is
// about the sum of theirs over B²; a benchmark's share of that sum is its
// share of the noise (covariances left out). What the run could detect
// without it is worstDetectable again, with each variant's interval at
// its level from the same cycles without the benchmark.
func noise(t *table, run *result.Run, a *result.Analysis) *result.Noise {
	if a.Detectable <= a.Equivalence || math.IsInf(a.Detectable, 0) || math.IsNaN(a.Detectable) {
		return nil
	}
	unit := t.unit
	if unit == "" {
		unit = TimeUnit
	}
	type bench struct {
		k  key
		v  float64 // pooled variance of ln(x/base)
		df int
		sd float64
	}
	var bs []*bench
	for _, k := range t.keys {
		if k.unit != unit {
			continue
		}
		b := &bench{k: k}
		for _, v := range run.Variants {
			if v.Name == run.Baseline || v.Status != result.StatusOK || v.SameCodeAs != "" {
				continue
			}
			var lr []float64
			for _, p := range t.pairs(v.Name, k) {
				if p.base > 0 && p.x > 0 {
					lr = append(lr, math.Log(p.x/p.base))
				}
			}
			if len(lr) < 2 {
				continue
			}
			s := sd(lr)
			b.v += s * s * float64(len(lr)-1)
			b.df += len(lr) - 1
		}
		if b.df == 0 {
			continue
		}
		b.v /= float64(b.df)
		b.sd = math.Sqrt(b.v)
		bs = append(bs, b)
	}
	if len(bs) < noiseMinBenchmarks {
		return nil
	}
	slices.SortStableFunc(bs, func(x, y *bench) int { return compareFloat(y.v, x.v) })
	total := 0.0
	var others []float64
	for i, b := range bs {
		total += b.v
		if i > 0 {
			others = append(others, b.sd)
		}
	}
	top := bs[0]
	share := top.v / total
	othersSD := median(others)
	if share < noiseShare || top.sd < noiseRatio*othersSD {
		return nil
	}
	// What the run could detect without top: each variant's interval
	// taken again at its level from the same cycles without it.
	without := worstDetectable(a.Variants, func(s result.VariantStats) float64 {
		if s.Detectable <= 0 || math.IsInf(s.Detectable, 0) || s.Level <= 0 || s.Level >= 1 {
			return 0
		}
		lo, hi := interval(t.cyclesExcept(s.Name, top.k), s.Level)
		if math.IsInf(lo, 0) || math.IsInf(hi, 0) || hi <= lo {
			return 0
		}
		return pairstat.Detectable((hi-lo)/2, 1-s.Level, Power)
	})
	if without <= 0 || without >= a.Detectable {
		return nil
	}
	n := &result.Noise{
		Package:           top.k.pkg,
		Benchmark:         top.k.name,
		SD:                math.Expm1(top.sd),
		OthersSD:          math.Expm1(othersSD),
		Share:             share,
		DetectableWithout: without,
		Allocates:         allocates(run, top.k),
	}
	what := "times"
	if unit != TimeUnit {
		what = unit + " values"
	}
	n.Text = fmt.Sprintf("Benchmark%s limits what this run could detect: its %s vary ±%s between blocks, the other benchmarks' ±%s (median), and it makes up %.0f%% of the noise of the overall change; without it the same cycles could detect about %s.",
		n.Benchmark, what, pct(n.SD), pct(n.OthersSD), 100*share, pct(without))
	if n.Allocates {
		n.Text += " Its timed loop allocates: when the benchmark's setup leaves garbage before the timer starts, the loop collects it at random moments; runtime.GC() just before b.ResetTimer or the b.Loop usually steadies it (docs/measuring.md)."
	}
	return n
}

// allocates reports whether the baseline's median B/op of k's benchmark
// is above zero.
func allocates(run *result.Run, k key) bool {
	var bop []float64
	for _, s := range run.Samples {
		if s.Variant == run.Baseline && s.Package == k.pkg && s.Benchmark == k.name && s.Unit == "B/op" {
			bop = append(bop, s.Value)
		}
	}
	return len(bop) > 0 && median(bop) > 0
}
