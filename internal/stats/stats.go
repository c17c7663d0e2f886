// Package stats is the analysis stage of gotune's pipeline: it runs after
// measure has filled a result.Run with samples and before report renders
// it. Analyze compares every measured variant with the baseline, benchmark
// by benchmark and unit by unit, with the median confidence intervals and
// the Mann-Whitney U-test of golang.org/x/perf/benchmath, and adds what
// benchmath lacks for N variants: Holm–Bonferroni correction over all
// comparisons of the run, the geomean of sec/op ratios with a bootstrap
// confidence interval over rounds, a verdict and a rank per variant, the
// winner (ties go to the simpler build), the smallest change the run could
// have detected and one sentence that says it all.
//
// Beside Analyze, two functions serve measure while it runs: Race, the
// racing policy that decides after each round which variants are
// significantly slower than the best so far, and Calibrate, which turns
// the baseline's samples (or an A/A run) into a noise floor and the
// smallest change a number of rounds can detect.
//
// Everything here is a pure function of its inputs: no I/O, no clock, no
// package-level state, and the bootstrap is seeded by Options.Seed.
package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/gotune/gotune/internal/result"
	"golang.org/x/perf/benchmath"
)

// Defaults applied to zero fields of Options.
const (
	DefaultAlpha      = 0.05
	DefaultConfidence = 0.95
	DefaultIterations = 2000
)

// Units that Analyze treats specially. TimeUnit is the unit benchfmt gives
// to benchmark times and the one verdicts, geomeans and ranks are based on;
// NsUnit is used in its place when a run has only ns/op samples.
const (
	TimeUnit   = "sec/op"
	NsUnit     = "ns/op"
	BytesUnit  = "B/op"
	AllocsUnit = "allocs/op"
)

// warnPrefix starts every warning Analyze adds to Run.Warnings, so that a
// second Analyze of the same run replaces them instead of repeating them.
const warnPrefix = "stats: "

// Options configures Analyze. Zero fields get the defaults above; Seed 0 is
// a seed like any other.
type Options struct {
	Alpha      float64 // family-wise significance level of the Holm family, default 0.05
	Confidence float64 // confidence level of every interval, default 0.95
	Iterations int     // bootstrap resamples of the geomean interval, default 2000
	Seed       int64   // seeds the bootstrap RNG (math/rand/v2 PCG), so results are reproducible
}

// withDefaults returns o with zero or invalid fields replaced by defaults,
// and a warning for each invalid one.
func (o Options) withDefaults() (Options, []string) {
	var warns []string
	switch {
	case o.Alpha == 0:
		o.Alpha = DefaultAlpha
	case !(o.Alpha > 0 && o.Alpha < 1):
		warns = append(warns, fmt.Sprintf("alpha %g is not in (0, 1); using %g", o.Alpha, DefaultAlpha))
		o.Alpha = DefaultAlpha
	}
	switch {
	case o.Confidence == 0:
		o.Confidence = DefaultConfidence
	case !(o.Confidence > 0 && o.Confidence < 1):
		warns = append(warns, fmt.Sprintf("confidence %g is not in (0, 1); using %g", o.Confidence, DefaultConfidence))
		o.Confidence = DefaultConfidence
	}
	switch {
	case o.Iterations == 0:
		o.Iterations = DefaultIterations
	case o.Iterations < 0:
		warns = append(warns, fmt.Sprintf("%d bootstrap iterations is negative; using %d", o.Iterations, DefaultIterations))
		o.Iterations = DefaultIterations
	}
	return o, warns
}

// HigherIsBetter reports whether a larger value of unit is an improvement:
// true for rates such as MB/s (units ending in "/s"), false for costs such
// as sec/op, B/op and allocs/op.
func HigherIsBetter(unit string) bool {
	return strings.HasSuffix(unit, "/s")
}

// key identifies one benchmark and unit.
type key struct {
	pkg, bench, unit string
}

// observation is one sample value and the round it was measured in.
type observation struct {
	round int
	value float64
}

// outcome is what the analysis found for one measured variant; same-code
// twins copy it.
type outcome struct {
	comps                      []int // indexes into Run.Comparisons
	geomean                    *result.Ratio
	bytes, allocs              *float64
	improved, worse, unchanged int
	verdict                    string
}

