package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/perf/benchunit"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/result"
)

// maxMarkdownRegressions is how many slower benchmarks the Markdown summary
// lists before counting the rest.
const maxMarkdownRegressions = 10

// Markdown writes a summary of run in GitHub-flavoured Markdown, sized for a
// pull-request comment or $GITHUB_STEP_SUMMARY: a headline with the outcome,
// the verdict sentence, the benchmarks that got significantly slower (worst
// first, before anything else), the ranked table with each variant's
// overall change and its interval, the recommended build, and
// notes and run details folded away. With Options.Verbose it adds the
// per-benchmark comparisons of every variant, folded too.
func Markdown(w io.Writer, run *result.Run, opts Options) error {
	if run == nil {
		return errors.New("report: no run to render")
	}
	ew := &errWriter{w: w}
	m := &mdReport{textReport: textReport{run: run, w: ew}}
	m.headline("###")
	m.body(opts, true)
	return ew.err
}

// mdReport holds the state of one Markdown rendering; it borrows the
// text report's cells and notes.
type mdReport struct {
	textReport
}

// headline writes the one line a reader sees first.
func (m *mdReport) headline(level string) {
	run := m.run
	a := m.advice()
	switch {
	case a.winner != "":
		h := fmt.Sprintf("%s gotune: %s is the fastest build", level, mdCode(a.winner))
		if st := statsOf(run, a.winner); st.Change != nil {
			h += fmt.Sprintf(" (%s: %s)", st.Says, ratioCell(*st.Change))
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

// body writes everything below the headline; recommend adds the
// recommended build.
func (m *mdReport) body(opts Options, recommend bool) {
	run := m.run
	if v := strings.TrimSpace(analysisOf(run).VerdictText); v != "" {
		m.printf("%s\n\n", mdText(v))
	}
	m.slower()
	m.table()
	if recommend {
		m.recommendation()
	}
	m.notes()
	if opts.Verbose {
		m.details()
	}
	m.footer()
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
	m.printf("| variant | benchmark | time change [95%% interval] | baseline | variant | p (Holm) |\n")
	m.printf("|---|---|--:|--:|--:|--:|\n")
	for i, r := range rows {
		if i == maxMarkdownRegressions {
			m.printf("| … | %d more |  |  |  |  |\n", len(rows)-i)
			break
		}
		c := r.c
		m.printf("| %s | %s | **%s** | %s | %s | %s |\n",
			mdCode(r.variant), mdText(check.BenchLabel(m.run.Module, c.Package, c.Benchmark)), deltaCell(c),
			mdText(valueCell(c.Base, c.Unit)), mdText(valueCell(c.New, c.Unit)), pCell(c.PHolm))
	}
	m.printf("\n")
}

// Column headers of the Markdown table and their alignment.
var (
	mdHeader = []string{"#", "variant", "settings", "time vs base [interval]", "verdict", "+/-/=", "B/op", "allocs/op", "size", "build"}
	mdAlign  = []string{"--:", "---", "---", "--:", "---", ":-:", "--:", "--:", "--:", "--:"}
)

// table writes the ranked table, one row per variant.
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
	m.printf("\n")
}

// recommendation writes the winner's build line, or why to keep the
// current build.
func (m *mdReport) recommendation() {
	a := m.advice()
	if a.winner != "" {
		m.printf("**Recommended build** (%s):\n\n```sh\n%s\n```\n\n", mdCode(a.winner), a.buildLine)
		if a.runEnv != "" {
			m.printf("and run it with %s in its environment.\n\n", mdCode(a.runEnv))
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
// folded, one section per variant.
func (m *mdReport) details() {
	for i := range m.run.Variants {
		v := &m.run.Variants[i]
		cmps := comparisonsOf(analysisOf(m.run).Comparisons, v.Name)
		if v.Name == m.run.Baseline || len(cmps) == 0 {
			continue
		}
		m.printf("<details><summary>%s vs %s: per-benchmark results</summary>\n\n", htmlEscape(v.Name), htmlEscape(m.run.Baseline))
		m.printf("| benchmark | unit | baseline | %s | change [95%% interval] | p (Holm) |\n|---|---|--:|--:|--:|--:|\n", mdText(v.Name))
		rows := slices.Clone(cmps)
		slices.SortStableFunc(rows, func(a, b *result.Comparison) int {
			return unitRank(tidyUnit(a.Unit)) - unitRank(tidyUnit(b.Unit))
		})
		for _, c := range rows {
			delta := deltaCell(c)
			if c.Significant {
				delta = "**" + delta + "**"
			}
			m.printf("| %s | %s | %s | %s | %s | %s |\n",
				mdText(check.BenchLabel(m.run.Module, c.Package, c.Benchmark)), mdText(tidyUnit(c.Unit)),
				mdText(valueCell(c.Base, c.Unit)), mdText(valueCell(c.New, c.Unit)), delta, pCell(c.PHolm))
		}
		m.printf("\n</details>\n\n")
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
