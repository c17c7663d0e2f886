package pairstat

import (
	"math"
	"slices"
)

// HodgesLehmann returns the Hodges–Lehmann estimate of the centre of d:
// the median of the n(n+1)/2 Walsh averages (d_i+d_j)/2, i ≤ j. It is the
// estimate that goes with SignedRank and HLInterval; for log-ratios,
// exp(estimate)-1 is the change as a fraction. It returns NaN for an
// empty d. The values of d must not be NaN; d is not modified.
func HodgesLehmann(d []float64) float64 {
	if len(d) == 0 {
		return math.NaN()
	}
	w := newWalsh(d)
	return w.median()
}

// HLInterval returns the distribution-free confidence interval for the
// centre of d that inverts the signed-rank test: with the M = n(n+1)/2
// Walsh averages sorted, it is [W_(k), W_(M+1-k)] where
// k-1 = CriticalValue(n, 1-confidence), the lower critical value of the
// signed-rank statistic at level 1-confidence (exact for n ≤ MaxExact,
// the normal approximation beyond). n counts every value of d, zeros
// included. For n differences that are non-zero and untied, the interval
// excludes 0 exactly when SignedRank(d).P ≤ 1-confidence. It returns
// (-Inf, +Inf) when n is too small to reach the confidence (and when
// confidence ≥ 1), and (NaN, NaN) when confidence is not above 0. The
// values of d must not be NaN; d is not modified.
func HLInterval(d []float64, confidence float64) (lo, hi float64) {
	if !(confidence > 0) {
		return math.NaN(), math.NaN()
	}
	if confidence >= 1 || CriticalValue(len(d), 1-confidence) < 0 {
		return math.Inf(-1), math.Inf(1)
	}
	return walshInterval(newWalsh(d), 1-confidence)
}

// walshInterval is HLInterval over a prepared walsh at confidence
// 1-alpha, taking alpha itself so that no rounding of 1-(1-alpha) can
// separate the interval from the test at the same level.
func walshInterval(w *walsh, alpha float64) (lo, hi float64) {
	k := CriticalValue(len(w.x), alpha) + 1
	if k <= 0 {
		return math.Inf(-1), math.Inf(1)
	}
	return w.interval(k)
}

// walsh selects order statistics of the Walsh averages of a sorted sample
// without forming all n(n+1)/2 of them. Row i of the implicit matrix holds
// the pair sums x_i+x_j for j = i..n-1, ascending in j, and the rows'
// thresholds move monotonically, so counting the sums below a pivot takes
// one O(n) sweep. Each selection narrows per-row bounds around the target
// with pivots drawn from the remaining candidates (Monahan's algorithm,
// ACM TOMS 10(3), 1984), O(n log n) expected; the pivot sequence is a fixed
// deterministic one and the result does not depend on it.
type walsh struct {
	x      []float64 // sorted
	lo, hi []int     // per row, candidate columns lo..hi (empty when hi < lo)
	a, b   []int     // scratch: first column ≥ pivot, first column > pivot
	buf    []float64
	seed   uint64
}

func newWalsh(d []float64) *walsh {
	x := slices.Clone(d)
	slices.Sort(x)
	return newWalshSorted(x)
}

func newWalshSorted(x []float64) *walsh {
	n := len(x)
	ints := make([]int, 4*n)
	return &walsh{x: x, lo: ints[:n], hi: ints[n : 2*n], a: ints[2*n : 3*n], b: ints[3*n:], seed: 0x9e3779b97f4a7c15}
}

// m returns the number of Walsh averages.
func (w *walsh) m() int {
	n := len(w.x)
	return n * (n + 1) / 2
}

// median returns the median Walsh average.
func (w *walsh) median() float64 {
	m := w.m()
	if m%2 == 1 {
		return w.kth((m + 1) / 2)
	}
	return (w.kth(m/2) + w.kth(m/2+1)) / 2
}

// interval returns the k-th smallest and k-th largest Walsh averages.
func (w *walsh) interval(k int) (lo, hi float64) {
	m := w.m()
	return w.kth(k), w.kth(m + 1 - k)
}

// next returns the next value of the pivot sequence (splitmix64).
func (w *walsh) next() uint64 {
	w.seed += 0x9e3779b97f4a7c15
	z := w.seed
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// kth returns the k-th smallest (1-based) Walsh average (x_i+x_j)/2.
func (w *walsh) kth(k int) float64 {
	x := w.x
	n := len(x)
	for i := range n {
		w.lo[i], w.hi[i] = i, n-1
	}
	below := 0 // sums known to lie below every candidate
	cand := w.m()
	for cand > 2*n+16 {
		// A pivot: the candidate at a pseudo-random position in row order.
		r := int(w.next() % uint64(cand))
		var p float64
		for i := range n {
			c := w.hi[i] - w.lo[i] + 1
			if c <= 0 {
				continue
			}
			if r < c {
				p = x[i] + x[w.lo[i]+r]
				break
			}
			r -= c
		}
		// For each row, a[i] is the first column j ≥ i with x_i+x_j ≥ p
		// and b[i] the first with x_i+x_j > p. Both are non-increasing in
		// i (but at least i), so one sweep from the last column finds them.
		less, equal := 0, 0
		ja, jb := n, n
		for i := range n {
			for ja > i && x[i]+x[ja-1] >= p {
				ja--
			}
			for jb > i && x[i]+x[jb-1] > p {
				jb--
			}
			// Moving i up only lowers the thresholds p-x_i, so columns below
			// ja, jb need not be revisited; clamp to the row's diagonal.
			ai, bi := max(ja, i), max(jb, i)
			w.a[i], w.b[i] = ai, bi
			less += ai - i
			equal += bi - ai
		}
		switch {
		case k <= less:
			for i := range n {
				w.hi[i] = min(w.hi[i], w.a[i]-1)
			}
		case k <= less+equal:
			return p / 2
		default:
			for i := range n {
				w.lo[i] = max(w.lo[i], w.b[i])
			}
		}
		below, cand = 0, 0
		for i := range n {
			below += w.lo[i] - i
			cand += max(0, w.hi[i]-w.lo[i]+1)
		}
	}
	// Few candidates left: collect and select among them.
	buf := w.buf[:0]
	for i := range n {
		for j := w.lo[i]; j <= w.hi[i]; j++ {
			buf = append(buf, x[i]+x[j])
		}
	}
	w.buf = buf
	return selectKth(buf, k-below-1) / 2
}

// selectKth returns the element that would be at index k (0-based) if xs
// were sorted, partially reordering xs.
func selectKth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for hi > lo {
		if hi-lo < 24 {
			slices.Sort(xs[lo : hi+1])
			return xs[k]
		}
		// Median of three as the pivot, then a three-way partition.
		mid := lo + (hi-lo)/2
		a, b, c := xs[lo], xs[mid], xs[hi]
		p := max(min(a, b), min(max(a, b), c))
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch v := xs[i]; {
			case v < p:
				xs[lt], xs[i] = xs[i], xs[lt]
				lt++
				i++
			case v > p:
				xs[gt], xs[i] = xs[i], xs[gt]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return p
		}
	}
	return xs[k]
}