// analysis holds the state of one Analyze call.
type analysis struct {
	run       *result.Run
	opts      Options
	warnings  []string
	byName    map[string]int
	measured  []string // per variant: whose samples stand for it; "" when not analysed
	baseName  string   // the variant whose samples stand for the baseline
	data      map[string]map[key][]observation
	order     []key // keys in order of first appearance in Run.Samples
	timeUnit  string
	outcomes  map[string]*outcome
	minPCache map[[2]int]float64
	reachable []bool // per comparison: could it ever be significant in this run?
	winner    int    // index of the winning variant, -1 for none
	best      string // the measured Faster variant with the lowest geomean
}

// Analyze fills the statistics fields of run in place. It compares the
// samples of every analysed variant (Status ok) with the baseline's for
// each package, benchmark and unit they share, fills run.Comparisons,
// run.Alpha and run.Confidence, then for each variant Rank, Verdict,
// Geomean, BytesRatio, AllocsRatio and the Improved, Worse and Unchanged
// counts of its sec/op comparisons, and finally run.Winner,
// run.MinDetectable, run.Verdict and run.Warnings.
//
// The Holm family is every comparison of the run: all variants, benchmarks
// and units. A variant is Faster when its geomean interval lies wholly below
// 1 and at least one sec/op comparison is a significant improvement after
// Holm, Slower in the mirror case, TooFew when none of its sec/op
// comparisons could ever be significant in this family whatever the values
// (with a single comparison: fewer than 4 samples on a side), and NoDiff
// otherwise. The winner is the Faster variant with the lowest geomean,
// except that every Faster variant whose geomean lies within that one's
// interval ties with it, and among tied variants and their same-code twins
// the lowest Complexity wins.
//
// A variant with SameCodeAs set is not measured itself: it gets the numbers
// of the variant it names, Verdict result.VerdictSameCode and the same Rank.
// Summaries keep benchmath's infinite bounds when there are too few samples
// for an interval (result encodes them as JSON null), and the comparison's
// Warnings say why. Analyze replaces the warnings a previous Analyze
// added (they start with "stats: ") and keeps all others, so it can be
// called again on a loaded run with other Options.
func Analyze(run *result.Run, opts Options) {
	opts, warns := opts.withDefaults()
	a := &analysis{
		run:       run,
		opts:      opts,
		byName:    make(map[string]int, len(run.Variants)),
		measured:  make([]string, len(run.Variants)),
		data:      make(map[string]map[key][]observation),
		outcomes:  make(map[string]*outcome),
		minPCache: make(map[[2]int]float64),
		winner:    -1,
	}
	for _, w := range warns {
		a.warnf("%s", w)
	}
	a.reset()
	a.analyze()
	kept := slices.DeleteFunc(slices.Clone(run.Warnings), func(w string) bool {
		return strings.HasPrefix(w, warnPrefix)
	})
	run.Warnings = append(kept, a.warnings...)
	if len(run.Warnings) == 0 {
		run.Warnings = nil
	}
}

// warnf adds a run warning, once.
func (a *analysis) warnf(format string, args ...any) {
	w := warnPrefix + fmt.Sprintf(format, args...)
	if !slices.Contains(a.warnings, w) {
		a.warnings = append(a.warnings, w)
	}
}

// reset clears every field that Analyze fills.
func (a *analysis) reset() {
	r := a.run
	r.Alpha = a.opts.Alpha
	r.Confidence = a.opts.Confidence
	r.Comparisons = nil
	r.Winner = ""
	r.Verdict = ""
	r.MinDetectable = 0
	for i := range r.Variants {
		v := &r.Variants[i]
		v.Rank = 0
		v.Verdict = result.VerdictNone
		v.Geomean = nil
		v.BytesRatio = nil
		v.AllocsRatio = nil
		v.Improved, v.Worse, v.Unchanged = 0, 0, 0
	}
}

