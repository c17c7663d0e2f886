// Package check is gotune's CI gate, the step after stats in the pipeline
// when gotune runs as `gotune check`: it reads an analysed result.Run and
// decides whether a build regressed, so that a continuous-integration job
// can fail on a real slowdown and never on noise.
//
//	engine ──► stats.Analyze ──► check.Evaluate ──► Outcome ──► report ──► exit status
//
// In one run, the baseline and one or more candidate builds were measured
// in paired blocks by the engine and every candidate is checked against the
// baseline. Against a saved result, Against joins the baseline samples of a
// result saved earlier with the current one's into a two-variant run: the
// two sides were not measured together, which the outcome says.
//
// A candidate regresses when a benchmark's sec/op change is significant
// after Holm (stats' per-benchmark family) and slower than
// Options.MaxRegression, or, when no benchmark alone does, when its
// overall change is called slower beyond that limit. Evaluate only reads the analysis: it recomputes
// nothing.
package check

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// Status is the decision of a check.
type Status string

// Decisions, from the best to the worst for a build.
const (
	Pass       Status = "pass"       // no significant regression beyond the limit
	Regression Status = "regression" // at least one benchmark regressed beyond the limit
	Undecided  Status = "undecided"  // the data cannot tell: too few blocks, nothing measured
)

// DefaultMaxRegression is the slowdown a check allows by default: 5%.
const DefaultMaxRegression = 0.05

// MinCycles is the fewest paired cycles a decision rests on.
const MinCycles = 6

// Options configure Evaluate.
type Options struct {
	// MaxRegression is the largest slowdown that passes, as a fraction:
	// 0.05 allows 5%. 0 fails on any significant slowdown.
	MaxRegression float64
}

// Change is one benchmark (or, with Benchmark "", a candidate overall)
// whose metric got significantly worse: sec/op, or in service mode the
// metric of --metric.
type Change struct {
	Variant   string       `json:"variant"`
	Package   string       `json:"package,omitempty"`
	Benchmark string       `json:"benchmark,omitempty"` // "" for the overall change
	Unit      string       `json:"unit,omitempty"`      // the metric's unit; "" is sec/op
	Base      float64      `json:"base,omitempty"`      // the baseline's median, in Unit
	New       float64      `json:"new,omitempty"`       // the candidate's median
	Change    result.Ratio `json:"change"`              // candidate/baseline with its interval
	PHolm     float64      `json:"p_holm"`
}

// Delta returns the change as a signed fraction, positive when worse:
// +0.10 is 10% slower (sec/op, latency, CPU, memory), or 10% less of a
// metric where more is better (throughput).
func (c Change) Delta() float64 {
	if c.Unit != "" && stats.HigherIsBetter(c.Unit) {
		return 1 - c.Change.Center
	}
	return c.Change.Center - 1
}

// UnitOrTime returns the change's unit, sec/op when it has none.
func (c Change) UnitOrTime() string {
	if c.Unit == "" {
		return stats.TimeUnit
	}
	return c.Unit
}

// Candidate is the decision for one build checked against the baseline.
type Candidate struct {
	Name    string        `json:"name"`
	Status  Status        `json:"status"`
	Reason  string        `json:"reason"`            // one sentence
	Overall *result.Ratio `json:"overall,omitempty"` // sec/op, candidate/baseline
	// Regressions are the changes beyond the limit, worst first; Minor
	// the significant slowdowns within it; LayoutSensitive the
	// significant slowdowns that code layout alone may explain (the change
	// lies within its spread between layouts): reported, never failed on.
	Regressions     []Change `json:"regressions,omitempty"`
	Minor           []Change `json:"minor,omitempty"`
	LayoutSensitive []Change `json:"layout_sensitive,omitempty"`
}

