// Package check is gotune's CI gate, the step after stats in the pipeline
// when gotune runs as `gotune check`: it reads an analysed result.Run and
// decides whether a build regressed, so that a continuous-integration job
// can fail on a real slowdown and never on noise.
//
//	measure ──► stats ──► check.Evaluate ──► Outcome ──► report (text, Markdown) ──► exit status
//
// There are two ways to get the run it evaluates. In one run (mode A), the
// baseline and one or more candidate builds are measured interleaved by the
// tune pipeline and every candidate is checked against the baseline. Against
// a saved result (mode B), Against joins the baseline samples of a result
// saved from an earlier commit with those of the current one into a
// two-variant run and analyses it with stats.Analyze.
//
// A benchmark regresses when its sec/op comparison is significant after the
// Holm correction that stats applies over every comparison of the run and
// its median got slower by more than Options.MaxRegression. Everything here
// is a pure function of its inputs: no I/O and no clock.
package check

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// Status is the decision of a check.
type Status string

// Decisions, from the best to the worst for a build.
const (
	Pass       Status = "pass"       // no significant regression beyond the limit
	Regression Status = "regression" // at least one benchmark regressed beyond the limit
	Undecided  Status = "undecided"  // the data cannot tell: too few samples, nothing measured
)

// DefaultMaxRegression is the slowdown a check allows by default: 5%.
const DefaultMaxRegression = 0.05

// bootstrapIterations is the number of resamples behind the interval of
// each regression's change.
const bootstrapIterations = 2000

// Options configure Evaluate.
type Options struct {
	// MaxRegression is the largest slowdown of a benchmark's median that
	// passes, as a fraction: 0.05 allows 5%. 0 fails on any significant
	// slowdown; the CLI's default is DefaultMaxRegression.
	MaxRegression float64
	// Seed seeds the bootstrap intervals of the changes, so that a report
	// can be reproduced; the CLI passes the run's seed.
	Seed int64
}

// Change is one benchmark whose sec/op got significantly slower.
type Change struct {
	Variant   string  `json:"variant"`
	Package   string  `json:"package"`
	Benchmark string  `json:"benchmark"`
	Unit      string  `json:"unit"`
	Base      float64 `json:"base"`  // median of the baseline, in Unit
	New       float64 `json:"new"`   // median of the candidate, in Unit
	Delta     float64 `json:"delta"` // New/Base - 1: +0.10 is 10% slower
	Lo        float64 `json:"lo"`    // confidence interval of Delta (bootstrap of the ratio of medians)
	Hi        float64 `json:"hi"`
	PHolm     float64 `json:"p_holm"` // Holm-adjusted p-value of the U-test
}

// Candidate is the decision for one build checked against the baseline.
type Candidate struct {
	Name    string        `json:"name"`
	Status  Status        `json:"status"`
	Reason  string        `json:"reason"`            // one sentence
	Geomean *result.Ratio `json:"geomean,omitempty"` // sec/op, candidate/baseline
	// Regressions are the benchmarks slower beyond the limit, worst first.
	Regressions []Change `json:"regressions,omitempty"`
	// Minor are the benchmarks significantly slower, but within the limit.
	Minor []Change `json:"minor,omitempty"`
	// Undecided names the benchmarks whose samples are too few to ever
	// reach significance in this run.
	Undecided []string `json:"undecided,omitempty"`
}

// Outcome is the decision of a check and the evidence for it.
type Outcome struct {
	Status        Status      `json:"status"`
	Reason        string      `json:"reason"` // one sentence for people
	MaxRegression float64     `json:"max_regression"`
	Alpha         float64     `json:"alpha"`
	Confidence    float64     `json:"confidence"`
	Baseline      string      `json:"baseline"`
	Against       string      `json:"against,omitempty"` // mode B: the saved result it was compared with
	Candidates    []Candidate `json:"candidates"`
	// Regressions are the regressions of every candidate, worst first.
	Regressions []Change `json:"regressions"`
	Warnings    []string `json:"warnings,omitempty"`
	// Run is the analysed run the outcome was decided on: the measured run
	// in mode A, the joined two-variant run in mode B.
	Run *result.Run `json:"run"`
}