// analyze runs the stages of the analysis in order.
func (a *analysis) analyze() {
	r := a.run
	for i, v := range r.Variants {
		if _, dup := a.byName[v.Name]; dup {
			a.warnf("variant name %q appears twice; only the first is analysed", v.Name)
			continue
		}
		a.byName[v.Name] = i
	}
	bi, ok := a.byName[r.Baseline]
	if !ok || r.Variants[bi].Status != result.StatusOK {
		a.warnf("the baseline %q was not measured; nothing was compared", r.Baseline)
		r.Verdict = fmt.Sprintf("The baseline %s was not measured, so no variant could be compared.", r.Baseline)
		return
	}
	a.resolveAll()
	if a.measured[bi] == "" {
		r.Verdict = fmt.Sprintf("The baseline %s was not measured, so no variant could be compared.", r.Baseline)
		return
	}
	a.baseName = a.measured[bi]
	a.collect()
	a.pickTimeUnit()
	a.compare()
	a.holm()
	a.reachability()
	for _, v := range r.Variants {
		if out, ok := a.outcomes[v.Name]; ok {
			a.summarize(v.Name, out)
		}
	}
	a.assign()
	a.rank()
	a.pickWinner()
	r.MinDetectable = a.minDetectableRun()
	r.Verdict = a.sentence()
}

// resolveAll sets measured for every analysed variant by following
// SameCodeAs links to the variant that was measured in its place.
func (a *analysis) resolveAll() {
	for i, v := range a.run.Variants {
		if v.Status == result.StatusOK && a.byName[v.Name] == i {
			a.measured[i] = a.resolve(i)
		}
	}
}

// resolve follows the SameCodeAs links of variant i and returns the name of
// the variant measured in its place, or "" with a warning when a link is
// broken.
func (a *analysis) resolve(i int) string {
	vs := a.run.Variants
	j := i
	for steps := 0; vs[j].SameCodeAs != ""; steps++ {
		next, ok := a.byName[vs[j].SameCodeAs]
		switch {
		case !ok:
			a.warnf("variant %s is the same code as %q, which is not in the run; it is not analysed", vs[i].Name, vs[j].SameCodeAs)
			return ""
		case vs[next].Status != result.StatusOK:
			a.warnf("variant %s is the same code as %s, which was not measured (%s); it is not analysed", vs[i].Name, vs[next].Name, vs[next].Status)
			return ""
		case steps >= len(vs):
			a.warnf("variant %s: its same-code links form a cycle; it is not analysed", vs[i].Name)
			return ""
		}
		j = next
	}
	return vs[j].Name
}

// collect groups the samples of the measured variants by benchmark and unit.
func (a *analysis) collect() {
	measured := make(map[string]bool)
	for i, m := range a.measured {
		if m != "" && m == a.run.Variants[i].Name {
			measured[m] = true
			a.data[m] = make(map[key][]observation)
		}
	}
	seen := make(map[key]bool)
	ignored := make(map[string]int)
	var ignoredOrder []string
	bad := 0
	for _, s := range a.run.Samples {
		if !measured[s.Variant] {
			if ignored[s.Variant] == 0 {
				ignoredOrder = append(ignoredOrder, s.Variant)
			}
			ignored[s.Variant]++
			continue
		}
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			bad++
			continue
		}
		k := key{s.Package, s.Benchmark, s.Unit}
		if !seen[k] {
			seen[k] = true
			a.order = append(a.order, k)
		}
		a.data[s.Variant][k] = append(a.data[s.Variant][k], observation{s.Round, s.Value})
	}
	for _, name := range ignoredOrder {
		why := "which is not an analysed variant"
		if i, ok := a.byName[name]; ok && a.run.Variants[i].SameCodeAs != "" && a.measured[i] != "" {
			why = "which is the same code as " + a.measured[i] + " and is analysed with its samples"
		}
		a.warnf("ignored %d samples of variant %q, %s", ignored[name], name, why)
	}
	if bad > 0 {
		a.warnf("ignored %d samples whose value is not a finite number", bad)
	}
}

// pickTimeUnit chooses the unit of benchmark time: sec/op, or ns/op when
// the baseline has only that.
func (a *analysis) pickTimeUnit() {
	has := func(unit string) bool {
		for k := range a.data[a.baseName] {
			if k.unit == unit {
				return true
			}
		}
		return false
	}
	switch {
	case has(TimeUnit):
		a.timeUnit = TimeUnit
	case has(NsUnit):
		a.timeUnit = NsUnit
	default:
		a.warnf("the baseline %s has no %s samples: no geomean, rank or winner", a.run.Baseline, TimeUnit)
	}
}

