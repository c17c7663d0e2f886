package stats

import (
	"strconv"

	"golang.org/x/perf/benchmath"
)

// maxSamplesNeeded bounds the search of SamplesNeeded.
const maxSamplesNeeded = 1000

// minAttainableP returns the smallest p-value that benchmath.AssumeNothing's
// U-test can give for samples of sizes n1 and n2: the p-value of two
// samples that do not overlap at all.
func minAttainableP(n1, n2 int) float64 {
	if n1 <= 0 || n2 <= 0 {
		return 1
	}
	a := make([]float64, n1)
	b := make([]float64, n2)
	for i := range a {
		a[i] = float64(i + 1)
	}
	for i := range b {
		b[i] = float64(n1 + i + 1)
	}
	return compareP(a, b)
}

// compareP returns the p-value of benchmath.AssumeNothing.Compare on copies
// of a and b.
func compareP(a, b []float64) float64 {
	t := &benchmath.Thresholds{CompareAlpha: DefaultAlpha}
	sa := benchmath.NewSample(append([]float64(nil), a...), t)
	sb := benchmath.NewSample(append([]float64(nil), b...), t)
	return benchmath.AssumeNothing.Compare(sa, sb).P
}

// SamplesNeeded returns the smallest number of samples per side with which
// a U-test can reach significance at family-wise level alpha in a Holm
// family of the given number of comparisons, that is the smallest n whose
// smallest attainable p-value is below alpha/comparisons. It returns 0 when
// alpha is not positive or no n up to 1000 is enough. Planning code can use
// it to choose a number of rounds before measuring.
func SamplesNeeded(alpha float64, comparisons int) int {
	if alpha <= 0 {
		return 0
	}
	thr := alpha / float64(max(comparisons, 1))
	for n := 2; n <= maxSamplesNeeded; n++ {
		if minAttainableP(n, n) < thr {
			return n
		}
	}
	return 0
}

// minDetectable returns the smallest relative speedup s in (0, 1) such that
// comparing x with x·(1-s) gives a p-value below thr, found by bisection to
// a precision of 1e-5. It reports false when no s can reach thr, because x
// has too few values or a value that is not positive.
func minDetectable(x []float64, thr float64) (float64, bool) {
	if len(x) == 0 {
		return 0, false
	}
	for _, v := range x {
		if !(v > 0) {
			return 0, false
		}
	}
	y := make([]float64, len(x))
	p := func(s float64) float64 {
		for i, v := range x {
			y[i] = v * (1 - s)
		}
		return compareP(x, y)
	}
	const top = 1 - 1e-9
	if p(top) >= thr {
		return 0, false
	}
	lo, hi := 0.0, top
	for hi-lo > 1e-5 {
		mid := (lo + hi) / 2
		if p(mid) < thr {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}

// minDetectableRun computes run.MinDetectable from the baseline's time
// samples: the median over benchmarks of the smallest detectable speedup at
// the strictest Holm step alpha/m.
func (a *analysis) minDetectableRun() float64 {
	m := max(len(a.run.Comparisons), 1)
	thr := a.opts.Alpha / float64(m)
	base := a.data[a.baseName]
	var found []float64
	unreachable := 0
	maxN := 0
	for _, k := range a.order {
		if k.unit != a.timeUnit || len(base[k]) == 0 {
			continue
		}
		xs := values(base[k])
		maxN = max(maxN, len(xs))
		if s, ok := minDetectable(xs, thr); ok {
			found = append(found, s)
		} else {
			unreachable++
		}
	}
	if len(found) == 0 {
		if unreachable > 0 {
			a.warnf("with at most %d samples per benchmark no change can reach significance at alpha %g over %d comparisons (Holm's strictest step needs p < %.3g); %s",
				maxN, a.opts.Alpha, m, thr, needPhrase(SamplesNeeded(a.opts.Alpha, m)))
		}
		return 0
	}
	if unreachable > 0 {
		a.warnf("left out of the minimum detectable change %d %s whose baseline samples are too few to ever reach significance over %d comparisons; %s",
			unreachable, plural(unreachable, "benchmark", "benchmarks"), m, needPhrase(SamplesNeeded(a.opts.Alpha, m)))
	}
	return median(found)
}

// needPhrase tells how many samples per side would be needed.
func needPhrase(n int) string {
	if n == 0 {
		return "no practical number of samples is enough"
	}
	return "need at least " + strconv.Itoa(n) + " samples per side"
}

// reachability sets a.reachable: whether each comparison of the run could
// ever be significant. Holm's adjusted p-values only grow when any p-value
// grows, so the best case for every comparison at once is every p-value at
// the smallest its sample sizes allow; a comparison that is not significant
// even then never can be, whatever was measured.
func (a *analysis) reachability() {
	cs := a.run.Comparisons
	best := make([]float64, len(cs))
	for i := range cs {
		best[i] = a.minP(cs[i].Base.N, cs[i].New.N)
	}
	a.reachable = make([]bool, len(cs))
	for i, adj := range Holm(best) {
		a.reachable[i] = adj < a.opts.Alpha
	}
}

// tooFew reports whether none of a variant's time comparisons could ever
// be significant in this run's Holm family, which includes having none. With
// a single comparison that means fewer than 4 samples per side; with more
// comparisons more samples are needed.
func (a *analysis) tooFew(out *outcome) bool {
	for _, ci := range out.comps {
		if a.run.Comparisons[ci].Unit == a.timeUnit && a.reachable[ci] {
			return false
		}
	}
	return true
}

// minP memoises minAttainableP within one analysis.
func (a *analysis) minP(n1, n2 int) float64 {
	k := [2]int{n1, n2}
	if p, ok := a.minPCache[k]; ok {
		return p
	}
	p := minAttainableP(n1, n2)
	a.minPCache[k] = p
	return p
}