// Evaluate decides on every variant of run but the baseline. run must have
// been analysed by stats.Analyze. The outcome is Regression when some
// candidate has a benchmark whose sec/op comparison is significant after
// Holm and slower than the baseline by more than opts.MaxRegression;
// otherwise Undecided when some candidate could not be measured, or when
// no regression was found but some benchmark had too few samples to ever
// reach significance; otherwise Pass. A candidate with the same compiled
// code as the baseline passes without measurement.
func Evaluate(run *result.Run, opts Options) *Outcome {
	out := &Outcome{
		MaxRegression: opts.MaxRegression,
		Alpha:         run.Alpha,
		Confidence:    run.Confidence,
		Baseline:      run.Baseline,
		Run:           run,
		Regressions:   []Change{},
	}
	if out.Alpha == 0 {
		out.Alpha = stats.DefaultAlpha
	}
	if out.Confidence == 0 {
		out.Confidence = stats.DefaultConfidence
	}
	e := &evaluator{run: run, opts: opts, out: out}

	base := run.Variant(run.Baseline)
	switch {
	case base == nil:
		out.Status = Undecided
		out.Reason = fmt.Sprintf("The run has no baseline %q, so nothing could be compared.", run.Baseline)
		return out
	case base.Status != result.StatusOK:
		out.Status = Undecided
		out.Reason = fmt.Sprintf("The baseline %s could not be measured (%s), so nothing could be compared.", base.Name, statusPhrase(base))
		return out
	}
	e.reachability()
	for i := range run.Variants {
		v := &run.Variants[i]
		if v.Name == run.Baseline {
			continue
		}
		out.Candidates = append(out.Candidates, e.candidate(v))
	}
	for _, c := range out.Candidates {
		out.Regressions = append(out.Regressions, c.Regressions...)
	}
	sortChanges(out.Regressions)
	out.Status, out.Reason = e.decide()
	return out
}

// evaluator holds the state of one Evaluate call.
type evaluator struct {
	run       *result.Run
	opts      Options
	out       *Outcome
	reachable []bool // per comparison of the run: could it ever be significant?
}

// reachability marks the comparisons that could be significant in this run
// whatever was measured: the best case is every p-value at the smallest its
// sample sizes allow (no overlap), adjusted by Holm over the whole family.
func (e *evaluator) reachability() {
	cs := e.run.Comparisons
	best := make([]float64, len(cs))
	cache := map[[2]int]float64{}
	for i, c := range cs {
		k := [2]int{c.Base.N, c.New.N}
		p, ok := cache[k]
		if !ok {
			p = minAttainableP(c.Base.N, c.New.N)
			cache[k] = p
		}
		best[i] = p
	}
	e.reachable = make([]bool, len(cs))
	for i, adj := range stats.Holm(best) {
		e.reachable[i] = adj < e.out.Alpha
	}
}

// minAttainableP returns the smallest p-value benchmath's U-test gives for
// samples of sizes n1 and n2: that of two samples that do not overlap.
func minAttainableP(n1, n2 int) float64 {
	if n1 <= 0 || n2 <= 0 {
		return 1
	}
	a, b := make([]float64, n1), make([]float64, n2)
	for i := range a {
		a[i] = float64(i + 1)
	}
	for i := range b {
		b[i] = float64(n1 + i + 1)
	}
	t := &benchmath.Thresholds{CompareAlpha: stats.DefaultAlpha}
	return benchmath.AssumeNothing.Compare(benchmath.NewSample(a, t), benchmath.NewSample(b, t)).P
}