// Outcome is the decision of a check and the evidence for it.
type Outcome struct {
	Status        Status      `json:"status"`
	Reason        string      `json:"reason"` // one sentence for people
	MaxRegression float64     `json:"max_regression"`
	Alpha         float64     `json:"alpha"`
	Baseline      string      `json:"baseline"`
	Against       string      `json:"against,omitempty"` // the saved result compared with
	Candidates    []Candidate `json:"candidates"`
	// Regressions are the regressions of every candidate, worst first.
	Regressions []Change `json:"regressions"`
	Warnings    []string `json:"warnings,omitempty"`
	// Run is the analysed run the outcome was decided on.
	Run *result.Run `json:"run"`
}

// Evaluate decides on every variant of run but the baseline; run must
// carry its Analysis.
func Evaluate(run *result.Run, opts Options) *Outcome {
	out := &Outcome{MaxRegression: opts.MaxRegression, Alpha: stats.DefaultAlpha, Baseline: run.Baseline, Run: run, Regressions: []Change{}}
	a := run.Analysis
	if a != nil {
		out.Alpha = a.Alpha
	}
	base := run.Variant(run.Baseline)
	switch {
	case base == nil || a == nil:
		out.Status, out.Reason = Undecided, "The run has no analysed baseline, so nothing could be compared."
		return out
	case !base.Measured():
		out.Status, out.Reason = Undecided, fmt.Sprintf("The baseline %s could not be measured (%s), so nothing could be compared.", base.Name, statusPhrase(base))
		return out
	}
	for i := range run.Variants {
		v := &run.Variants[i]
		if v.Name != run.Baseline {
			out.Candidates = append(out.Candidates, candidate(run, v, opts))
		}
	}
	for _, c := range out.Candidates {
		out.Regressions = append(out.Regressions, c.Regressions...)
	}
	sortChanges(out.Regressions)
	out.Status, out.Reason = decide(run, out, opts)
	return out
}

// candidate decides on one candidate.
func candidate(run *result.Run, v *result.Variant, opts Options) Candidate {
	c := Candidate{Name: v.Name}
	s := run.Stats(v.Name)
	switch {
	case v.SameCodeAs == run.Baseline:
		c.Status, c.Reason = Pass, fmt.Sprintf("%s compiles to the same code as the baseline and runs alike: it cannot be slower.", v.Name)
		return c
	case v.Status != result.StatusOK || s == nil || s.Change == nil:
		c.Status, c.Reason = Undecided, fmt.Sprintf("%s could not be measured (%s).", v.Name, statusPhrase(v))
		return c
	case s.Cycles < MinCycles:
		c.Status, c.Reason = Undecided, fmt.Sprintf("%s was measured in %d paired cycles, fewer than the %d a decision needs: measure longer (--budget, --count).", v.Name, s.Cycles, MinCycles)
		return c
	}
	c.Overall = s.Change
	name := v.Name
	if v.SameCodeAs != "" {
		name = v.SameCodeAs
	}
	unit := run.Options.MetricUnit() // service mode's metric
	if unit == "" {
		unit = stats.TimeUnit
	}
	for _, cmp := range run.Analysis.Comparisons {
		worse := cmp.Change.Center > 1
		if stats.HigherIsBetter(unit) {
			worse = cmp.Change.Center < 1
		}
		if cmp.Variant != name || cmp.Unit != unit || !cmp.Significant || !worse {
			continue
		}
		ch := Change{Variant: v.Name, Package: cmp.Package, Benchmark: cmp.Benchmark, Unit: serviceUnit(unit), Base: cmp.Base, New: cmp.New, Change: cmp.Change, PHolm: cmp.PHolm}
		switch {
		case cmp.LayoutSensitive:
			c.LayoutSensitive = append(c.LayoutSensitive, ch)
		case ch.Delta() > opts.MaxRegression:
			c.Regressions = append(c.Regressions, ch)
		default:
			c.Minor = append(c.Minor, ch)
		}
	}
	// The overall change counts when no benchmark alone regressed beyond
	// the limit: many small slowdowns add up.
	if ch := (Change{Variant: v.Name, Unit: serviceUnit(unit), Change: *s.Change}); len(c.Regressions) == 0 && s.Verdict == result.VerdictSlower && ch.Delta() > opts.MaxRegression {
		if s.P != nil {
			ch.PHolm = *s.P
		}
		c.Regressions = append(c.Regressions, ch)
	}
	sortChanges(c.Regressions)
	sortChanges(c.Minor)
	limit := pct(opts.MaxRegression)
	switch {
	case len(c.Regressions) > 0:
		c.Status = Regression
		c.Reason = fmt.Sprintf("%s regressed beyond %s: %s.", v.Name, limit, describe(run.Module, c.Regressions))
	case s.Verdict == result.VerdictUnclear && s.Detectable > opts.MaxRegression && opts.MaxRegression > 0:
		c.Status = Pass
		c.Reason = fmt.Sprintf("%s shows no significant regression, but this run could only detect changes of about %s or more (limit %s): a longer --budget vouches for more.", v.Name, pct(s.Detectable), limit)
	default:
		c.Status = Pass
		c.Reason = fmt.Sprintf("%s: %s overall, %s [%s, %s]; no benchmark slower beyond %s.", v.Name, s.Says, signedPct(s.Change.Center-1), signedPct(s.Change.Lo-1), signedPct(s.Change.Hi-1), limit)
	}
	if len(c.LayoutSensitive) > 0 {
		c.Reason += fmt.Sprintf(" Layout-sensitive, not counted: %s (the change lies within what code layout alone moves it).", describe(run.Module, c.LayoutSensitive))
	}
	return c
}

