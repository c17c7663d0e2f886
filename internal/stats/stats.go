// Package stats is the analysis stage of gotune's pipeline. It runs while
// measure fills a run with samples (Look, after every cycle of blocks) and
// once at the end (Analyze), and returns values: it never changes the run.
//
// The samples are paired: in each block a variant's time is divided by the
// baseline's, measured seconds apart, so the machine's drift cancels. Per
// variant, the overall change is the mean over benchmarks of the log-ratio
// in each cycle; those per-cycle values get the Wilcoxon signed-rank test
// and the Hodges–Lehmann estimate with its exact interval (package
// pairstat), Holm across variants, at levels spent sequentially so that
// the error rate over every look stays at α. Per benchmark, each unit is
// its own family of paired tests with Holm (x/perf's benchmath has no
// paired test; its units are used for the reports).
package stats

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/pairstat"
	"github.com/gotune/gotune/internal/result"
)

// Power is the power at which detectable changes are stated.
const Power = 0.9

// Analyze returns the analysis of run: a verdict per variant (the one the
// sequential looks reached, or a final look with the α they left), the
// per-benchmark comparisons, ranks, the winner and the run's verdict.
func Analyze(run *result.Run, o Options) *result.Analysis {
	if o.Unit == "" {
		o.Unit = run.Options.MetricUnit()
	}
	o = o.withDefaults()
	a := &result.Analysis{
		Alpha:       o.Alpha,
		Equivalence: o.Equivalence,
		Method: fmt.Sprintf("paired blocks; per variant the per-cycle geometric mean of time ratios, Wilcoxon signed-rank test and Hodges–Lehmann interval, Holm across variants, α=%g spent over the looks (%s, half kept for the last); per benchmark the same test, Holm per unit",
			o.Alpha, DefaultSpending),
	}
	base := run.Variant(run.Baseline)
	if base == nil || !base.Measured() {
		a.Verdict, a.VerdictText = result.RunNone, "The baseline could not be measured, so nothing can be compared: see its error in the notes."
		a.Recommendation.Action = result.ActionNone
		for _, v := range run.Variants {
			a.Variants = append(a.Variants, notMeasured(v))
		}
		return a
	}
	t := newTable(run.Samples, run.Blocks, run.Baseline)
	t.unit = o.Unit
	seq := run.Sequential
	if seq == nil {
		seq = &result.Sequential{}
	}

	// The variants the looks did not decide get a final look with what is
	// left of α; those called the same speed keep their place in its
	// Holm family.
	var open []string
	family := 0
	for _, v := range run.Variants {
		if v.Name == run.Baseline || !v.Measured() || len(t.cycles(v.Name)) == 0 {
			continue
		}
		d, ok := seq.Decided[v.Name]
		switch {
		case !ok:
			open = append(open, v.Name)
			family++
		case d.Verdict == result.VerdictSame:
			family++
		}
	}
	final := map[string]arm{}
	if len(run.Shards) > 0 {
		// A merged result: its shards are strata (strata.go).
		final, a.Method = stratified(t, run, open, o.Alpha, o.Equivalence), shardsMethod(o.Alpha)
	} else {
		for _, x := range decide(t, open, family, max(0, o.Alpha-seq.Spent), o.Equivalence) {
			final[x.name] = x
		}
	}

	comps := comparisons(t, run, o)
	a.Comparisons = comps
	for _, v := range run.Variants {
		a.Variants = append(a.Variants, variantStats(t, run, v, seq, final, comps, o))
	}
	for i, v := range run.Variants {
		if j := slices.IndexFunc(run.Variants, func(w result.Variant) bool { return w.Name == v.SameCodeAs }); j >= 0 && v.Status == result.StatusOK {
			s := a.Variants[j]
			s.Name, s.Verdict, s.Says = v.Name, result.VerdictSameCode, "same code as "+v.SameCodeAs
			a.Variants[i] = s
		}
	}
	rank(a, run)
	a.Winner = winner(t, a, run)
	a.Verdict, a.VerdictText = sentence(a, run)
	a.Noise = noise(t, run, a)
	a.Recommendation = recommend(a, run)
	return a
}

// recommend says what to do, for machines: the winner's build and
// speed-up, or why to keep the current build.
func recommend(a *result.Analysis, run *result.Run) result.Recommendation {
	switch a.Verdict {
	case result.RunNone:
		return result.Recommendation{Action: result.ActionNone}
	case result.RunUnclear:
		return result.Recommendation{Action: result.ActionLonger}
	case result.RunKeep:
		return result.Recommendation{Action: result.ActionKeep}
	}
	v := run.Variant(a.Winner)
	r := result.Recommendation{Action: result.ActionUse, Variant: v.Name, Settings: v.Settings, BuildLine: v.BuildLine, RunEnv: v.RunEnv}
	for _, s := range a.Variants {
		if s.Name == v.Name && s.Change != nil {
			c := *s.Change
			r.Change = &c
		}
	}
	return r
}

func notMeasured(v result.Variant) result.VariantStats {
	return result.VariantStats{Name: v.Name, Verdict: result.VerdictNotMeasured, Says: statusWords(v)}
}