// compare fills Run.Comparisons: each measured variant against the
// baseline, for every benchmark and unit both have, in sample order.
func (a *analysis) compare() {
	r := a.run
	t := &benchmath.Thresholds{CompareAlpha: a.opts.Alpha}
	base := a.data[a.baseName]
	for i, v := range r.Variants {
		if a.measured[i] != v.Name || v.Name == a.baseName {
			continue
		}
		out := &outcome{}
		a.outcomes[v.Name] = out
		data := a.data[v.Name]
		for _, k := range a.order {
			bo, no := base[k], data[k]
			if len(bo) == 0 || len(no) == 0 {
				continue
			}
			out.comps = append(out.comps, len(r.Comparisons))
			r.Comparisons = append(r.Comparisons, a.compareOne(v.Name, k, bo, no, t))
		}
	}
}

// compareOne compares one benchmark and unit of a variant with the baseline.
func (a *analysis) compareOne(variant string, k key, bo, no []observation, t *benchmath.Thresholds) result.Comparison {
	bs := benchmath.NewSample(values(bo), t)
	ns := benchmath.NewSample(values(no), t)
	bsum := benchmath.AssumeNothing.Summary(bs, a.opts.Confidence)
	nsum := benchmath.AssumeNothing.Summary(ns, a.opts.Confidence)
	cmp := benchmath.AssumeNothing.Compare(bs, ns)
	c := result.Comparison{
		Variant:   variant,
		Package:   k.pkg,
		Benchmark: k.bench,
		Unit:      k.unit,
		Base:      summary(bsum, len(bo)),
		New:       summary(nsum, len(no)),
		P:         cmp.P,
	}
	if math.IsNaN(c.P) {
		c.P = 1
	}
	var warns []error
	warns = append(warns, bsum.Warnings...)
	warns = append(warns, nsum.Warnings...)
	warns = append(warns, cmp.Warnings...)
	for _, w := range warns {
		if s := w.Error(); !slices.Contains(c.Warnings, s) {
			c.Warnings = append(c.Warnings, s)
		}
	}
	switch {
	case bsum.Center != 0:
		c.Delta = nsum.Center/bsum.Center - 1
	case nsum.Center != 0:
		c.Delta = math.Inf(int(math.Copysign(1, nsum.Center)))
		c.Warnings = append(c.Warnings, "baseline median is 0: the relative change is unbounded")
	}
	return c
}

// values returns the sample values of obs.
func values(obs []observation) []float64 {
	xs := make([]float64, len(obs))
	for i, o := range obs {
		xs[i] = o.value
	}
	return xs
}

// summary converts a benchmath summary, keeping infinite bounds.
func summary(s benchmath.Summary, n int) result.Summary {
	return result.Summary{Center: s.Center, Lo: s.Lo, Hi: s.Hi, N: n}
}

// holm sets PHolm and Significant over all comparisons of the run.
func (a *analysis) holm() {
	cs := a.run.Comparisons
	p := make([]float64, len(cs))
	for i := range cs {
		p[i] = cs[i].P
	}
	for i, adj := range Holm(p) {
		cs[i].PHolm = adj
		cs[i].Significant = adj < a.opts.Alpha
	}
}

// summarize computes the counts, ratios and verdict of one measured variant.
func (a *analysis) summarize(name string, out *outcome) {
	times := 0
	for _, ci := range out.comps {
		c := &a.run.Comparisons[ci]
		if c.Unit != a.timeUnit {
			continue
		}
		times++
		switch {
		case c.Significant && c.Delta < 0:
			out.improved++
		case c.Significant && c.Delta > 0:
			out.worse++
		default:
			out.unchanged++
		}
	}
	if a.timeUnit != "" && times == 0 {
		a.warnf("variant %s has no %s benchmark in common with the baseline", name, a.timeUnit)
	}
	out.geomean = a.geomeanRatio(name)
	out.bytes = a.unitRatio(name, BytesUnit)
	out.allocs = a.unitRatio(name, AllocsUnit)
	g := out.geomean
	switch {
	case g != nil && g.Hi < 1 && out.improved > 0:
		out.verdict = result.VerdictFaster
	case g != nil && g.Lo > 1 && out.worse > 0:
		out.verdict = result.VerdictSlower
	case a.tooFew(out):
		out.verdict = result.VerdictTooFew
	default:
		out.verdict = result.VerdictNoDiff
	}
}

