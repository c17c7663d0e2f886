package report

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"

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
	Service   *serviceHTML // service mode's metrics, side by side
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
	if rows := serviceRows(run); rows != nil {
		p.Service = &serviceHTML{Head: rows[0], Rows: rows[1:], Legend: serviceLegend(run)}
	}
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
