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
// opens with a verdict card (what to do, the winner's speed-up with its
// interval, the build line), then a chart of each variant's overall change
// with its interval, the ranked table, a table and one small chart per
// benchmark, and speed against binary size. Every chart puts faster to the
// right and slower to the left of the baseline's zero line and says so;
// every number says faster or slower in words, and a change that is not
// significant is "~". Charts stretch to the page's width; labels sit in
// rows of their own, so they never overlap. The page has a dark palette
// for dark screens and prints in colour. It is the same for the same run,
// byte for byte.
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
	Card      verdictCard
	Overall   *forest
	Classes   []legendItem // the colours the page uses, with their words
	Keys      []variantKey // the numbered variants of the per-benchmark charts and the scatter plot
	Columns   [][]string   // the ranked table's headers, in lines
	Rows      []htmlRow
	Legend    string // how to read the ranked table
	Notes     []string
	Bench     *benchTable
	Small     []smallChart
	SmallMore int
	Scatter   *scatterChart
}

// token is a piece of a name or of settings that never breaks: a line
// may break before it, at a blank (Space) or, inside a name, after a
// comma or a slash.
type token struct {
	Text  string
	Space bool // separated from the token before by a blank
}

// nameTokens splits a variant or benchmark name after its commas and
// slashes, the places a line may break.
func nameTokens(s string) []token {
	s = flatten(s)
	var out []token
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '/' {
			out = append(out, token{Text: s[start : i+1]})
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, token{Text: s[start:]})
	}
	return out
}

// benchTokens splits a benchmark's label ("./api.BenchmarkQuote/small")
// before its name and after each slash of its sub-benchmarks, never
// inside the package path.
func benchTokens(label string) []token {
	label = flatten(label)
	i := strings.LastIndex(label, ".Benchmark")
	if i < 0 {
		return []token{{Text: label}}
	}
	return append([]token{{Text: label[:i+1]}}, nameTokens(label[i+1:])...)
}

// wordTokens returns shell words as tokens separated by blanks.
func wordTokens(words []string) []token {
	out := make([]token, len(words))
	for i, w := range words {
		out[i] = token{Text: flatten(w), Space: i > 0}
	}
	return out
}

// verdictCard is the box at the top of the page: what to do.
type verdictCard struct {
	Class    string // use, keep, longer or none
	Title    string
	Winner   []token
	Change   string // the winner's speed-up with its interval, in words
	Settings []token
	Sentence string
	Steps    []cardStep
	Next     string
}

// cardStep is one thing to do, with its command.
type cardStep struct {
	Label, Code string
	ID          string
}

// htmlRow is one row of the ranked table.
type htmlRow struct {
	Class    string // winner, faster, slower, same, unclear, base or failed
	Rank     string
	Name     []token
	Settings []token
	Change   string // the change in words, or ~
	Interval string // its interval
	Verdict  string
	Counts   string
	Memory   string
	Binary   string
}

// legendItem is one colour of the page and what it means.
type legendItem struct {
	Class, Words string
}

// variantKey numbers a variant in the per-benchmark charts and the
// scatter plot.
type variantKey struct {
	N     string
	Name  []token
	Full  string
	Class string
}

// newHTMLPage builds the view model of run.
func newHTMLPage(run *result.Run) *htmlPage {
	r := &textReport{run: run}
	p := &htmlPage{Title: "gotune report"}
	if run.Module != "" {
		p.Title = "gotune: " + run.Module
	}
	p.Header = headerLines(run)
	p.Card = newVerdictCard(r)
	p.Columns = [][]string{{"#"}, {"variant", "settings"}, {"vs baseline", "(interval)"}, {"verdict"}, {"benchmarks"}, {"B/op · allocs/op", "size · build"}}
	for _, v := range orderVariants(run) {
		p.Rows = append(p.Rows, htmlRowOf(r, v))
	}
	p.Legend = strings.Join(tableLegend(run), " ")
	p.Notes = r.noteLines()
	p.Keys = variantKeys(run)
	p.Overall = overallForest(r, p.Keys)
	p.Bench, p.Small, p.SmallMore = perBenchmark(r, p.Keys)
	p.Scatter = sizeScatter(r, p.Keys)
	p.Classes = usedClasses(run, p)
	return p
}

// headerLines returns the lines of the text report's header, without the
// blank line that ends it.
func headerLines(run *result.Run) []string {
	var buf bytes.Buffer
	(&textReport{run: run, w: &buf}).header()
	return strings.Split(strings.TrimSpace(buf.String()), "\n")
}