// geomeanRatio returns the geomean over time benchmarks of the median ratio
// of a variant to the baseline, with its bootstrap interval over rounds.
func (a *analysis) geomeanRatio(name string) *result.Ratio {
	if a.timeUnit == "" {
		return nil
	}
	base, data := a.data[a.baseName], a.data[name]
	var (
		ratios  []float64
		kept    [][2][]observation
		missing []string
		nonPos  int
	)
	roundSet := make(map[int]bool)
	for _, k := range a.order {
		if k.unit != a.timeUnit {
			continue
		}
		bo, no := base[k], data[k]
		if len(bo) == 0 && len(no) == 0 {
			continue
		}
		if len(bo) == 0 || len(no) == 0 {
			missing = append(missing, benchName(k))
			continue
		}
		mb, mn := median(values(bo)), median(values(no))
		if !(mb > 0) || !(mn > 0) {
			nonPos++
			continue
		}
		ratios = append(ratios, mn/mb)
		kept = append(kept, [2][]observation{bo, no})
		for _, o := range bo {
			roundSet[o.round] = true
		}
		for _, o := range no {
			roundSet[o.round] = true
		}
	}
	if len(missing) > 0 {
		a.warnf("variant %s: left out of its geomean %d %s %s measured on one side only: %s",
			name, len(missing), a.timeUnit, plural(len(missing), "benchmark", "benchmarks"), listNames(missing))
	}
	if nonPos > 0 {
		a.warnf("variant %s: left out of its geomean %d %s %s whose median is not positive",
			name, nonPos, a.timeUnit, plural(nonPos, "benchmark", "benchmarks"))
	}
	if len(ratios) == 0 {
		return nil
	}
	rounds := make([]int, 0, len(roundSet))
	for rd := range roundSet {
		rounds = append(rounds, rd)
	}
	slices.Sort(rounds)
	if len(rounds) < 2 {
		a.warnf("variant %s: all its samples come from one round, so its geomean interval has no width; measure more rounds", name)
	}
	idx := make(map[int]int, len(rounds))
	for i, rd := range rounds {
		idx[rd] = i
	}
	pairs := make([]roundPair, len(kept))
	for i, kp := range kept {
		pairs[i] = roundPair{base: make([][]float64, len(rounds)), new: make([][]float64, len(rounds))}
		for _, o := range kp[0] {
			pairs[i].base[idx[o.round]] = append(pairs[i].base[idx[o.round]], o.value)
		}
		for _, o := range kp[1] {
			pairs[i].new[idx[o.round]] = append(pairs[i].new[idx[o.round]], o.value)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(a.opts.Seed), bootstrapSeed(name)))
	g := bootstrapGeomean(pairs, len(rounds), Geomean(ratios), a.opts, rng)
	return &g
}

// unitRatio returns the geomean over benchmarks of the median ratio of a
// variant to the baseline in unit, or nil when they share no benchmark in
// that unit. A 0/0 ratio counts as 1; a zero median on one side only leaves
// the benchmark out, with a warning.
func (a *analysis) unitRatio(name, unit string) *float64 {
	base, data := a.data[a.baseName], a.data[name]
	var ratios []float64
	var zero []string
	for _, k := range a.order {
		if k.unit != unit {
			continue
		}
		bo, no := base[k], data[k]
		if len(bo) == 0 || len(no) == 0 {
			continue
		}
		mb, mn := median(values(bo)), median(values(no))
		switch {
		case mb == 0 && mn == 0:
			ratios = append(ratios, 1)
		case mb <= 0 || mn <= 0:
			zero = append(zero, benchName(k))
		default:
			ratios = append(ratios, mn/mb)
		}
	}
	if len(zero) > 0 {
		a.warnf("variant %s: left out of its %s ratio %d %s with a zero median on one side only: %s",
			name, unit, len(zero), plural(len(zero), "benchmark", "benchmarks"), listNames(zero))
	}
	if len(ratios) == 0 {
		return nil
	}
	g := Geomean(ratios)
	return &g
}

