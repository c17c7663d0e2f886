package stats

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gotune/gotune/internal/result"
)

// Geomean returns the geometric mean of xs. It returns 0 for an empty slice
// (and whenever some value is 0) and NaN when some value is negative.
func Geomean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		if x < 0 {
			return math.NaN()
		}
		sum += math.Log(x)
	}
	return math.Exp(sum / float64(len(xs)))
}

// median returns the median of xs, sorting xs in place; it returns NaN for
// an empty slice.
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// percentile returns the q-quantile of the sorted slice xs with linear
// interpolation between order statistics.
func percentile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(xs)-1)
	lo := int(math.Floor(pos))
	if lo < 0 {
		return xs[0]
	}
	if lo >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	frac := pos - float64(lo)
	return xs[lo] + frac*(xs[lo+1]-xs[lo])
}

// roundPair holds one benchmark's values of the baseline and of a variant,
// grouped by round: base[i] and new[i] are the values measured in the i-th
// round of the bootstrap's round list.
type roundPair struct {
	base, new [][]float64
}

// bootstrapSeed derives the second PCG seed word from a variant name, so that
// a variant's bootstrap does not depend on which other variants the run has
// or on their order.
func bootstrapSeed(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// bootstrapGeomean returns the confidence interval of the geomean over
// benchmarks of the ratio median(new)/median(base), by resampling rounds with
// replacement: each iteration draws len(rounds) round indices, and a round
// drawn k times contributes its values k times on both sides. A benchmark
// none of whose rounds were drawn on one side is left out of that
// iteration's geomean. The returned Ratio has center as its Center and is
// widened if needed so that Lo ≤ Center ≤ Hi.
func bootstrapGeomean(pairs []roundPair, nrounds int, center float64, opts Options, rng *rand.Rand) result.Ratio {
	r := result.Ratio{Center: center, Lo: center, Hi: center}
	if nrounds == 0 || len(pairs) == 0 {
		return r
	}
	picks := make([]int, nrounds)
	var bufB, bufN []float64
	dist := make([]float64, 0, opts.Iterations)
	for range opts.Iterations {
		for i := range picks {
			picks[i] = rng.IntN(nrounds)
		}
		sum, k := 0.0, 0
		for _, p := range pairs {
			bufB, bufN = bufB[:0], bufN[:0]
			for _, i := range picks {
				bufB = append(bufB, p.base[i]...)
				bufN = append(bufN, p.new[i]...)
			}
			if len(bufB) == 0 || len(bufN) == 0 {
				continue
			}
			mb, mn := median(bufB), median(bufN)
			if !(mb > 0) || !(mn > 0) {
				continue
			}
			sum += math.Log(mn / mb)
			k++
		}
		if k > 0 {
			dist = append(dist, math.Exp(sum/float64(k)))
		}
	}
	if len(dist) == 0 {
		return r
	}
	slices.Sort(dist)
	tail := (1 - opts.Confidence) / 2
	r.Lo = math.Min(center, percentile(dist, tail))
	r.Hi = math.Max(center, percentile(dist, 1-tail))
	return r
}