// newVerdictCard says what to do, from the analysis' recommendation.
func newVerdictCard(r *textReport) verdictCard {
	run := r.run
	an := analysisOf(run)
	rec := an.Recommendation
	action := rec.Action
	if action == "" { // a result analysed before recommendations
		switch {
		case an.Winner != "":
			action = result.ActionUse
		case an.Verdict == result.RunUnclear:
			action = result.ActionLonger
		case an.Verdict == result.RunKeep:
			action = result.ActionKeep
		default:
			action = result.ActionNone
		}
	}
	a := r.advice()
	head, tail := verdictParts(run)
	c := verdictCard{Sentence: head}
	switch {
	case action == result.ActionUse && a.winner != "":
		c.Class, c.Title = "use", "Use "
		c.Winner = nameTokens(a.winner)
		c.Sentence = tail // the head is the change below the title
		if statsOf(run, a.winner).Change != nil {
			c.Change = overallOf(run, a.winner)
		}
		if v := run.Variant(a.winner); v != nil {
			c.Settings = wordTokens(settingsWords(v.Settings))
		}
		c.Steps = append(c.Steps, cardStep{Label: "Build it with", Code: a.buildLine, ID: "build-line"})
		if a.runEnv != "" {
			c.Steps = append(c.Steps, cardStep{Label: "Run it with this environment", Code: a.runEnv, ID: "run-env"})
		}
		if a.profile != "" {
			c.Steps = append(c.Steps, cardStep{Label: "Commit its PGO profile as default.pgo", Code: a.profile, ID: "profile"})
		}
	case action == result.ActionKeep:
		c.Class, c.Title = "keep", "Keep your current build"
		c.Next = a.detect
	case action == result.ActionLonger:
		c.Class, c.Title = "longer", "Nothing shown faster: keep your current build for now"
		if !strings.Contains(c.Sentence, "--budget") {
			c.Next = "Measure longer (a larger --budget) to decide the variants this run could not tell apart."
		}
		if b := run.Options.Budget; b > 0 {
			c.Next = strings.TrimSpace(c.Next + fmt.Sprintf(" This run's budget was %s.", b))
		}
		if a.detect != "" {
			c.Next = a.detect + " " + c.Next
		}
	default:
		c.Class, c.Title = "none", "No result"
		c.Next = strings.Join(a.lines, " ")
		if c.Next == "" {
			c.Next = "The baseline could not be measured: see the notes, fix what failed and run again."
		}
	}
	return c
}

// htmlRowOf returns the ranked table's row of v.
func htmlRowOf(r *textReport, v *result.Variant) htmlRow {
	run := r.run
	st := statsOf(run, v.Name)
	cells := r.row(v)
	row := htmlRow{
		Class:    rowClass(run, st, v),
		Rank:     cells[0],
		Name:     nameTokens(v.Name),
		Settings: wordTokens(settingsWords(v.Settings)),
		Verdict:  flatten(cells[4]),
	}
	change := flatten(cells[3])
	row.Change = change
	if i := strings.Index(change, " ("); i >= 0 {
		row.Change, row.Interval = change[:i], change[i+1:]
	}
	if len(cells) > 5 {
		row.Counts = cells[5]
		if cells[6] != "-" || cells[7] != "-" {
			row.Memory = cells[6] + " · " + cells[7]
		}
		row.Binary = cells[8] + " · " + cells[9]
	}
	return row
}

// rowClass returns the colour class of a table row.
func rowClass(run *result.Run, stats *result.VariantStats, v *result.Variant) string {
	switch {
	case v.Name != "" && v.Name == analysisOf(run).Winner:
		return "winner"
	case v.Status != result.StatusOK:
		return "failed"
	}
	return verdictClass(verdictOf(run, v))
}

// verdictClass maps a verdict to the class that colours it.
func verdictClass(verdict string) string {
	switch verdict {
	case result.VerdictFaster:
		return "faster"
	case result.VerdictSlower:
		return "slower"
	case result.VerdictSame:
		return "same"
	case result.VerdictBaseline:
		return "base"
	}
	return "unclear"
}

// classWords says what each colour class means.
func classWords(run *result.Run) map[string]string {
	eq := analysisOf(run).Equivalence
	same := "same speed"
	if eq > 0 {
		same = fmt.Sprintf("same speed (within ±%s)", pct1(eq))
	}
	return map[string]string{
		"winner":  "winner",
		"faster":  "faster",
		"slower":  "slower",
		"same":    same,
		"unclear": "~ not significant, could not tell",
		"base":    "baseline",
	}
}

