// The HTML report's change charts: the overall forest of variants and
// the per-benchmark table with its small charts.

package report

import (
	"fmt"
	"math"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/result"
)

// xtick is one labelled grid line of a horizontal axis, at X percent of
// the plot's width.
type xtick struct {
	X     float64
	Label string
}

// forest is a chart of changes against the baseline, one row per
// variant: a bar from the zero line to the change, faster to the right,
// with the interval as a whisker. Positions are percentages of the plot's
// width, so the chart takes the width of the page.
type forest struct {
	ZeroX float64
	Ticks []xtick
	Rows  []forestRow
}

// forestRow is one variant of a forest chart, with the chart's grid.
type forestRow struct {
	Ticks      []xtick
	ZeroX      float64
	N          string
	Name       []token
	Full       string
	Class      string
	BarX, BarW float64
	HasWhisker bool
	WLo, WHi   float64
	Label      string
	Title      string
}

// gainScale returns a scale of gains in percent (positive = faster) over
// values, with 0 always in view, mapped onto 3%..97% of a plot's width,
// with about ticks ticks.
func gainScale(values []float64, ticks int) *scale {
	lo, hi := 0.0, 0.0
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return newScaleN(lo, hi, 3, 97, ticks)
}

// gainTicks labels a gain scale: magnitudes only, since the axis says
// which side is faster.
func gainTicks(sc *scale) []xtick {
	var out []xtick
	for _, t := range sc.ticks {
		label := fmt.Sprintf("%g%%", math.Abs(t))
		if t == 0 {
			label = "0"
		}
		out = append(out, xtick{round1(sc.pos(t)), label})
	}
	return out
}

// gains returns the gains in percent a ratio's centre and interval stand
// for: what a chart must have room for.
func gains(r result.Ratio, unit string) []float64 {
	var out []float64
	for _, x := range drawn(r) {
		out = append(out, gain(x, unit)*100)
	}
	return out
}

// overallForest draws each compared variant's overall change with its
// interval; nil when no variant has one.
func overallForest(r *textReport, keys []variantKey) *forest {
	run := r.run
	vs := compared(run)
	if len(vs) == 0 {
		return nil
	}
	var all []float64
	for _, v := range vs {
		all = append(all, gains(*statsOf(run, v.Name).Change, "sec/op")...)
	}
	sc := gainScale(all, 5)
	f := &forest{ZeroX: round1(sc.pos(0)), Ticks: gainTicks(sc)}
	for _, v := range vs {
		st := statsOf(run, v.Name)
		g := *st.Change
		row := forestRow{Ticks: f.Ticks, ZeroX: f.ZeroX, N: keyOf(keys, v.Name), Name: nameTokens(v.Name), Full: v.Name, Class: rowClass(run, st, v)}
		row.Label = overallCell(run, v)
		row.BarX, row.BarW = barSpan(sc, gain(g.Center, "sec/op")*100)
		if bounded(g) {
			row.HasWhisker = true
			row.WLo, row.WHi = round1(sc.pos(gain(g.Hi, "sec/op")*100)), round1(sc.pos(gain(g.Lo, "sec/op")*100))
		}
		row.Title = fmt.Sprintf("%s: %s", v.Name, row.Label)
		if v.SameCodeAs != "" {
			row.Title += " (same code as " + v.SameCodeAs + ", measured once)"
		}
		f.Rows = append(f.Rows, row)
	}
	return f
}

// barSpan returns the x and width, in percent, of a bar from 0 to v.
func barSpan(sc *scale, v float64) (x, w float64) {
	a, b := sc.pos(0), sc.pos(v)
	if a > b {
		a, b = b, a
	}
	return round1(a), round1(math.Max(b-a, 0.4))
}

// benchTable is the per-benchmark table: one row per benchmark, one
// column per variant, each cell the paired sec/op change.
type benchTable struct {
	Cols []variantKey
	Rows []benchRow
	More int // benchmarks left out
}

// benchRow is one benchmark of the per-benchmark table.
type benchRow struct {
	Label []token
	Base  string
	Cells []benchCell
}

// benchCell is one variant's change on one benchmark.
type benchCell struct {
	Class, Text, Interval, Title string
}

// smallChart is the forest of one benchmark: every variant's paired change.
type smallChart struct {
	Label []token
	Full  string
	Base  string // the baseline's median
	ZeroX float64
	Ticks []xtick
	Rows  []forestRow
}

// maxBenchRows is how many benchmarks the per-benchmark table lists.
const maxBenchRows = 200

