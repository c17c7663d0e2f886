package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchunit"

	"github.com/gotune/gotune/internal/result"
)

// details writes, for every variant but the baseline, a benchstat-style
// table of its comparisons with the baseline, one table per package.
func (r *textReport) details() {
	run := r.run
	legend := "Per-benchmark results, paired by block: the median of each side, the change (Hodges–Lehmann) with its 95% interval, in words when significant after Holm within the unit"
	if a := run.Analysis; a != nil && a.Alpha > 0 {
		legend += fmt.Sprintf(" at alpha %g", a.Alpha)
	}
	r.printf("%s; ~ = not significant.\n\n", legend)

	base := run.Baseline
	if base == "" {
		base = "baseline"
	}
	for i := range run.Variants {
		v := &run.Variants[i]
		if v.Name == run.Baseline {
			continue
		}
		title := v.Name + " vs " + base
		if s := settingsString(v.Settings); s != "" {
			title += " (" + s + ")"
		}
		r.printf("%s:\n", title)
		cmps := comparisonsOf(analysisOf(run).Comparisons, v.Name)
		switch {
		case v.Status == result.StatusSkipped || v.Status == result.StatusBuildFailed || v.Status == result.StatusFailed:
			r.printf("  %s\n\n", r.verdictCell(v, 200))
			continue
		case len(cmps) == 0 && v.SameCodeAs != "" && v.SameCodeAs == run.Baseline:
			r.printf("  same code as the baseline: its speed is the baseline's by construction\n\n")
			continue
		case len(cmps) == 0 && v.SameCodeAs != "":
			r.printf("  same code as %s: measured once, see %s\n\n", v.SameCodeAs, v.SameCodeAs)
			continue
		case len(cmps) == 0:
			r.printf("  no comparisons\n\n")
			continue
		}
		r.comparisonTables(cmps)
		if st := statsOf(run, v.Name); st.Change != nil {
			r.printf("overall: %s\n", overallCell(run, v))
		}
		for _, w := range comparisonWarnings(cmps) {
			r.printf("warning: %s\n", w)
		}
		r.printf("\n")
	}
}

// comparisonsOf returns the comparisons of one variant, in run order.
func comparisonsOf(all []result.Comparison, variant string) []*result.Comparison {
	var out []*result.Comparison
	for i := range all {
		if all[i].Variant == variant {
			out = append(out, &all[i])
		}
	}
	return out
}

// comparisonTables writes one table per package, rows ordered by unit
// (sec/op, B/op, allocs/op, then the others by name) and then run order.
func (r *textReport) comparisonTables(cmps []*result.Comparison) {
	var pkgs []string
	byPkg := map[string][]*result.Comparison{}
	for _, c := range cmps {
		if _, ok := byPkg[c.Package]; !ok {
			pkgs = append(pkgs, c.Package)
		}
		byPkg[c.Package] = append(byPkg[c.Package], c)
	}
	for _, pkg := range pkgs {
		rows := byPkg[pkg]
		slices.SortStableFunc(rows, func(a, b *result.Comparison) int {
			ua, ub := tidyUnit(a.Unit), tidyUnit(b.Unit)
			if d := unitRank(ua) - unitRank(ub); d != 0 {
				return d
			}
			return strings.Compare(ua, ub)
		})

		if pkg != "" {
			r.printf("pkg: %s\n", relPackage(r.run.Module, pkg))
		}
		tw := r.newTable()
		fmt.Fprintln(tw, "benchmark\tunit\tbaseline\tvariant\tchange (95% interval)\tpairs\tp\tp(Holm)")
		for _, c := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n",
				strings.TrimPrefix(c.Benchmark, "Benchmark"), tidyUnit(c.Unit),
				valueCell(c.Base, c.Unit), valueCell(c.New, c.Unit),
				deltaCell(c), c.N, pCell(c.P), pCell(c.PHolm))
		}
		tw.Flush()
	}
}

// unitRank orders units in a table: time first, then memory, then the rest.
func unitRank(unit string) int {
	switch unit {
	case "sec/op":
		return 0
	case "B/op":
		return 1
	case "allocs/op":
		return 2
	}
	return 3
}

// tidyUnit returns the unit in base units, e.g. "ns/op" → "sec/op".
func tidyUnit(unit string) string {
	_, u := benchunit.Tidy(1, unit)
	return u
}

// valueCell formats a median in its unit, scaled as benchstat does, e.g.
// "1.234µ"; the unit is in its own column.
func valueCell(v float64, unit string) string {
	if !finite(v) {
		return "-"
	}
	center, tidied := benchunit.Tidy(v, unit)
	return benchunit.Scale(center, benchunit.ClassOf(tidied))
}

// deltaCell says the change of a comparison with its interval, e.g.
// "10.9% faster (9.8% to 12.0%)", or "~ (1.2% slower to 2.0% faster)"
// when it is not significant; no change at all is "no change".
func deltaCell(c *result.Comparison) string {
	if c.Base == c.New && c.Change.Center == 1 && (!bounded(c.Change) || c.Change.Lo == c.Change.Hi) {
		return "no change"
	}
	return changeCell(c.Change, c.Unit, c.Significant)
}

// pCell formats a p-value with three decimals.
func pCell(p float64) string {
	switch {
	case math.IsNaN(p):
		return "-"
	case p < 0.0005:
		return "<0.001"
	}
	return fmt.Sprintf("%.3f", p)
}

// comparisonWarnings returns the distinct warnings of the comparisons, each
// with how many comparisons raised it.
func comparisonWarnings(cmps []*result.Comparison) []string {
	var order []string
	count := map[string]int{}
	for _, c := range cmps {
		for _, w := range c.Warnings {
			w = oneLine(w, 200)
			if w == "" {
				continue
			}
			if count[w] == 0 {
				order = append(order, w)
			}
			count[w]++
		}
	}
	out := make([]string, len(order))
	for i, w := range order {
		out[i] = fmt.Sprintf("%s (%s)", w, plural(count[w], "comparison"))
	}
	return out
}

// finite reports whether f is neither NaN nor infinite.
func finite(f float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}