// candidate decides on one variant.
func (e *evaluator) candidate(v *result.Variant) Candidate {
	c := Candidate{Name: v.Name, Geomean: v.Geomean}
	if v.Status != result.StatusOK {
		c.Status = Undecided
		c.Reason = fmt.Sprintf("%s could not be measured (%s).", v.Name, statusPhrase(v))
		return c
	}
	measured := e.measuredAs(v)
	if measured == e.run.Baseline {
		c.Status = Pass
		c.Reason = fmt.Sprintf("%s compiles to the same code as the baseline: its speed is the same by construction.", v.Name)
		return c
	}
	if measured == "" {
		c.Status = Undecided
		c.Reason = fmt.Sprintf("%s is the same code as %s, which is not in the run.", v.Name, v.SameCodeAs)
		return c
	}
	times := 0
	for i := range e.run.Comparisons {
		cmp := &e.run.Comparisons[i]
		if cmp.Variant != measured || !isTime(cmp.Unit) {
			continue
		}
		times++
		if !e.reachable[i] {
			c.Undecided = append(c.Undecided, benchLabel(e.run.Module, cmp))
		}
		if !cmp.Significant || !(cmp.Delta > 0) {
			continue
		}
		ch := e.change(v.Name, measured, cmp)
		if cmp.Delta > e.opts.MaxRegression {
			c.Regressions = append(c.Regressions, ch)
		} else {
			c.Minor = append(c.Minor, ch)
		}
	}
	sortChanges(c.Regressions)
	sortChanges(c.Minor)
	limit := pct(e.opts.MaxRegression)
	switch {
	case len(c.Regressions) > 0:
		c.Status = Regression
		c.Reason = fmt.Sprintf("%s: %s slower than the baseline by more than %s.", v.Name, countPhrase(len(c.Regressions), times, "is", "are"), limit)
	case times == 0:
		c.Status = Undecided
		c.Reason = fmt.Sprintf("%s has no sec/op benchmark in common with the baseline.", v.Name)
	case len(c.Undecided) > 0:
		c.Status = Undecided
		c.Reason = fmt.Sprintf("%s: %s too few samples to ever be significant in this run; raise --count.", v.Name, countPhrase(len(c.Undecided), times, "has", "have"))
	case len(c.Minor) > 0:
		c.Status = Pass
		c.Reason = fmt.Sprintf("%s: no regression beyond %s (%s significantly slower, within the limit).", v.Name, limit, countPhrase(len(c.Minor), times, "is", "are"))
	default:
		c.Status = Pass
		c.Reason = fmt.Sprintf("%s: no significant regression in %s.", v.Name, plural(times, "benchmark"))
	}
	return c
}

// measuredAs returns the name of the variant whose samples stand for v:
// v itself, or the end of its chain of same-code links; "" when a link is
// broken.
func (e *evaluator) measuredAs(v *result.Variant) string {
	cur := v
	for range len(e.run.Variants) {
		if cur.SameCodeAs == "" {
			return cur.Name
		}
		next := e.run.Variant(cur.SameCodeAs)
		if next == nil {
			return ""
		}
		cur = next
	}
	return ""
}

// change describes one significantly slower comparison, with a bootstrap
// interval of the ratio of medians from the samples.
func (e *evaluator) change(name, measured string, cmp *result.Comparison) Change {
	ch := Change{
		Variant: name, Package: cmp.Package, Benchmark: cmp.Benchmark, Unit: cmp.Unit,
		Base: cmp.Base.Center, New: cmp.New.Center, Delta: cmp.Delta, PHolm: cmp.PHolm,
		Lo: math.Inf(-1), Hi: math.Inf(1),
	}
	base := sampleValues(e.run.Samples, e.run.Baseline, cmp)
	cand := sampleValues(e.run.Samples, measured, cmp)
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", name, cmp.Package, cmp.Benchmark, cmp.Unit)
	rng := rand.New(rand.NewPCG(uint64(e.opts.Seed), h.Sum64()))
	if lo, hi, ok := ratioInterval(base, cand, e.out.Confidence, rng); ok {
		ch.Lo, ch.Hi = lo-1, hi-1
	}
	return ch
}