// serviceUnit is the Unit a Change records: "" for sec/op, so that the
// JSON of benchmark checks stays as it was.
func serviceUnit(unit string) string {
	if unit == stats.TimeUnit {
		return ""
	}
	return unit
}

// decide combines the candidates' decisions: any regression fails, then
// any undecided candidate makes the check undecided.
func decide(run *result.Run, o *Outcome, opts Options) (Status, string) {
	limit := pct(opts.MaxRegression)
	var undecided []string
	for _, c := range o.Candidates {
		if c.Status == Undecided {
			undecided = append(undecided, c.Name)
		}
	}
	switch {
	case len(o.Candidates) == 0:
		return Undecided, "Only the baseline is in this run: there is no candidate to check."
	case len(o.Regressions) > 0:
		return Regression, fmt.Sprintf("%s beyond %s (significant after Holm at α %g): %s.",
			plural(len(o.Regressions), "regression"), limit, o.Alpha, describe(run.Module, o.Regressions))
	case len(undecided) == 1:
		for _, c := range o.Candidates {
			if c.Status == Undecided {
				return Undecided, c.Reason
			}
		}
	case len(undecided) > 1:
		return Undecided, fmt.Sprintf("%d of %d candidates could not be decided: %s.", len(undecided), len(o.Candidates), listNames(undecided))
	}
	if len(o.Candidates) == 1 {
		return Pass, "No regression beyond " + limit + ": " + o.Candidates[0].Reason
	}
	return Pass, fmt.Sprintf("No regression beyond %s in %s.", limit, plural(len(o.Candidates), "candidate"))
}

// describe lists changes for people: "./api.BenchmarkQuote +12.3% [+8.0%, +16.1%]".
func describe(module string, cs []Change) string {
	var names []string
	for _, c := range cs {
		label := c.Variant + " overall"
		if c.Benchmark != "" {
			label = BenchLabel(module, c.Package, c.Benchmark)
		}
		lo, hi := c.Change.Lo-1, c.Change.Hi-1
		if c.Delta() != c.Change.Center-1 { // more is better: say how much less
			lo, hi = 1-c.Change.Hi, 1-c.Change.Lo
		}
		names = append(names, fmt.Sprintf("%s %s [%s, %s]", label, signedPct(c.Delta()), signedPct(lo), signedPct(hi)))
	}
	return listNames(names)
}

// sortChanges orders changes worst first, then by name for ties.
func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		switch {
		case a.Delta() > b.Delta():
			return -1
		case a.Delta() < b.Delta():
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
	case result.StatusOK:
		s = "no paired samples"
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
