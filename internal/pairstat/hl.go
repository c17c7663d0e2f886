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
// the approximation SignedRank uses beyond). n counts every value of d, zeros
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
// with pivots drawn from the remaining candidates, as in Monahan's
// algorithm (ACM TOMS 10(3), 1984), in O(n log n) expected time; the pivot
// sequence is a fixed deterministic one and the result does not depend on
// it. A walsh can be reset to another sample and reuses its buffers.
type walsh struct {
	x      []float64 // sorted
	lo, hi []int     // per row, candidate columns lo..hi (empty when hi < lo)
	a, b   []int     // scratch: first column ≥ pivot, first column > pivot
	buf    []float64
	seed   uint64
}

// newWalsh returns a walsh over a sorted copy of d.
func newWalsh(d []float64) *walsh {
	x := slices.Clone(d)
	slices.Sort(x)
	w := &walsh{}
	w.reset(x)
	return w
}

// reset prepares w for the sorted sample x.
func (w *walsh) reset(x []float64) {
	n := len(x)
	w.x = x
	if cap(w.lo) < 4*n {
		ints := make([]int, 4*n)
		w.lo, w.hi, w.a, w.b = ints[:n], ints[n:2*n], ints[2*n:3*n], ints[3*n:]
	} else {
		w.lo, w.hi, w.a, w.b = w.lo[:n], w.hi[:n], w.a[:n], w.b[:n]
	}
	w.buf = slices.Grow(w.buf[:0], w.collectAt())
	w.seed = 0x9e3779b97f4a7c15
}

// collectAt is the number of candidates at which kth stops narrowing and
// selects among them directly.
func (w *walsh) collectAt() int {
	return 2*len(w.x) + 16
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
	v := w.kth(m / 2)
	return (v + w.successor(v, m/2)) / 2
}

// interval returns the k-th smallest and k-th largest Walsh averages.
func (w *walsh) interval(k int) (lo, hi float64) {
	m := w.m()
	return w.kth(k), w.kth(m + 1 - k)
}

// successor returns the (k+1)-th smallest Walsh average given that v is
// the k-th: v again when more than k sums are ≤ 2v, otherwise the smallest
// sum above 2v, found in one sweep.
func (w *walsh) successor(v float64, k int) float64 {
	x := w.x
	n := len(x)
	p := 2 * v
	le, next := 0, math.Inf(1)
	j := n // first column with x_i+x_j > p, non-increasing in i
	for i := range n {
		for j > i && x[i]+x[j-1] > p {
			j--
		}
		c := max(j, i)
		le += c - i
		if c < n {
			next = min(next, x[i]+x[c])
		}
	}
	if le > k {
		return v
	}
	return next / 2
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
	lo, hi := w.lo, w.hi
	for i := range n {
		lo[i], hi[i] = i, n-1
	}
	below := 0 // sums known to lie below every candidate
	cand := w.m()
	for cand > w.collectAt() {
		// A pivot: the median of three rows' candidates at the target's
		// relative position among all candidates, the rows those of three
		// pseudo-random candidates. Rows are alike enough that its rank
		// is usually near the target's.
		f := (float64(k-below) - 0.5) / float64(cand)
		r0, r1, r2 := int(w.next()%uint64(cand)), int(w.next()%uint64(cand)), int(w.next()%uint64(cand))
		var vs [3]float64
		found := 0
		for i, seen := 0, 0; i < n && found < 3; i++ {
			c := hi[i] - lo[i] + 1
			if c <= 0 {
				continue
			}
			v := x[i] + x[lo[i]+int(f*float64(c-1)+0.5)]
			if r0 >= seen && r0 < seen+c {
				vs[0] = v
				found++
			}
			if r1 >= seen && r1 < seen+c {
				vs[1] = v
				found++
			}
			if r2 >= seen && r2 < seen+c {
				vs[2] = v
				found++
			}
			seen += c
		}
		p := max(min(vs[0], vs[1]), min(max(vs[0], vs[1]), vs[2]))
		// For each row, a[i] is the first column j ≥ i with x_i+x_j ≥ p
		// and b[i] the first with x_i+x_j > p. Both are non-increasing in
		// i (but at least i), so one sweep from the last column finds
		// them.
		less, equal := 0, 0
		ja, jb := n, n
		for i := range n {
			for ja > i && x[i]+x[ja-1] >= p {
				ja--
			}
			for jb > ja && x[i]+x[jb-1] > p {
				jb--
			}
			ai, bi := max(ja, i), max(jb, i)
			w.a[i], w.b[i] = ai, bi
			less += ai - i
			equal += bi - ai
		}
		switch {
		case k <= less:
			for i := range n {
				hi[i] = min(hi[i], w.a[i]-1)
			}
		case k <= less+equal:
			return p / 2
		default:
			for i := range n {
				lo[i] = max(lo[i], w.b[i])
			}
		}
		below, cand = 0, 0
		for i := range n {
			below += lo[i] - i
			cand += max(0, hi[i]-lo[i]+1)
		}
	}
	// Few candidates left: collect and select among them.
	buf := w.buf[:0]
	for i := range n {
		for j := lo[i]; j <= hi[i]; j++ {
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