// sampleValues returns the values of one variant's samples of the
// benchmark and unit of cmp.
func sampleValues(samples []result.Sample, variant string, cmp *result.Comparison) []float64 {
	var xs []float64
	for _, s := range samples {
		if s.Variant == variant && s.Package == cmp.Package && s.Benchmark == cmp.Benchmark && s.Unit == cmp.Unit &&
			!math.IsNaN(s.Value) && !math.IsInf(s.Value, 0) {
			xs = append(xs, s.Value)
		}
	}
	return xs
}

// ratioInterval returns the percentile bootstrap interval of
// median(cand)/median(base) at the given confidence, resampling each side
// on its own (the rounds of a saved result are not paired with this run's).
// It reports false when a side has fewer than two values or a median that
// is not positive.
func ratioInterval(base, cand []float64, confidence float64, rng *rand.Rand) (lo, hi float64, ok bool) {
	if len(base) < 2 || len(cand) < 2 {
		return 0, 0, false
	}
	rb, rc := make([]float64, len(base)), make([]float64, len(cand))
	ratios := make([]float64, 0, bootstrapIterations)
	for range bootstrapIterations {
		for i := range rb {
			rb[i] = base[rng.IntN(len(base))]
		}
		for i := range rc {
			rc[i] = cand[rng.IntN(len(cand))]
		}
		mb, mc := median(rb), median(rc)
		if !(mb > 0) || !(mc > 0) {
			return 0, 0, false
		}
		ratios = append(ratios, mc/mb)
	}
	slices.Sort(ratios)
	tail := (1 - confidence) / 2
	return quantile(ratios, tail), quantile(ratios, 1-tail), true
}

// median returns the median of xs, sorting xs in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// quantile returns the q-quantile of the sorted xs, interpolating linearly.
func quantile(xs []float64, q float64) float64 {
	pos := q * float64(len(xs)-1)
	i := int(math.Floor(pos))
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	return xs[i] + (pos-float64(i))*(xs[i+1]-xs[i])
}

// decide combines the candidates' decisions: any regression fails, then
// any undecided candidate makes the check undecided.
func (e *evaluator) decide() (Status, string) {
	o := e.out
	limit := pct(e.opts.MaxRegression)
	var undecided []string
	for _, c := range o.Candidates {
		if c.Status == Undecided {
			undecided = append(undecided, c.Reason)
		}
	}
	switch {
	case len(o.Candidates) == 0:
		return Undecided, "Only the baseline is in this run: there is no candidate to check."
	case len(o.Regressions) > 0:
		var names []string
		for _, c := range o.Regressions {
			names = append(names, fmt.Sprintf("%s %s [%s, %s]", BenchLabel(e.run.Module, c.Package, c.Benchmark), signedPct(c.Delta), signedPct(c.Lo), signedPct(c.Hi)))
		}
		return Regression, fmt.Sprintf("%s regressed by more than %s (significant after Holm at alpha %g): %s.",
			plural(len(o.Regressions), "benchmark"), limit, o.Alpha, listNames(names))
	case len(undecided) == 1:
		return Undecided, undecided[0]
	case len(undecided) > 1:
		return Undecided, fmt.Sprintf("%d of %d candidates could not be decided: %s.", len(undecided), len(o.Candidates), listNames(undecidedNames(o.Candidates)))
	}
	if len(o.Candidates) == 1 {
		r := o.Candidates[0].Reason
		return Pass, "No regression beyond " + limit + ": " + strings.TrimSuffix(r, ".") + "."
	}
	return Pass, fmt.Sprintf("No regression beyond %s in %s.", limit, plural(len(o.Candidates), "candidate"))
}

// undecidedNames returns the names of the undecided candidates.
func undecidedNames(cs []Candidate) []string {
	var names []string
	for _, c := range cs {
		if c.Status == Undecided {
			names = append(names, c.Name)
		}
	}
	return names
}

