package report

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/perf/benchunit"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/rundir"
)

// maxMarkdownRegressions is how many slower benchmarks the Markdown summary
// lists before counting the rest.
const maxMarkdownRegressions = 10

// MarkdownLimit is the most bytes a Markdown report takes: below GitHub's
// limit of 65,536 characters for a comment body (a character is at least a
// byte), with room for the few lines a CI job adds around it, such as the
// action's hidden marker. A longer report is cut, and says what was cut
// and where the full report is.
const MarkdownLimit = 64000

// Markdown writes a summary of run in GitHub-flavoured Markdown, sized for a
// pull-request comment or $GITHUB_STEP_SUMMARY: a headline with the outcome,
// the verdict sentence, the benchmarks that got significantly slower (worst
// first, before anything else), the ranked table with each variant's
// overall change and its interval, the recommended build, and
// notes and run details folded away. With Options.Verbose it adds the
// per-benchmark comparisons of every variant, folded too. The whole stays
// under MarkdownLimit: per-benchmark sections are cut first, from the last
// variant back, with a note of what was cut.
func Markdown(w io.Writer, run *result.Run, opts Options) error {
	if run == nil {
		return errors.New("report: no run to render")
	}
	var d mdDoc
	m := &mdReport{textReport: textReport{run: run, w: &d.cur}}
	m.headline("###")
	d.flush("")
	m.body(&d, opts, true)
	_, err := io.WriteString(w, d.assemble(MarkdownLimit, fullReportHint(run)))
	return err
}

// mdReport holds the state of one Markdown rendering; it borrows the
// text report's cells and notes.
type mdReport struct {
	textReport
}

// mdDoc is a Markdown report in parts, some of which may be cut to fit a
// size limit.
type mdDoc struct {
	parts []mdPart
	cur   strings.Builder // the part being written
}

// mdPart is one part of a Markdown report. A part with a cut description
// may be left out, the last such part first.
type mdPart struct {
	text string
	cut  string // what the part holds, e.g. "the per-benchmark table of x"; "" = never cut
}

// flush ends the part being written; cut says what it holds when it may
// be cut.
func (d *mdDoc) flush(cut string) {
	if d.cur.Len() > 0 {
		d.parts = append(d.parts, mdPart{d.cur.String(), cut})
		d.cur.Reset()
	}
}

// assemble joins the parts, leaving out cuttable parts from the last one
// back until the whole fits in limit bytes, and says what it cut and
// where the full report is (hint). When even the parts that are never cut
// do not fit, the text is cut at a line boundary.
func (d *mdDoc) assemble(limit int, hint string) string {
	d.flush("")
	total := 0
	for _, p := range d.parts {
		total += len(p.text)
	}
	if total <= limit {
		var b strings.Builder
		for _, p := range d.parts {
			b.WriteString(p.text)
		}
		return b.String()
	}
	keep := make([]bool, len(d.parts))
	for i := range keep {
		keep[i] = true
	}
	var cut []string
	noteRoom := 600 + len(hint)
	for i := len(d.parts) - 1; i >= 0 && total+noteRoom > limit; i-- {
		if d.parts[i].cut != "" {
			keep[i] = false
			total -= len(d.parts[i].text)
			cut = append([]string{d.parts[i].cut}, cut...)
		}
	}
	note := cutNote(cut, hint)
	var b strings.Builder
	for i, p := range d.parts {
		if !keep[i] {
			continue
		}
		if b.Len()+len(p.text)+len(note) > limit {
			// Even the parts that are never cut are too long: end at the
			// last whole line that fits.
			room := max(limit-len(note)-b.Len(), 0)
			t := p.text[:min(room, len(p.text))]
			if i := strings.LastIndexByte(t, '\n'); i >= 0 {
				t = t[:i+1]
			} else {
				t = ""
			}
			b.WriteString(t)
			if strings.Count(b.String(), "<details>") > strings.Count(b.String(), "</details>") {
				b.WriteString("\n</details>\n")
			}
			note = cutNote(append(cut, "the rest of the report from here"), hint)
			break
		}
		b.WriteString(p.text)
	}
	b.WriteString(note)
	return b.String()
}