// usedClasses returns the legend of the colours the page's charts use,
// in a fixed order.
func usedClasses(run *result.Run, p *htmlPage) []legendItem {
	used := map[string]bool{}
	if p.Overall != nil {
		for _, r := range p.Overall.Rows {
			used[r.Class] = true
		}
	}
	for _, c := range p.Small {
		for _, r := range c.Rows {
			used[r.Class] = true
		}
	}
	if p.Scatter != nil {
		for _, pt := range p.Scatter.Points {
			used[pt.Class] = true
		}
	}
	words := classWords(run)
	var out []legendItem
	for _, c := range []string{"winner", "faster", "same", "unclear", "slower", "base"} {
		if used[c] {
			out = append(out, legendItem{c, words[c]})
		}
	}
	return out
}

// verdictOf returns the verdict of v's speed: its own, or for a same-code
// twin, the verdict of the variant measured in its place.
func verdictOf(run *result.Run, v *result.Variant) string {
	st := statsOf(run, v.Name)
	if (st.Verdict == result.VerdictSameCode || st.Verdict == "") && v.SameCodeAs != "" {
		if v.SameCodeAs == run.Baseline {
			return result.VerdictBaseline
		}
		return statsOf(run, v.SameCodeAs).Verdict
	}
	return st.Verdict
}