// perBenchmark builds the per-benchmark table and charts from the sec/op
// comparisons, the variants in one order and numbering everywhere.
func perBenchmark(r *textReport, keys []variantKey) (*benchTable, []smallChart, int) {
	run := r.run
	type bkey struct{ pkg, bench string }
	var order []bkey
	byKey := map[bkey]map[string]*result.Comparison{}
	comps := analysisOf(run).Comparisons
	for i := range comps {
		c := &comps[i]
		if tidyUnit(c.Unit) != "sec/op" {
			continue
		}
		k := bkey{c.Package, c.Benchmark}
		if byKey[k] == nil {
			order = append(order, k)
			byKey[k] = map[string]*result.Comparison{}
		}
		byKey[k][c.Variant] = c
	}
	if len(order) == 0 {
		return nil, nil, 0
	}
	has := map[string]bool{}
	for _, c := range comps {
		has[c.Variant] = true
	}
	var cols []variantKey
	for _, k := range keys[1:] {
		if has[k.Full] {
			cols = append(cols, k)
		}
	}
	t := &benchTable{Cols: cols}
	var charts []smallChart
	for i, k := range order {
		cs := byKey[k]
		label := check.BenchLabel(run.Module, k.pkg, k.bench)
		// The baseline's median over the most pairs.
		var ref *result.Comparison
		for _, col := range cols {
			if c := cs[col.Full]; c != nil && finite(c.Base) && (ref == nil || c.N > ref.N) {
				ref = c
			}
		}
		base := "-"
		if ref != nil {
			base = formatValue(ref.Base, ref.Unit)
		}
		if i < maxBenchRows {
			row := benchRow{Label: benchTokens(label), Base: base}
			for _, col := range cols {
				c := cs[col.Full]
				if c == nil {
					row.Cells = append(row.Cells, benchCell{Class: "none", Text: "-"})
					continue
				}
				cell := benchCell{Class: comparisonClass(c)}
				cell.Text = "~"
				if c.Significant {
					cell.Text = changeWords(c.Change.Center, c.Unit)
				}
				cell.Interval = intervalWords(c.Change, c.Unit, false)
				cell.Title = fmt.Sprintf("%s, %s: %s; %s → %s, %d pairs, p (Holm) %s", col.Full, label, deltaCell(c),
					formatValue(c.Base, c.Unit), formatValue(c.New, c.Unit), c.N, pCell(c.PHolm))
				row.Cells = append(row.Cells, cell)
			}
			t.Rows = append(t.Rows, row)
		} else {
			t.More++
		}
		if len(charts) < maxSmallMultiples {
			if ch, ok := smallForest(label, base, cols, cs); ok {
				charts = append(charts, ch)
			}
		}
	}
	more := 0
	if len(order) > maxSmallMultiples {
		more = len(order) - maxSmallMultiples
	}
	return t, charts, more
}

// comparisonClass colours one benchmark's change: faster or slower when
// significant after Holm, else unclear.
func comparisonClass(c *result.Comparison) string {
	switch {
	case c.Significant && gain(c.Change.Center, c.Unit) > 0:
		return "faster"
	case c.Significant && gain(c.Change.Center, c.Unit) < 0:
		return "slower"
	}
	return "unclear"
}

// smallForest draws one benchmark's changes; false when none is finite.
func smallForest(label, base string, cols []variantKey, cs map[string]*result.Comparison) (smallChart, bool) {
	var all []float64
	for _, col := range cols {
		if c := cs[col.Full]; c != nil && usable(c.Change.Center) {
			all = append(all, gains(c.Change, c.Unit)...)
		}
	}
	if len(all) == 0 {
		return smallChart{}, false
	}
	sc := gainScale(all, 3)
	ch := smallChart{Label: benchTokens(label), Full: label, Base: base, ZeroX: round1(sc.pos(0)), Ticks: gainTicks(sc)}
	for _, col := range cols {
		c := cs[col.Full]
		if c == nil || !usable(c.Change.Center) {
			continue
		}
		row := forestRow{Ticks: ch.Ticks, ZeroX: ch.ZeroX, N: col.N, Full: col.Full, Class: comparisonClass(c)}
		row.BarX, row.BarW = barSpan(sc, gain(c.Change.Center, c.Unit)*100)
		if bounded(c.Change) {
			row.HasWhisker = true
			a, b := sc.pos(gain(c.Change.Lo, c.Unit)*100), sc.pos(gain(c.Change.Hi, c.Unit)*100)
			row.WLo, row.WHi = round1(math.Min(a, b)), round1(math.Max(a, b))
		}
		row.Label = "~"
		if c.Significant {
			row.Label = changeWords(c.Change.Center, c.Unit)
		}
		row.Title = fmt.Sprintf("%s %s: %s", col.N, col.Full, deltaCell(c))
		ch.Rows = append(ch.Rows, row)
	}
	return ch, true
}
