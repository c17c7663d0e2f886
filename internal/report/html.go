package report

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/result"
)

//go:embed html.tmpl
var htmlTemplateText string

// htmlTemplate is the page of the HTML report.
var htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))

// maxSmallMultiples is how many per-benchmark charts the HTML report draws
// before it counts the rest.
const maxSmallMultiples = 60

// HTML writes run as one self-contained HTML page: nothing is fetched when
// it is viewed (no scripts, fonts or style sheets from elsewhere). The page
// holds the verdict, the ranked table, a bar chart of each variant's
// overall change with its interval as whiskers (bars go up for faster
// builds and down for slower ones), one small chart per benchmark with
// every variant's paired change applied to the baseline's median, and a
// scatter plot of speed
// against binary size. The charts are inline SVG drawn from html/template,
// so the page is the same for the same run, byte for byte.
func HTML(w io.Writer, run *result.Run) error {
	if run == nil {
		return errors.New("report: no run to render")
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, newHTMLPage(run)); err != nil {
		return fmt.Errorf("report: rendering HTML: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// htmlPage is the view model of the HTML report.
type htmlPage struct {
	Title     string
	Header    []string
	Verdict   string
	Winner    string
	BuildLine string
	Advice    string
	Columns   []string
	Rows      []htmlRow
	Notes     []string
	Geomean   *barChart
	Legend    []legendItem
	Small     []smallChart
	SmallMore int
	Scatter   *scatterChart
}

// htmlRow is one row of the ranked table.
type htmlRow struct {
	Class string // winner, faster, slower, failed or ""
	Cells []string
}

// legendItem numbers a variant in the small multiples.
type legendItem struct {
	N     int
	Name  string
	Class string
}

// newHTMLPage builds the view model of run.
func newHTMLPage(run *result.Run) *htmlPage {
	r := &textReport{run: run}
	p := &htmlPage{Title: "gotune report", Columns: tableHeader}
	if run.Module != "" {
		p.Title = "gotune: " + run.Module
	}
	p.Header = headerLines(run)
	p.Verdict = strings.TrimSpace(analysisOf(run).VerdictText)
	a := r.advice()
	p.Winner, p.BuildLine = a.winner, a.buildLine
	p.Advice = strings.TrimSpace(strings.Join(append(a.lines, a.detect), " "))
	for _, v := range orderVariants(run) {
		cells := r.row(v)
		for i, c := range cells {
			cells[i] = flatten(c)
		}
		p.Rows = append(p.Rows, htmlRow{Class: rowClass(run, statsOf(run, v.Name), v), Cells: cells})
	}
	p.Notes = r.noteLines()
	p.Geomean = geomeanChart(r)
	p.Legend, p.Small, p.SmallMore = smallMultiples(r)
	p.Scatter = sizeScatter(r)
	return p
}

// headerLines returns the lines of the text report's header, without the
// blank line that ends it.
func headerLines(run *result.Run) []string {
	var buf bytes.Buffer
	(&textReport{run: run, w: &buf}).header()
	return strings.Split(strings.TrimSpace(buf.String()), "\n")
}

// rowClass returns the CSS class of a table row.
func rowClass(run *result.Run, stats *result.VariantStats, v *result.Variant) string {
	switch {
	case v.Name != "" && v.Name == analysisOf(run).Winner:
		return "winner"
	case v.Status != result.StatusOK:
		return "failed"
	}
	return verdictClass(stats.Verdict)
}

// verdictClass maps a verdict to the class that colours it.
func verdictClass(verdict string) string {
	switch verdict {
	case result.VerdictFaster:
		return "faster"
	case result.VerdictSlower:
		return "slower"
	case result.VerdictBaseline:
		return "base"
	}
	return "nodiff"
}

// Chart geometry, in SVG user units (pixels at 100% zoom).
const (
	barSlot    = 64.0  // horizontal room per bar
	barWidth   = 34.0  // width of a bar
	plotHeight = 220.0 // height of the bar chart's plot area
	axisLeft   = 64.0  // room for the y-axis labels
	plotTop    = 24.0
	labelRoom  = 120.0 // room under the plot for the rotated variant names
)

// barChart is the geomean bar chart.
type barChart struct {
	Width, Height float64
	Left, Right   float64 // plot area, x
	Top, Bottom   float64 // plot area, y
	ZeroY         float64
	Ticks         []tick
	Bars          []bar
}

// tick is one labelled grid line.
type tick struct {
	Pos   float64 // y for a vertical axis, x for a horizontal one
	Label string
}

// bar is one variant's bar with its whisker.
type bar struct {
	Name        string
	Title       string // tooltip
	Class       string
	X, W        float64
	Y, H        float64
	CX          float64 // centre
	CapL, CapR  float64 // whisker caps, x
	HasWhisker  bool
	WLo, WHi    float64 // whisker ends (y)
	Label       string
	LabelY      float64
	NameX       float64
	NameY       float64
	ShortName   string
	NameRotated string // transform of the name label
}

// speedup returns the change of a sec/op ratio as "faster by" percent:
// +4.1 for a ratio of 0.959, negative for slower.
func speedup(ratio float64) float64 { return (1 - ratio) * 100 }

// speedLabel describes a speedup in words: "4.1% faster", "2.0% slower".
func speedLabel(s float64) string {
	switch {
	case !finite(s):
		return "?"
	case math.Abs(s) < 0.05:
		return "no change"
	case s > 0:
		return fmt.Sprintf("%.1f%% faster", s)
	}
	return fmt.Sprintf("%.1f%% slower", -s)
}

// verdictOf returns the verdict of v's speed: its own, or for a same-code
// twin, the verdict of the variant measured in its place.
func verdictOf(run *result.Run, v *result.Variant) string {
	st := statsOf(run, v.Name)
	if st.Verdict == result.VerdictSameCode && v.SameCodeAs != "" {
		if v.SameCodeAs == run.Baseline {
			return result.VerdictBaseline
		}
		return statsOf(run, v.SameCodeAs).Verdict
	}
	return st.Verdict
}

// changeWords says a variant's change as its verdict does, so that a
// chart never calls faster what the verdict calls the same speed: "4.1%
// faster" only when the verdict is faster, else "same speed" or "unclear".
func changeWords(verdict string, speedup float64) string {
	switch verdict {
	case result.VerdictFaster, result.VerdictSlower:
		return speedLabel(speedup)
	case result.VerdictSame:
		return "same speed"
	case result.VerdictBaseline:
		return "baseline"
	}
	return "unclear"
}

// geomeanChart draws each compared variant's overall change with its
// interval; nil when no variant has one.
func geomeanChart(r *textReport) *barChart {
	type item struct {
		v     *result.Variant
		stats *result.VariantStats
	}
	var items []item
	for _, v := range orderVariants(r.run) {
		st := statsOf(r.run, v.Name)
		if v.Status != result.StatusOK || v.Name == r.run.Baseline || st.Change == nil || !finite(st.Change.Center) {
			continue
		}
		items = append(items, item{v, st})
	}
	if len(items) == 0 {
		return nil
	}
	lo, hi := 0.0, 0.0
	for _, it := range items {
		for _, x := range drawn(*it.stats.Change) {
			lo, hi = math.Min(lo, speedup(x)), math.Max(hi, speedup(x))
		}
	}
	sc := newScale(lo, hi, plotTop+plotHeight, plotTop)
	c := &barChart{
		Left: axisLeft, Right: axisLeft + barSlot*float64(len(items)),
		Top: plotTop, Bottom: plotTop + plotHeight,
	}
	c.Width = math.Max(c.Right+24, 360)
	c.Height = c.Bottom + labelRoom
	c.ZeroY = round1(sc.pos(0))
	for _, t := range sc.ticks {
		c.Ticks = append(c.Ticks, tick{round1(sc.pos(t)), fmt.Sprintf("%+g%%", t)})
	}
	for i, it := range items {
		g := it.stats.Change
		s := speedup(g.Center)
		cx := axisLeft + barSlot*(float64(i)+0.5)
		y0, y1 := sc.pos(0), sc.pos(s)
		verdict := verdictOf(r.run, it.v)
		b := bar{
			Name:  it.v.Name,
			Class: verdictClass(verdict),
			X:     round1(cx - barWidth/2), W: barWidth,
			Y: round1(math.Min(y0, y1)), H: round1(math.Max(math.Abs(y1-y0), 1)),
			CX:   round1(cx),
			CapL: round1(cx - 6), CapR: round1(cx + 6),
			Label: changeWords(verdict, s),
		}
		if it.v.Name == analysisOf(r.run).Winner {
			b.Class = "winner"
		}
		b.Title = fmt.Sprintf("%s: %s, time %s", it.v.Name, changeWords(verdict, s), ratioCell(*g))
		if it.v.SameCodeAs != "" {
			b.Title += " (same code as " + it.v.SameCodeAs + ")"
		}
		if bounded(*g) {
			b.HasWhisker = true
			b.WLo, b.WHi = round1(sc.pos(speedup(g.Hi))), round1(sc.pos(speedup(g.Lo)))
		}
		top := math.Min(b.Y, b.WHi)
		if !b.HasWhisker {
			top = b.Y
		}
		b.LabelY = round1(top - 6)
		if s < 0 {
			bottom := b.Y + b.H
			if b.HasWhisker {
				bottom = math.Max(bottom, b.WLo)
			}
			b.LabelY = round1(bottom + 14)
		}
		b.NameX, b.NameY = round1(cx+4), round1(c.Bottom+16)
		b.ShortName = shorten(it.v.Name, 24)
		b.NameRotated = fmt.Sprintf("rotate(-35 %g %g)", b.NameX, b.NameY)
		c.Bars = append(c.Bars, b)
	}
	return c
}

// smallChart is the chart of one benchmark: every variant's median and
// interval, with a dashed line at the baseline's median.
type smallChart struct {
	Title, Full   string
	Width, Height float64
	Left, Right   float64
	Top, Bottom   float64
	BaseY         float64
	MaxLabel      string
	MinLabel      string
	Dots          []dot
}

// dot is one variant's median in a small chart.
type dot struct {
	N          int
	Class      string
	X, Y       float64
	LabelY     float64 // of the number under the plot
	HasWhisker bool
	WLo, WHi   float64
	Title      string
}

// Small-multiple geometry.
const (
	smallSlot   = 26.0
	smallLeft   = 54.0
	smallTop    = 30.0
	smallPlot   = 90.0
	smallBottom = 22.0
)

// smallMultiples draws one chart per sec/op benchmark, the variants in one
// order in every chart, numbered by the legend.
func smallMultiples(r *textReport) ([]legendItem, []smallChart, int) {
	run := r.run
	type bkey struct{ pkg, bench string }
	var keys []bkey
	byKey := map[bkey][]*result.Comparison{}
	comps := analysisOf(run).Comparisons
	for i := range comps {
		c := &comps[i]
		if tidyUnit(c.Unit) != "sec/op" {
			continue
		}
		k := bkey{c.Package, c.Benchmark}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], c)
	}
	if len(keys) == 0 {
		return nil, nil, 0
	}
	// The legend: the baseline, then every variant with comparisons, in
	// table order.
	hasCmp := map[string]bool{}
	for _, cs := range byKey {
		for _, c := range cs {
			hasCmp[c.Variant] = true
		}
	}
	legend := []legendItem{{N: 1, Name: run.Baseline, Class: "base"}}
	num := map[string]int{}
	for _, v := range orderVariants(run) {
		if hasCmp[v.Name] && v.Name != run.Baseline {
			num[v.Name] = len(legend) + 1
			class := verdictClass(statsOf(run, v.Name).Verdict)
			if v.Name == analysisOf(run).Winner {
				class = "winner"
			}
			legend = append(legend, legendItem{N: len(legend) + 1, Name: v.Name, Class: class})
		}
	}
	more := 0
	if len(keys) > maxSmallMultiples {
		more = len(keys) - maxSmallMultiples
		keys = keys[:maxSmallMultiples]
	}
	var charts []smallChart
	for _, k := range keys {
		cs := byKey[k]
		// Each variant's pairs have their own baseline median; the chart
		// applies every change to one reference, the baseline's median
		// over the most pairs, so that dots compare with the dashed line.
		ref := cs[0]
		for _, c := range cs {
			if c.N > ref.N || !finite(ref.Base) {
				ref = c
			}
		}
		base := summary{ref.Base, ref.Base, ref.Base}
		type entry struct {
			n     int
			class string
			s     summary
			name  string
			unit  string
		}
		entries := []entry{{1, "base", base, run.Baseline, cs[0].Unit}}
		for _, li := range legend[1:] {
			for _, c := range cs {
				if c.Variant == li.Name {
					class := "nodiff"
					switch {
					case c.Significant && c.Change.Center < 1:
						class = "faster"
					case c.Significant && c.Change.Center > 1:
						class = "slower"
					}
					// The paired change, applied to the baseline's median.
					s := summary{base.Center * c.Change.Center, base.Center * c.Change.Lo, base.Center * c.Change.Hi}
					entries = append(entries, entry{li.N, class, s, c.Variant, c.Unit})
				}
			}
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, e := range entries {
			for _, x := range drawn(result.Ratio(e.s)) {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
		if !finite(lo) || !finite(hi) {
			continue
		}
		if hi == lo {
			lo, hi = lo*0.99, hi*1.01
			if lo == hi {
				lo, hi = lo-1, hi+1
			}
		}
		pad := (hi - lo) * 0.08
		lo, hi = lo-pad, hi+pad
		ch := smallChart{
			Full:  check.BenchLabel(run.Module, k.pkg, k.bench),
			Left:  smallLeft,
			Top:   smallTop,
			Right: smallLeft + smallSlot*float64(len(legend)),
		}
		ch.Title = shorten(ch.Full, 34)
		ch.Bottom = smallTop + smallPlot
		ch.Width = math.Max(ch.Right+10, 200)
		ch.Height = ch.Bottom + smallBottom
		pos := func(v float64) float64 { return round1(ch.Bottom - (v-lo)/(hi-lo)*smallPlot) }
		ch.MaxLabel, ch.MinLabel = formatValue(hi, cs[0].Unit), formatValue(lo, cs[0].Unit)
		ch.BaseY = pos(base.Center)
		for _, e := range entries {
			if !finite(e.s.Center) {
				continue
			}
			d := dot{
				N: e.n, Class: e.class,
				X:      round1(smallLeft + smallSlot*(float64(e.n)-0.5)),
				Y:      pos(e.s.Center),
				LabelY: round1(ch.Bottom + 15),
			}
			d.Title = fmt.Sprintf("%d %s: %s", e.n, e.name, formatValue(e.s.Center, e.unit))
			if bounded(result.Ratio(e.s)) && e.s.Lo != e.s.Hi {
				d.HasWhisker = true
				d.WLo, d.WHi = pos(e.s.Lo), pos(e.s.Hi)
				d.Title += fmt.Sprintf(" [%s, %s]", formatValue(e.s.Lo, e.unit), formatValue(e.s.Hi, e.unit))
			} else if e.n == 1 {
				d.Title += " (the baseline's median)"
			} else {
				d.Title += " (too few pairs for an interval)"
			}
			ch.Dots = append(ch.Dots, d)
		}
		charts = append(charts, ch)
	}
	return legend, charts, more
}

// scatterChart plots each variant's speed against its binary size.
type scatterChart struct {
	Width, Height float64
	Left, Right   float64
	Top, Bottom   float64
	ZeroY         float64
	YTicks        []tick
	XTicks        []tick
	Points        []point
}

// point is one variant in the scatter plot.
type point struct {
	Name       string
	Class      string
	X, Y       float64
	HasWhisker bool
	WLo, WHi   float64
	LabelX     float64
	LabelY     float64
	Short      string
	Title      string
}

// Scatter geometry.
const (
	scatterW    = 640.0
	scatterH    = 300.0
	scatterLeft = 64.0
	scatterTop  = 20.0
)

// sizeScatter plots every measured variant with an overall change (the
// baseline and its same-code twins at 0%) against the total size of its test binaries; nil when fewer than two
// variants have both.
func sizeScatter(r *textReport) *scatterChart {
	type item struct {
		v       *result.Variant
		g       result.Ratio
		size    float64
		class   string
		verdict string
	}
	var items []item
	for _, v := range orderVariants(r.run) {
		st := statsOf(r.run, v.Name)
		g := st.Change
		if g == nil && (v.Name == r.run.Baseline || v.SameCodeAs != "" && v.SameCodeAs == r.run.Baseline) {
			g = &result.Ratio{Center: 1, Lo: 1, Hi: 1} // the baseline's code: 0% by construction
		}
		if v.Status != result.StatusOK || g == nil || !finite(g.Center) {
			continue
		}
		var size int64
		for _, b := range v.Builds {
			size += b.Size
		}
		if size <= 0 {
			continue
		}
		verdict := verdictOf(r.run, v)
		class := verdictClass(verdict)
		if v.Name == analysisOf(r.run).Winner {
			class = "winner"
		}
		if v.Name == r.run.Baseline {
			class = "base"
		}
		items = append(items, item{v, *g, float64(size), class, verdict})
	}
	if len(items) < 2 {
		return nil
	}
	ylo, yhi := 0.0, 0.0
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, it := range items {
		for _, x := range drawn(it.g) {
			ylo, yhi = math.Min(ylo, speedup(x)), math.Max(yhi, speedup(x))
		}
		xlo, xhi = math.Min(xlo, it.size), math.Max(xhi, it.size)
	}
	c := &scatterChart{
		Width: scatterW, Height: scatterH,
		Left: scatterLeft, Right: scatterW - 150, // room for labels on the right
		Top: scatterTop, Bottom: scatterH - 44,
	}
	ys := newScale(ylo, yhi, c.Bottom, c.Top)
	const mib = 1 << 20
	xs := newScale(xlo/mib, xhi/mib, c.Left+12, c.Right)
	c.ZeroY = round1(ys.pos(0))
	for _, t := range ys.ticks {
		c.YTicks = append(c.YTicks, tick{round1(ys.pos(t)), fmt.Sprintf("%+g%%", t)})
	}
	for _, t := range xs.ticks {
		c.XTicks = append(c.XTicks, tick{round1(xs.pos(t)), fmt.Sprintf("%g MiB", t)})
	}
	for _, it := range items {
		s := speedup(it.g.Center)
		p := point{
			Name: it.v.Name, Class: it.class,
			X: round1(xs.pos(it.size / mib)), Y: round1(ys.pos(s)),
			Short: shorten(it.v.Name, 22),
		}
		words := changeWords(it.verdict, s)
		if it.v.Name != r.run.Baseline && it.verdict == result.VerdictBaseline {
			words = "same code as the baseline"
		}
		p.Title = fmt.Sprintf("%s: %s, %s", it.v.Name, words, Bytes(int64(it.size)))
		if bounded(it.g) && it.g.Lo != it.g.Hi {
			p.HasWhisker = true
			p.WLo, p.WHi = round1(ys.pos(speedup(it.g.Hi))), round1(ys.pos(speedup(it.g.Lo)))
		}
		p.LabelX, p.LabelY = round1(p.X+8), round1(p.Y-6)
		// Move a label down until it clears the labels placed before it.
		for moved := true; moved; {
			moved = false
			for _, q := range c.Points {
				if math.Abs(q.LabelX-p.LabelX) < 120 && math.Abs(q.LabelY-p.LabelY) < 13 {
					p.LabelY = round1(q.LabelY + 13)
					moved = true
				}
			}
		}
		c.Points = append(c.Points, p)
	}
	return c
}

// scale maps data values to positions on an axis with "nice" ticks.
type scale struct {
	lo, hi   float64 // data range, widened to whole ticks
	from, to float64 // positions of lo and hi
	ticks    []float64
}

// newScale returns a scale over [lo, hi] mapped onto [from, to], widened to
// whole multiples of a nice tick step.
func newScale(lo, hi, from, to float64) *scale {
	if hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	step := niceStep((hi - lo) / 5)
	s := &scale{from: from, to: to}
	s.lo = math.Floor(lo/step) * step
	s.hi = math.Ceil(hi/step) * step
	for t := s.lo; t <= s.hi+step/2; t += step {
		v := math.Round(t/step) * step
		if math.Abs(v) < step/1e6 {
			v = 0
		}
		s.ticks = append(s.ticks, roundTo(v, step))
	}
	return s
}

// pos returns the position of v.
func (s *scale) pos(v float64) float64 {
	return s.from + (v-s.lo)/(s.hi-s.lo)*(s.to-s.from)
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if !(x > 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// roundTo rounds v to the decimals that step needs, so that ticks print
// as 0.2, not 0.20000000000000004.
func roundTo(v, step float64) float64 {
	d := math.Max(0, -math.Floor(math.Log10(step)))
	f := math.Pow(10, d)
	return math.Round(v*f) / f
}

// round1 rounds a coordinate to one decimal.
func round1(x float64) float64 { return math.Round(x*10) / 10 }

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(flatten(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// summary is a value with its interval.
type summary struct{ Center, Lo, Hi float64 }

// bounded reports whether an interval of positive values (a time ratio,
// or a time) has both ends: too few pairs leave it unbounded, with a lower
// end of exp(−∞) = 0 or −∞ and an upper end of +∞.
func bounded(r result.Ratio) bool {
	return r.Lo > 0 && finite(r.Lo) && finite(r.Hi)
}

// drawn returns the values a chart must have room for: the centre when it
// is finite, and the ends of a bounded interval.
func drawn(r result.Ratio) []float64 {
	var out []float64
	if finite(r.Center) {
		out = append(out, r.Center)
	}
	if bounded(r) {
		out = append(out, r.Lo, r.Hi)
	}
	return out
}