// isTime reports whether unit measures benchmark time.
func isTime(unit string) bool {
	return unit == stats.TimeUnit || unit == stats.NsUnit
}

// sortChanges orders changes worst first, then by name for ties.
func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		switch {
		case a.Delta > b.Delta:
			return -1
		case a.Delta < b.Delta:
			return 1
		}
		return strings.Compare(a.Package+"."+a.Benchmark, b.Package+"."+b.Benchmark)
	})
}

// statusPhrase says why a variant was not measured.
func statusPhrase(v *result.Variant) string {
	s := v.Status
	switch v.Status {
	case result.StatusBuildFailed:
		s = "build failed"
	case result.StatusFailed:
		s = "every trial failed"
	}
	if r := firstLine(v.Reason); r != "" && !strings.Contains(r, s) {
		s += ": " + r
	}
	return s
}

// firstLine returns the first line of s that says something, cut to 120
// bytes.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "# ") {
			continue
		}
		if len(l) > 120 {
			l = l[:117] + "..."
		}
		return l
	}
	return ""
}

// benchLabel names a comparison's benchmark for people.
func benchLabel(module string, c *result.Comparison) string {
	return BenchLabel(module, c.Package, c.Benchmark)
}

// BenchLabel names a benchmark for people: its package relative to the
// module and its name with the Benchmark prefix, e.g.
// "./api.BenchmarkQuote/small"; a benchmark of the module's root package
// has no package part.
func BenchLabel(module, pkg, bench string) string {
	if !strings.HasPrefix(bench, "Benchmark") {
		bench = "Benchmark" + bench
	}
	switch {
	case pkg == "":
		return bench
	case pkg == module:
		return bench
	case module != "" && strings.HasPrefix(pkg, module+"/"):
		return "./" + strings.TrimPrefix(pkg, module+"/") + "." + bench
	}
	return pkg + "." + bench
}

// listNames lists up to four names and counts the rest.
func listNames(names []string) string {
	const show = 4
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:show], ", ") + fmt.Sprintf(" and %d more", len(names)-show)
}

// countPhrase says how many of the benchmarks do something, with the verb
// in the right number: countPhrase(1, 3, "is", "are") = "1 of 3 benchmarks
// is", countPhrase(2, 2, "is", "are") = "all 2 benchmarks are".
func countPhrase(n, of int, one, many string) string {
	switch {
	case of == 1 && n == 1:
		return "its only benchmark " + one
	case n == of:
		return fmt.Sprintf("all %d benchmarks %s", of, many)
	case n == 1:
		return fmt.Sprintf("1 of %d benchmarks %s", of, one)
	}
	return fmt.Sprintf("%d of %d benchmarks %s", n, of, many)
}

// plural returns "1 benchmark", "2 benchmarks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// pct formats a fraction as a percent without needless decimals: 0.05 → "5%".
func pct(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f*100), "0"), ".") + "%"
}

// signedPct formats a relative change with a sign and one decimal: "+12.3%".
func signedPct(d float64) string {
	if math.IsInf(d, 0) || math.IsNaN(d) {
		return "?"
	}
	return fmt.Sprintf("%+.1f%%", d*100)
}

// changeJSON is Change with its interval nullable: an interval that could
// not be computed is infinite, and JSON has no infinities.
type changeJSON struct {
	changeAlias
	Lo *float64 `json:"lo"`
	Hi *float64 `json:"hi"`
}

type changeAlias Change

// MarshalJSON encodes c with an unknown interval bound as null.
func (c Change) MarshalJSON() ([]byte, error) {
	j := changeJSON{changeAlias: changeAlias(c)}
	if !math.IsInf(c.Lo, 0) && !math.IsNaN(c.Lo) {
		j.Lo = &c.Lo
	}
	if !math.IsInf(c.Hi, 0) && !math.IsNaN(c.Hi) {
		j.Hi = &c.Hi
	}
	return json.Marshal(j)
}
