package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"

	"github.com/gotune/gotune/internal/result"
)

// details writes, for every variant but the baseline, a benchstat-style
// table of its comparisons with the baseline, one table per package.
func (r *textReport) details() {
	run := r.run
	legend := "Per-benchmark results: median ± CI of each side; * = significant after Holm"
	if run.Alpha > 0 {
		legend += fmt.Sprintf(" at alpha %g", run.Alpha)
	}
	r.printf("%s, ~ = not significant.\n\n", legend)

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
		cmps := comparisonsOf(run.Comparisons, v.Name)
		switch {
		case v.Status == result.StatusSkipped || v.Status == result.StatusBuildFailed || v.Status == result.StatusFailed:
			r.printf("  %s\n\n", r.verdictCell(v, 200))
			continue
		case len(cmps) == 0 && v.SameCodeAs != "":
			r.printf("  same code as %s: measured once, see %s\n\n", v.SameCodeAs, v.SameCodeAs)
			continue
		case len(cmps) == 0:
			r.printf("  no comparisons\n\n")
			continue
		}
		r.comparisonTables(cmps)
		if v.Geomean != nil {
			r.printf("geomean sec/op: %s\n", ratioCell(*v.Geomean))
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
		fmt.Fprintln(tw, "benchmark\tunit\tbase\tnew\tdelta\tp\tp(Holm)")
		for _, c := range rows {
			mark := "~"
			if c.Significant {
				mark = "*"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s %s\n",
				strings.TrimPrefix(c.Benchmark, "Benchmark"), tidyUnit(c.Unit),
				summaryCell(c.Base, c.Unit), summaryCell(c.New, c.Unit),
				deltaCell(c), pCell(c.P), pCell(c.PHolm), mark)
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

// summaryCell formats a median with its CI as benchstat does, e.g.
// "1.234µ ± 2%"; the unit is in its own column.
func summaryCell(s result.Summary, unit string) string {
	if s.N == 0 || !finite(s.Center) {
		return "-"
	}
	center, tidied := benchunit.Tidy(s.Center, unit)
	lo, _ := benchunit.Tidy(s.Lo, unit)
	hi, _ := benchunit.Tidy(s.Hi, unit)
	bs := benchmath.Summary{Center: center, Lo: lo, Hi: hi}
	return benchunit.Scale(center, benchunit.ClassOf(tidied)) + " ± " + bs.PctRangeString()
}

// deltaCell formats the relative change of a comparison, e.g. "-10.86%";
// equal centres (0 B/op against 0 B/op) are no change.
func deltaCell(c *result.Comparison) string {
	if c.Base.Center == c.New.Center {
		return "0.00%"
	}
	d := c.Delta
	if !finite(d) {
		return "?"
	}
	s := fmt.Sprintf("%+.2f%%", d*100)
	if s == "+0.00%" || s == "-0.00%" {
		return "0.00%"
	}
	return s
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