// compared returns the variants with an overall change, in table order:
// the rows of the overall chart.
func compared(run *result.Run) []*result.Variant {
	var out []*result.Variant
	for _, v := range orderVariants(run) {
		st := statsOf(run, v.Name)
		if v.Status != result.StatusOK || v.Name == run.Baseline || st.Change == nil || !usable(st.Change.Center) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// variantKeys numbers the variants the charts show: the baseline "B",
// then every other built and measured variant (same-code twins too), in
// table order.
func variantKeys(run *result.Run) []variantKey {
	keys := []variantKey{{N: "B", Name: nameTokens(run.Baseline), Full: run.Baseline, Class: "base"}}
	for _, v := range orderVariants(run) {
		if v.Name == run.Baseline || v.Status != result.StatusOK {
			continue
		}
		keys = append(keys, variantKey{
			N: fmt.Sprint(len(keys)), Name: nameTokens(v.Name), Full: v.Name,
			Class: rowClass(run, statsOf(run, v.Name), v),
		})
	}
	return keys
}

// keyOf returns the number of a variant, "" when it has none.
func keyOf(keys []variantKey, name string) string {
	for _, k := range keys {
		if k.Full == name {
			return k.N
		}
	}
	return ""
}

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

// scatterChart plots each variant's overall speed (faster to the right)
// against the total size of its test binaries (larger up). Its geometry
// is in pixels: it is drawn at a fixed size and shrinks with the page.
type scatterChart struct {
	Width, Height float64
	Left, Right   float64
	Top, Bottom   float64
	ZeroX         float64
	YTicks        []tick
	XTicks        []tick
	Points        []point
}

// tick is one labelled grid line.
type tick struct {
	Pos   float64 // y for a vertical axis, x for a horizontal one
	Label string
}

// point is one variant in the scatter plot.
type point struct {
	N          string
	Name       string
	Class      string
	X, Y       float64
	HasWhisker bool
	WLo, WHi   float64 // whisker ends (x)
	LabelX     float64
	LabelY     float64
	Anchor     string
	Title      string
}

// Scatter geometry, in pixels.
const (
	scatterW      = 640.0
	scatterH      = 320.0
	scatterLeft   = 70.0
	scatterRight  = 24.0
	scatterTop    = 16.0
	scatterBottom = 52.0
	// labelCharW and labelH bound a label's box: 11px text of digits
	// and capitals.
	labelCharW = 7.5
	labelH     = 13.0
)

// sizeScatter plots every measured variant with an overall change (the
// baseline and its same-code twins at 0%) against the total size of its
// test binaries; nil when fewer than two variants have both.
func sizeScatter(r *textReport, keys []variantKey) *scatterChart {
	run := r.run
	type item struct {
		v     *result.Variant
		g     result.Ratio
		size  float64
		class string
		n     string
	}
	var items []item
	for _, v := range orderVariants(run) {
		st := statsOf(run, v.Name)
		g := st.Change
		isBase := v.Name == run.Baseline || v.SameCodeAs != "" && v.SameCodeAs == run.Baseline
		if g == nil && isBase {
			g = &result.Ratio{Center: 1, Lo: 1, Hi: 1} // the baseline's code: 0% by construction
		}
		if v.Status != result.StatusOK || g == nil || !usable(g.Center) {
			continue
		}
		var size int64
		for _, b := range v.Builds {
			size += b.Size
		}
		if size <= 0 {
			continue
		}
		n := keyOf(keys, v.Name)
		items = append(items, item{v, *g, float64(size), rowClass(run, st, v), n})
	}
	if len(items) < 2 {
		return nil
	}
	var all []float64
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, it := range items {
		all = append(all, gains(it.g, "sec/op")...)
		ylo, yhi = math.Min(ylo, it.size), math.Max(yhi, it.size)
	}
	c := &scatterChart{
		Width: scatterW, Height: scatterH,
		Left: scatterLeft, Right: scatterW - scatterRight,
		Top: scatterTop, Bottom: scatterH - scatterBottom,
	}
	lo, hi := 0.0, 0.0
	for _, v := range all {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	xs := newScale(lo, hi, c.Left+14, c.Right-14)
	const mib = 1 << 20
	ys := newScale(ylo/mib, yhi/mib, c.Bottom-10, c.Top+10)
	c.ZeroX = round1(xs.pos(0))
	for _, t := range xs.ticks {
		label := fmt.Sprintf("%g%%", math.Abs(t))
		if t == 0 {
			label = "0"
		}
		c.XTicks = append(c.XTicks, tick{round1(xs.pos(t)), label})
	}
	for _, t := range ys.ticks {
		c.YTicks = append(c.YTicks, tick{round1(ys.pos(t)), fmt.Sprintf("%g MiB", t)})
	}
	var placed []box
	for _, it := range items {
		p := point{
			N: it.n, Name: it.v.Name, Class: it.class,
			X: round1(xs.pos(gain(it.g.Center, "sec/op") * 100)), Y: round1(ys.pos(it.size / mib)),
		}
		placed = append(placed, box{p.X - 5, p.Y - 5, 10, 10}) // the dot itself
		words := overallCell(run, it.v)
		if it.v.Name == run.Baseline || it.v.SameCodeAs == run.Baseline {
			words = "the baseline's code"
		}
		p.Title = fmt.Sprintf("%s %s: %s, %s", p.N, it.v.Name, words, Bytes(int64(it.size)))
		if bounded(it.g) && it.g.Lo != it.g.Hi {
			p.HasWhisker = true
			a, b := xs.pos(gain(it.g.Lo, "sec/op")*100), xs.pos(gain(it.g.Hi, "sec/op")*100)
			p.WLo, p.WHi = round1(math.Min(a, b)), round1(math.Max(a, b))
		}
		c.Points = append(c.Points, p)
	}
	// Labels after every dot is known, each where it overlaps nothing
	// placed before it.
	for i := range c.Points {
		p := &c.Points[i]
		w := labelCharW*float64(len([]rune(p.N))) + 2
		p.LabelX, p.LabelY, p.Anchor = placeLabel(p.X, p.Y, w, placed, c)
		lx := p.LabelX
		if p.Anchor == "end" {
			lx -= w
		}
		placed = append(placed, box{lx, p.LabelY - labelH + 3, w, labelH})
	}
	return c
}

// box is a rectangle in pixels.
type box struct{ X, Y, W, H float64 }

// overlaps reports whether two boxes intersect.
func (a box) overlaps(b box) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// placeLabel finds a place for a label of width w next to the dot at
// (x, y) that overlaps no placed box and stays in the plot: right of the
// dot, left of it, above, below, then further out. It returns the text's
// anchor point (baseline) and its text-anchor.
func placeLabel(x, y, w float64, placed []box, c *scatterChart) (float64, float64, string) {
	type cand struct {
		dx, dy float64
		anchor string
	}
	var cands []cand
	for ring := 0.0; ring < 8; ring++ {
		d := ring * labelH
		cands = append(cands,
			cand{8, 4 + d, "start"}, cand{-8, 4 + d, "end"},
			cand{8, 4 - d, "start"}, cand{-8, 4 - d, "end"},
			cand{-w / 2, -8 - d, "start"}, cand{-w / 2, 16 + d, "start"},
		)
	}
	for _, k := range cands {
		lx, ly := x+k.dx, y+k.dy
		left := lx
		if k.anchor == "end" {
			left = lx - w
		}
		b := box{left, ly - labelH + 3, w, labelH}
		if b.X < c.Left || b.X+b.W > c.Width || b.Y < 0 || b.Y+b.H > c.Bottom {
			continue
		}
		free := true
		for _, p := range placed {
			if b.overlaps(p) {
				free = false
				break
			}
		}
		if free {
			return round1(lx), round1(ly), k.anchor
		}
	}
	return round1(x + 8), round1(y + 4), "start"
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
	return newScaleN(lo, hi, from, to, 5)
}

// newScaleN is newScale with about n tick intervals.
func newScaleN(lo, hi, from, to float64, n int) *scale {
	if hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	step := niceStep((hi - lo) / float64(n))
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
	if usable(r.Center) {
		out = append(out, r.Center)
	}
	if bounded(r) {
		out = append(out, r.Lo, r.Hi)
	}
	return out
}