// benchName names a benchmark in warnings.
func benchName(k key) string {
	if k.pkg == "" {
		return k.bench
	}
	return k.pkg + "." + k.bench
}

// listNames lists up to three names and how many more there are.
func listNames(names []string) string {
	const show = 3
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:show], ", ") + fmt.Sprintf(" and %d more", len(names)-show)
}

// baseHas reports whether the baseline has samples in unit.
func (a *analysis) baseHas(unit string) bool {
	for k := range a.data[a.baseName] {
		if k.unit == unit {
			return true
		}
	}
	return false
}

// assign copies the outcomes into the variants: the baseline and its twins
// get ratios of 1, measured variants their own outcome, twins their twin's.
func (a *analysis) assign() {
	r := a.run
	ones := func(v *result.Variant) {
		v.Geomean = &result.Ratio{Center: 1, Lo: 1, Hi: 1}
		if a.baseHas(BytesUnit) {
			v.BytesRatio = ptr(1.0)
		}
		if a.baseHas(AllocsUnit) {
			v.AllocsRatio = ptr(1.0)
		}
		if a.timeUnit == "" {
			v.Geomean = nil
		}
	}
	for i := range r.Variants {
		v := &r.Variants[i]
		m := a.measured[i]
		switch {
		case m == "":
			continue
		case v.Name == r.Baseline:
			v.Verdict = result.VerdictBaseline
			ones(v)
		case m == a.baseName:
			v.Verdict = result.VerdictSameCode
			ones(v)
		default:
			out := a.outcomes[m]
			v.Verdict = out.verdict
			if v.Name != m {
				v.Verdict = result.VerdictSameCode
			}
			if out.geomean != nil {
				v.Geomean = ptr(*out.geomean)
			}
			if out.bytes != nil {
				v.BytesRatio = ptr(*out.bytes)
			}
			if out.allocs != nil {
				v.AllocsRatio = ptr(*out.allocs)
			}
			v.Improved, v.Worse, v.Unchanged = out.improved, out.worse, out.unchanged
		}
	}
}

// ptr returns a pointer to a copy of x.
func ptr[T any](x T) *T {
	return &x
}