// cutNote says what a Markdown report left out to fit and where the full
// report is.
func cutNote(cut []string, hint string) string {
	what := summarizeCuts(cut)
	s := fmt.Sprintf("\n> **Cut to fit GitHub's 65,536-character limit:** %s.", mdText(what))
	if hint != "" {
		s += " The full report: " + hint + "."
	}
	return s + "\n"
}

// summarizeCuts lists what was cut, counting repeated kinds: "the
// per-benchmark tables of 50 variants (x, y, … z)".
func summarizeCuts(cut []string) string {
	const tables = "the per-benchmark table of "
	var names, other []string
	for _, c := range cut {
		if n, ok := strings.CutPrefix(c, tables); ok {
			names = append(names, n)
		} else {
			other = append(other, c)
		}
	}
	var parts []string
	switch {
	case len(names) == 1:
		parts = append(parts, tables+names[0])
	case len(names) > 1:
		list := names
		if len(list) > 4 {
			list = append(slices.Clone(names[:3]), "…", names[len(names)-1])
		}
		parts = append(parts, fmt.Sprintf("the per-benchmark tables of %d variants (%s)", len(names), strings.Join(list, ", ")))
	}
	parts = append(parts, other...)
	return strings.Join(parts, "; ")
}

// fullReportHint says where the full report of run is: the command that
// renders its saved result.
func fullReportHint(run *result.Run) string {
	if run.WorkDir == "" {
		return "`gotune report RESULT.json -v` on the run's saved result"
	}
	return mdCode("gotune report "+shellQuote(filepath.Join(run.WorkDir, rundir.ResultFile))+" -v") + " (or `--format html`)"
}

// headline writes the one line a reader sees first.
func (m *mdReport) headline(level string) {
	run := m.run
	a := m.advice()
	switch {
	case a.winner != "":
		h := fmt.Sprintf("%s gotune: use %s", level, mdCode(a.winner))
		if statsOf(run, a.winner).Change != nil {
			h += fmt.Sprintf(", %s", mdText(overallOf(run, a.winner)))
		}
		m.printf("%s\n\n", h)
	case analysisOf(run).Verdict == result.RunKeep:
		m.printf("%s gotune: keep your current build\n\n", level)
	case analysisOf(run).Verdict == result.RunUnclear:
		m.printf("%s gotune: nothing shown faster; keep your current build\n\n", level)
	default:
		m.printf("%s gotune: no result\n\n", level)
	}
}

// body writes everything below the headline into d; recommend adds the
// recommended build. The per-benchmark sections of Options.Verbose are
// parts of their own that may be cut.
func (m *mdReport) body(d *mdDoc, opts Options, recommend bool) {
	m.bodyWith(d, opts, recommend, true)
}

// bodyWith is body; slower adds the list of slower benchmarks (a check's
// report lists its regressions instead).
func (m *mdReport) bodyWith(d *mdDoc, opts Options, recommend, slower bool) {
	if v := verdictSentence(m.run); v != "" {
		m.printf("%s\n\n", mdText(v))
	}
	if slower {
		m.slower()
	}
	if rl := revisionsLine(m.run); rl != "" {
		m.printf("%s\n\n", mdText(strings.ToUpper(rl[:1])+rl[1:]))
	}
	m.table()
	m.serviceTable()
	if recommend {
		m.recommendation()
	}
	m.notes()
	d.flush("")
	if opts.Verbose {
		m.details(d)
	}
	m.footer()
	d.flush("")
}

// slowerRow is one benchmark of one variant that got significantly slower.
type slowerRow struct {
	variant string
	c       *result.Comparison
}