func statusWords(v result.Variant) string {
	switch v.Status {
	case result.StatusSkipped:
		return "skipped"
	case result.StatusBuildFailed:
		return "build failed"
	case result.StatusFailed:
		return "failed"
	}
	return "not measured"
}

// variantStats is the analysis of one variant.
func variantStats(t *table, run *result.Run, v result.Variant, seq *result.Sequential, final map[string]arm, comps []result.Comparison, o Options) result.VariantStats {
	s := result.VariantStats{Name: v.Name}
	switch {
	case v.Name == run.Baseline:
		s.Verdict, s.Says = result.VerdictBaseline, "baseline"
		return s
	case v.Status != result.StatusOK:
		return notMeasured(v)
	case v.SameCodeAs != "":
		return s // filled from its twin by Analyze
	}
	cs := t.cycles(v.Name)
	s.Cycles = len(cs)
	if d, ok := seq.Decided[v.Name]; ok {
		s.Verdict, s.Level, s.DecidedAt = d.Verdict, d.Level, d.Cycle
		s.Change = &result.Ratio{Center: d.Change.Center, Lo: d.Change.Lo, Hi: d.Change.Hi}
		s.P = ptr(d.P)
	} else if x, ok := final[v.Name]; ok {
		s.Verdict, s.Level = x.verdict, x.level
		s.Change = &x.change
		s.P = ptr(x.p)
		s.LayoutSensitive = x.layout
	} else {
		s.Verdict, s.Says = result.VerdictNotMeasured, "no paired samples"
		return s
	}
	if c := s.Change; c != nil && c.Lo > 0 && !math.IsInf(c.Hi, 1) && s.Level > 0 && s.Level < 1 {
		s.Detectable = pairstat.Detectable((math.Log(c.Hi)-math.Log(c.Lo))/2, 1-s.Level, Power)
	}
	s.LayoutSpread = layoutSpread(cs)
	for _, c := range comps {
		if c.Variant != v.Name {
			continue
		}
		switch {
		case c.Unit == o.Unit && c.Significant && (c.Change.Center < 1) != HigherIsBetter(o.Unit):
			s.Improved++
		case c.Unit == o.Unit && c.Significant:
			s.Worse++
		case c.Unit == o.Unit:
			s.Unchanged++
		case c.Unit == "B/op" && c.Significant:
			s.BytesSignificant = true
		case c.Unit == "allocs/op" && c.Significant:
			s.AllocsSignificant = true
		}
	}
	s.Bytes = unitRatio(comps, v.Name, "B/op")
	s.Allocs = unitRatio(comps, v.Name, "allocs/op")
	s.Says = says(s, o.Equivalence)
	return s
}

// says puts a verdict in words.
func says(s result.VariantStats, eq float64) string {
	c := s.Change
	switch s.Verdict {
	case result.VerdictFaster:
		return fmt.Sprintf("%s faster", pct(1-c.Center))
	case result.VerdictSlower:
		return fmt.Sprintf("%s slower", pct(c.Center-1))
	case result.VerdictSame:
		return fmt.Sprintf("same speed (within ±%s)", pct(eq))
	}
	if s.LayoutSensitive {
		return "could not tell: faster in some code layouts, slower in others"
	}
	if s.Detectable > 0 && !math.IsInf(s.Detectable, 0) {
		return fmt.Sprintf("could not tell (could see ±%s)", pct(s.Detectable))
	}
	return "could not tell"
}

// layoutSpread is the standard deviation between layouts of the mean
// per-cycle change, as a fraction; 0 with fewer than two layouts.
func layoutSpread(cs []cycle) float64 {
	by := map[int][]float64{}
	for _, c := range cs {
		by[c.layout] = append(by[c.layout], c.m)
	}
	if len(by) < 2 {
		return 0
	}
	var means []float64
	for _, xs := range by {
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		means = append(means, sum/float64(len(xs)))
	}
	return math.Expm1(sd(means))
}

func sd(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}

// unitRatio is the geometric mean of the finite ratios of a unit.
func unitRatio(comps []result.Comparison, variant, unit string) *float64 {
	var logs []float64
	for _, c := range comps {
		if c.Variant == variant && c.Unit == unit && c.Change.Center > 0 && !math.IsInf(c.Change.Center, 0) {
			logs = append(logs, math.Log(c.Change.Center))
		}
	}
	if len(logs) == 0 {
		return nil
	}
	sum := 0.0
	for _, l := range logs {
		sum += l
	}
	return ptr(math.Exp(sum / float64(len(logs))))
}

func ptr[T any](x T) *T { return &x }

// pct formats a fraction as a percentage with one decimal.
func pct(f float64) string {
	return fmt.Sprintf("%.1f%%", 100*f)
}

// HigherIsBetter reports whether a larger value of unit is an improvement:
// true for rates such as MB/s (units ending in "/s"), false for costs such
// as sec/op, B/op and allocs/op.
func HigherIsBetter(unit string) bool {
	return strings.HasSuffix(unit, "/s")
}