// rank numbers the analysed variants that have a geomean by its Center,
// fastest first; equal Centers (same-code twins) share a rank.
func (a *analysis) rank() {
	vs := a.run.Variants
	var order []int
	for i := range vs {
		if a.measured[i] != "" && vs[i].Geomean != nil {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(x, y int) int {
		if c := compareFloat(vs[x].Geomean.Center, vs[y].Geomean.Center); c != 0 {
			return c
		}
		return vs[x].Complexity - vs[y].Complexity
	})
	for n, i := range order {
		if n > 0 && vs[i].Geomean.Center == vs[order[n-1]].Geomean.Center {
			vs[i].Rank = vs[order[n-1]].Rank
			continue
		}
		vs[i].Rank = n + 1
	}
}

// compareFloat orders two floats for sorting.
func compareFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// pickWinner chooses the winner among the Faster variants: every Faster
// variant whose geomean lies within the best one's interval is tied with
// it, and among the tied variants and their same-code twins the lowest
// Complexity wins, then the lowest geomean, then a measured variant over
// its twin, then matrix order.
func (a *analysis) pickWinner() {
	vs := a.run.Variants
	bestI := -1
	for i := range vs {
		if a.measured[i] != vs[i].Name || vs[i].Verdict != result.VerdictFaster {
			continue
		}
		if bestI < 0 || vs[i].Geomean.Center < vs[bestI].Geomean.Center {
			bestI = i
		}
	}
	if bestI < 0 {
		return
	}
	a.best = vs[bestI].Name
	bg := vs[bestI].Geomean
	tied := make(map[string]bool)
	for i := range vs {
		if a.measured[i] != vs[i].Name || vs[i].Verdict != result.VerdictFaster {
			continue
		}
		if c := vs[i].Geomean.Center; c >= bg.Lo && c <= bg.Hi {
			tied[vs[i].Name] = true
		}
	}
	win := -1
	better := func(i, j int) bool {
		if vs[i].Complexity != vs[j].Complexity {
			return vs[i].Complexity < vs[j].Complexity
		}
		if vs[i].Geomean.Center != vs[j].Geomean.Center {
			return vs[i].Geomean.Center < vs[j].Geomean.Center
		}
		mi, mj := vs[i].SameCodeAs == "", vs[j].SameCodeAs == ""
		return mi && !mj
	}
	for i := range vs {
		if !tied[a.measured[i]] || vs[i].Geomean == nil {
			continue
		}
		if win < 0 || better(i, win) {
			win = i
		}
	}
	a.winner = win
	a.run.Winner = vs[win].Name
}

// sentence writes Run.Verdict.
func (a *analysis) sentence() string {
	r := a.run
	if a.timeUnit == "" {
		return fmt.Sprintf("The baseline %s has no %s samples, so no variant could be compared.", r.Baseline, TimeUnit)
	}
	conf := strconv.FormatFloat(100*a.opts.Confidence, 'f', -1, 64) + "%"
	if a.winner >= 0 {
		v := &r.Variants[a.winner]
		g := v.Geomean
		n := v.Improved + v.Worse + v.Unchanged
		s := fmt.Sprintf("%s is faster than %s by %s [%s, %s] (geomean %s, %s CI); %d of %d %s improved after Holm correction",
			v.Name, r.Baseline, pct(1-g.Center), pct(1-g.Hi), pct(1-g.Lo), a.timeUnit, conf,
			v.Improved, n, plural(n, "benchmark", "benchmarks"))
		measured := a.measured[a.winner]
		switch {
		case measured != a.best:
			bg := r.Variant(a.best).Geomean
			s += fmt.Sprintf("; %s measured %s faster, but %s lies within its CI, so the simpler build wins", a.best, pct(1-bg.Center), v.Name)
		case v.Name != measured:
			s += fmt.Sprintf("; it compiles to the same code as %s with simpler settings", measured)
		}
		return s + "."
	}
	// Count measured variants only: a same-code twin adds no evidence.
	others, slower, tooFew := 0, 0, 0
	for _, v := range r.Variants {
		out, ok := a.outcomes[v.Name]
		if !ok {
			continue
		}
		others++
		switch out.verdict {
		case result.VerdictSlower:
			slower++
		case result.VerdictTooFew:
			tooFew++
		}
	}
	var s string
	switch {
	case others == 0:
		s = "Only the baseline was measured"
	case slower > 0:
		s = fmt.Sprintf("No variant is significantly faster than the baseline (%d %s slower)", slower, plural(slower, "is", "are"))
	case tooFew == others:
		s = "No variant could be compared with the baseline: too few samples"
	default:
		s = "No variant is significantly faster than the baseline"
	}
	rounds, perBench := a.baseCounts()
	with := fmt.Sprintf("with %d %s", rounds, plural(rounds, "round", "rounds"))
	if perBench != rounds {
		with += fmt.Sprintf(" (%d samples per benchmark)", perBench)
	}
	if r.MinDetectable > 0 {
		return fmt.Sprintf("%s; %s this run could detect changes of about %s or more.", s, with, pct(r.MinDetectable))
	}
	return fmt.Sprintf("%s; %s this run could not detect any change at alpha %g (see warnings).", s, with, a.opts.Alpha)
}

// baseCounts returns the number of distinct rounds in the baseline's time
// samples and the median number of samples per benchmark.
func (a *analysis) baseCounts() (rounds, perBench int) {
	set := make(map[int]bool)
	var ns []float64
	for _, k := range a.order {
		obs := a.data[a.baseName][k]
		if k.unit != a.timeUnit || len(obs) == 0 {
			continue
		}
		ns = append(ns, float64(len(obs)))
		for _, o := range obs {
			set[o.round] = true
		}
	}
	if len(ns) == 0 {
		return 0, 0
	}
	return len(set), int(math.Round(median(ns)))
}

// pct formats a fraction as a percentage with one decimal.
func pct(x float64) string {
	return fmt.Sprintf("%.1f%%", 100*x)
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