// slower lists, before the table, every benchmark that got significantly
// slower than the baseline, worst first.
func (m *mdReport) slower() {
	var rows []slowerRow
	comps := analysisOf(m.run).Comparisons
	for i := range comps {
		c := &comps[i]
		if c.Significant && tidyUnit(c.Unit) == "sec/op" && c.Change.Center > 1 {
			rows = append(rows, slowerRow{c.Variant, c})
		}
	}
	if len(rows) == 0 {
		return
	}
	slices.SortStableFunc(rows, func(a, b slowerRow) int {
		switch {
		case a.c.Change.Center > b.c.Change.Center:
			return -1
		case a.c.Change.Center < b.c.Change.Center:
			return 1
		}
		return 0
	})
	m.printf("**Slower than the baseline** (%s significant after Holm correction):\n\n", plural(len(rows), "benchmark"))
	m.printf("| variant | benchmark | change (95%% interval) | baseline | variant | p (Holm) |\n")
	m.printf("|---|---|--:|--:|--:|--:|\n")
	for i, r := range rows {
		if i == maxMarkdownRegressions {
			m.printf("| … | %d more |  |  |  |  |\n", len(rows)-i)
			break
		}
		c := r.c
		m.printf("| %s | %s | **%s** | %s | %s | %s |\n",
			mdCode(r.variant), mdText(check.BenchLabel(m.run.Module, c.Package, c.Benchmark)), mdText(deltaCell(c)),
			mdText(formatValue(c.Base, c.Unit)), mdText(formatValue(c.New, c.Unit)), pCell(c.PHolm))
	}
	m.printf("\n")
}

// Column headers of the Markdown table and their alignment.
var (
	mdHeader = tableHeader
	mdAlign  = []string{"--:", "---", "---", "--:", "---", "---", "--:", "--:", "--:", "--:"}
)

// table writes the ranked table, one row per variant, and the line that
// says how to read it.
func (m *mdReport) table() {
	if len(m.run.Variants) == 0 {
		m.printf("No variants in this run.\n\n")
		return
	}
	m.printf("| %s |\n|%s|\n", strings.Join(mdHeader, " | "), strings.Join(mdAlign, "|"))
	for _, v := range orderVariants(m.run) {
		cells := m.row(v)
		for len(cells) < len(mdHeader) {
			cells = append(cells, "")
		}
		for i, c := range cells {
			switch {
			case i == 1 && v.Name == analysisOf(m.run).Winner:
				cells[i] = "**" + mdCode(c) + "**"
			case i == 1:
				cells[i] = mdCode(c)
			case i == 2 && c != "":
				cells[i] = mdCode(c)
			default:
				cells[i] = mdText(flatten(c))
			}
		}
		m.printf("| %s |\n", strings.Join(cells, " | "))
	}
	m.printf("\n<sub>%s</sub>\n\n", mdText(strings.Join(tableLegend(m.run), " ")))
}

// recommendation writes the winner's build line, or why to keep the
// current build.
func (m *mdReport) recommendation() {
	a := m.advice()
	if a.winner != "" {
		m.printf("**Recommended build** (%s):\n\n```sh\n%s\n```\n\n", mdCode(a.winner), a.buildLine)
		if a.toolchain != "" {
			m.printf("%s.\n\n", a.toolchain)
		}
		if a.runEnv != "" {
			m.printf("and run it with %s in its environment.\n\n", mdCode(a.runEnv))
		}
		if a.profile != "" {
			m.printf("Its profile is not the target's default.pgo yet; commit it with:\n\n```sh\n%s\n```\n\n", a.profile)
		}
		return
	}
	// The verdict sentence above already says to keep the current build
	// when variants were compared; what is left may be nothing.
	var parts []string
	if len(a.lines) > 0 {
		parts = append(parts, "**"+mdText(a.lines[0])+"**")
		if len(a.lines) > 1 {
			parts = append(parts, mdText(strings.Join(a.lines[1:], " ")))
		}
	}
	if a.detect != "" {
		parts = append(parts, mdText(a.detect))
	}
	if len(parts) > 0 {
		m.printf("%s\n\n", strings.Join(parts, " "))
	}
}

// notes writes the run's notes in a folded section.
func (m *mdReport) notes() {
	notes := m.noteLines()
	if len(notes) == 0 {
		return
	}
	m.printf("<details><summary>Notes (%d)</summary>\n\n", len(notes))
	for _, n := range notes {
		m.printf("- %s\n", mdText(n))
	}
	m.printf("\n</details>\n\n")
}

// details writes the per-benchmark comparisons of every compared variant,
// folded, one section per variant, each a part of d that may be cut.
func (m *mdReport) details(d *mdDoc) {
	for i := range m.run.Variants {
		v := &m.run.Variants[i]
		cmps := comparisonsOf(analysisOf(m.run).Comparisons, v.Name)
		if v.Name == m.run.Baseline || len(cmps) == 0 {
			continue
		}
		m.printf("<details><summary>%s vs %s: per-benchmark results</summary>\n\n", htmlEscape(v.Name), htmlEscape(m.run.Baseline))
		m.printf("| benchmark | unit | baseline | %s | change (95%% interval) | p (Holm) |\n|---|---|--:|--:|--:|--:|\n", mdText(v.Name))
		rows := slices.Clone(cmps)
		slices.SortStableFunc(rows, func(a, b *result.Comparison) int {
			return unitRank(tidyUnit(a.Unit)) - unitRank(tidyUnit(b.Unit))
		})
		for _, c := range rows {
			delta := mdText(deltaCell(c))
			if c.Significant {
				delta = "**" + delta + "**"
			}
			m.printf("| %s | %s | %s | %s | %s | %s |\n",
				mdText(check.BenchLabel(m.run.Module, c.Package, c.Benchmark)), mdText(tidyUnit(c.Unit)),
				mdText(formatValue(c.Base, c.Unit)), mdText(formatValue(c.New, c.Unit)), delta, pCell(c.PHolm))
		}
		m.printf("\n</details>\n\n")
		d.flush("the per-benchmark table of " + v.Name)
	}
}

// footer writes what was measured, where and how, in small print.
func (m *mdReport) footer() {
	run := m.run
	var parts []string
	if run.Module != "" {
		parts = append(parts, run.Module)
	}
	if run.GoVersion != "" {
		parts = append(parts, run.GoVersion)
	}
	h := run.Host
	if host := strings.Trim(h.GOOS+"/"+h.GOARCH, "/"); host != "" {
		if h.CPU != "" {
			host += " " + h.CPU
		}
		if h.NumCPU > 0 {
			host += fmt.Sprintf(" (%s)", plural(h.NumCPU, "CPU"))
		}
		parts = append(parts, host)
	}
	if n := len(run.Blocks); n > 0 {
		parts = append(parts, fmt.Sprintf("%s in %s", plural(n, "block"), plural(cycles(run), "cycle")))
	}
	if run.Options.Benchtime != "" {
		parts = append(parts, "benchtime "+run.Options.Benchtime)
	}
	parts = append(parts, fmt.Sprintf("seed %d", run.Options.Seed))
	if run.GotuneVersion != "" {
		parts = append(parts, "gotune "+run.GotuneVersion)
	}
	m.printf("<sub>%s</sub>\n", mdText(strings.Join(parts, " · ")))
}

// mdText escapes s for Markdown text, table cells included: characters
// that would start emphasis, code, links, HTML or end a cell.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range flatten(s) {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '#', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode returns s as an inline code span that is also safe in a table
// cell: backticks in s get a longer fence, and | is escaped (GitHub splits
// cells before it parses code spans).
func mdCode(s string) string {
	s = strings.ReplaceAll(flatten(s), "|", `\|`)
	if s == "" {
		return ""
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if fence != "`" || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// htmlEscape escapes the five HTML special characters.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(flatten(s))
}

// formatValue formats a value of a unit with an SI prefix and the base
// unit, e.g. "1.234µs" for 1.234e-6 sec/op, "64.00KiB" for 65536 B/op.
func formatValue(v float64, unit string) string {
	if !finite(v) {
		return "?"
	}
	v, u := benchunit.Tidy(v, unit)
	s := benchunit.Scale(v, benchunit.ClassOf(u))
	switch {
	case strings.HasPrefix(u, "sec/"):
		return s + "s"
	case strings.HasPrefix(u, "B/"):
		return s + "B"
	}
	return s
}
