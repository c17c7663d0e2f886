// Package report renders a gotune run: it is the last stage of the pipeline,
// after stats has analysed the result model (result.Run.Analysis). Every renderer reads the same
// result.Run and writes to the io.Writer it is given, which is stdout in the
// CLI, so a report never carries progress or log lines.
//
// Every format says a change the same way (words.go): its direction in
// words next to its number ("3.1% faster (2.7% to 3.5%)"), "~" and the
// interval when it is not significant, ranks only for significant
// differences, each note once.
//
// Text is the terminal report: a header, the ranked table of variants, notes,
// the verdict and the recommended build, and with Options.Verbose a
// benchstat-style table per variant. Markdown is a summary sized for a
// pull-request comment, regressions first, never longer than
// MarkdownLimit. HTML is one self-contained page: a verdict card, charts
// in the page's width (faster to the right everywhere) and tables. JSON
// writes the whole model with result.Encode (result.Decode reads it back,
// for `gotune report` and `gotune check`). Benchstat writes the samples
// in the Go benchmark format with the raw file's keys. Render picks
// one of them by Format, and RenderCheck renders the outcome of a check.
package report

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gotune/gotune/internal/result"
)

// Options tunes the text report. The zero value gives the summary report.
type Options struct {
	Verbose bool // add a per-benchmark table for every variant against the baseline
}

// maxFailures is how many run failures the notes list before summarising
// the rest in one line.
const maxFailures = 10

// Text writes the human report of run to w. It copes with a partially filled
// run (nothing measured, every variant failed, no stats) and never panics on
// one; the only errors are a nil run and write errors.
func Text(w io.Writer, run *result.Run, opts Options) error {
	if run == nil {
		return errors.New("report: no run to render")
	}
	ew := &errWriter{w: w}
	r := &textReport{run: run, w: ew}
	r.header()
	r.table()
	r.serviceTable()
	r.notes()
	if opts.Verbose {
		r.details()
	}
	r.verdict()
	return ew.err
}

// errWriter remembers the first write error so that rendering code can
// print freely and check once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

// Write writes p unless an earlier write failed.
func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// textReport holds the state of one Text call.
type textReport struct {
	run *result.Run
	w   io.Writer
}

// printf writes a formatted line part; errors are kept by the errWriter.
func (r *textReport) printf(format string, args ...any) {
	fmt.Fprintf(r.w, format, args...)
}

// newTable returns a tabwriter over the report's writer with the house
// spacing: two blanks between columns, left-aligned cells.
func (r *textReport) newTable() *tabwriter.Writer {
	return tabwriter.NewWriter(r.w, 0, 0, 2, ' ', 0)
}

// header writes the lines that say what was measured, where and how, with
// the seed that replays the run.
func (r *textReport) header() {
	run := r.run

	var line []string
	if run.Module != "" {
		line = append(line, "module "+run.Module)
	}
	if len(run.Packages) > 0 {
		line = append(line, packagesPhrase(run.Module, run.Packages))
	}
	if run.GoVersion != "" {
		line = append(line, run.GoVersion)
	}
	if run.GotuneVersion != "" {
		line = append(line, "gotune "+run.GotuneVersion)
	}
	r.headerLine(line)
	if rl := revisionsLine(run); rl != "" {
		r.printf("%s\n", rl)
	}

	line = nil
	h := run.Host
	if h.GOOS != "" || h.GOARCH != "" {
		line = append(line, "host "+strings.Trim(h.GOOS+"/"+h.GOARCH, "/"))
	}
	if h.CPU != "" {
		line = append(line, h.CPU)
	}
	if h.NumCPU > 0 {
		line = append(line, plural(h.NumCPU, "CPU"))
	}
	if h.GOAMD64Max != "" {
		line = append(line, "GOAMD64 up to "+h.GOAMD64Max)
	}
	r.headerLine(line)

	line = nil
	o := run.Options
	if n := len(run.Blocks); n > 0 {
		line = append(line, fmt.Sprintf("%s in %s", plural(n, "block"), plural(cycles(run), "cycle")))
	}
	if s := run.Search; s != nil && s.MeasureSeconds > 0 {
		line = append(line, fmt.Sprintf("%s measuring of %s budget", roundSeconds(s.MeasureSeconds), o.Budget))
	}
	if o.Benchtime != "" {
		line = append(line, "benchtime "+o.Benchtime)
	}
	if o.Bench != "" && o.Bench != "." {
		line = append(line, fmt.Sprintf("bench %q", o.Bench))
	}
	line = append(line, fmt.Sprintf("seed %d (replay with --seed %d)", o.Seed, o.Seed))
	if a := run.Analysis; a != nil && a.Alpha > 0 {
		line = append(line, fmt.Sprintf("alpha %g over variants and looks", a.Alpha))
	}
	r.headerLine(line)

	if !run.Started.IsZero() {
		s := "started " + run.Started.Format("2006-01-02 15:04:05 MST")
		if !run.Finished.IsZero() && run.Finished.After(run.Started) {
			s += ", took " + run.Finished.Sub(run.Started).Round(1e9).String()
		}
		r.printf("%s\n", s)
	}
	r.printf("\n")
}

// headerLine writes the parts of one header line, if there are any.
func (r *textReport) headerLine(parts []string) {
	if len(parts) > 0 {
		r.printf("%s\n", strings.Join(parts, ", "))
	}
}

// Column headers of the ranked table.
var tableHeader = []string{"#", "variant", "settings", "vs baseline (interval)", "verdict", "benchmarks", "B/op", "allocs/op", "size", "build"}

// table writes the ranked table: one row per variant, ranked ones first,
// and one line that says how to read it.
func (r *textReport) table() {
	if len(r.run.Variants) == 0 {
		r.printf("No variants in this run.\n\n")
		return
	}
	tw := r.newTable()
	fmt.Fprintln(tw, strings.Join(tableHeader, "\t"))
	for _, v := range orderVariants(r.run) {
		cells := r.row(v)
		for i, c := range cells {
			cells[i] = flatten(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	r.printf("%s\n\n", strings.Join(tableLegend(r.run), "\n"))
}

// tableLegend says once how to read the ranked table, in two lines.
func tableLegend(run *result.Run) []string {
	lines := []string{
		"faster/slower: time per operation against the baseline, the geometric mean over benchmarks paired block by block; ~ = not significant.",
		"Only significant differences are ranked; a variant that ties with the baseline shares its rank.",
	}
	if run.Options.Service != nil {
		lines[0] = serviceLegendFirst(run)
	}
	if a := run.Analysis; a != nil && a.Alpha > 0 {
		lines[1] = strings.TrimSuffix(lines[1], ".") + fmt.Sprintf("; intervals at each verdict's confidence (alpha %g over variants and looks).", a.Alpha)
	}
	return lines
}

// orderVariants returns the variants in table order: ranked ones by rank,
// then measured but unranked ones (baseline, same code, too few samples),
// then failed, build-failed and skipped ones, each group in matrix order.
// Variants screening did not build are left out: a note counts them.
func orderVariants(run *result.Run) []*result.Variant {
	vs := run.Variants
	rank := func(v *result.Variant) int { return statsOf(run, v.Name).Rank }
	group := func(v *result.Variant) int {
		switch {
		case rank(v) > 0:
			return 0
		case v.Status == result.StatusFailed:
			return 2
		case v.Status == result.StatusBuildFailed:
			return 3
		case v.Status == result.StatusSkipped:
			return 4
		default:
			return 1
		}
	}
	out := make([]*result.Variant, len(vs))
	out = out[:0]
	for i := range vs {
		if !screenedOut(&vs[i]) {
			out = append(out, &vs[i])
		}
	}
	slices.SortStableFunc(out, func(a, b *result.Variant) int {
		if ga, gb := group(a), group(b); ga != gb {
			return ga - gb
		}
		if rank(a) > 0 && rank(b) > 0 {
			return rank(a) - rank(b)
		}
		return 0
	})
	return out
}

// row returns the cells of v's table row. A variant that was skipped or
// did not build ends with its verdict, so that its reason, the last cell
// of its line, does not widen the verdict column.
func (r *textReport) row(v *result.Variant) []string {
	st := statsOf(r.run, v.Name)
	rank := "-"
	if st.Rank > 0 {
		rank = fmt.Sprint(st.Rank)
	}
	cells := []string{rank, v.Name, settingsString(v.Settings)}
	size, build := sizeCell(v.Builds), buildCell(v.Builds)
	switch v.Status {
	case result.StatusSkipped, result.StatusBuildFailed:
		return append(cells, "-", r.verdictCell(v, 100))
	case result.StatusFailed:
		if size == "-" && build == "-" {
			return append(cells, "-", r.verdictCell(v, 100))
		}
		return append(cells, "-", r.verdictCell(v, 32), "-", "-", "-", size, build)
	}

	sec := "n/a"
	switch {
	case v.Name == r.run.Baseline || v.SameCodeAs != "" && v.SameCodeAs == r.run.Baseline:
		sec = "baseline" // a twin of the baseline is the baseline's code
	case st.Change != nil:
		sec = overallCell(r.run, v)
	}
	counts := "-"
	if v.Name != r.run.Baseline && (st.Change != nil || st.Improved+st.Worse+st.Unchanged > 0) {
		counts = countsCell(st)
	}
	return append(cells, sec, r.verdictCell(v, 40), counts, amountCell(st.Bytes, st.BytesSignificant), amountCell(st.Allocs, st.AllocsSignificant), size, build)
}

// verdictCell returns the verdict column of v in words: winner, faster,
// slower, same speed, could not tell, baseline, same code as, or what
// happened to a variant that was not measured; a reason is cut to max
// runes. The numbers are in the change column.
func (r *textReport) verdictCell(v *result.Variant, max int) string {
	switch v.Status {
	case result.StatusSkipped:
		return withReason("skipped", v.Reason, max)
	case result.StatusBuildFailed:
		return withReason("build failed", v.Reason, max)
	case result.StatusFailed:
		return withReason("failed", v.Reason, max)
	}
	if v.Name != "" && v.Name == analysisOf(r.run).Winner {
		return "winner"
	}
	st := statsOf(r.run, v.Name)
	switch st.Verdict {
	case "", result.VerdictNotMeasured:
		return "not compared"
	case result.VerdictBaseline:
		return "baseline"
	case result.VerdictFaster, result.VerdictSlower:
		return st.Verdict
	case result.VerdictSameCode:
		if v.SameCodeAs != "" {
			return "same code as " + v.SameCodeAs
		}
	}
	if st.Says != "" {
		return st.Says
	}
	return st.Verdict
}

// withReason returns "what: reason" with the reason on one line.
func withReason(what, reason string, max int) string {
	if reason = oneLine(reason, max); reason == "" {
		return what
	}
	return what + ": " + reason
}

// verdict writes the run's verdict sentence and what to do about it: the
// winner's build line, or why to keep the current build.
func (r *textReport) verdict() {
	var paras []string
	if v := verdictSentence(r.run); v != "" {
		paras = append(paras, v)
	}
	a := r.advice()
	if a.winner != "" {
		rec := fmt.Sprintf("Recommended build (%s):\n  %s", a.winner, a.buildLine)
		if a.toolchain != "" {
			rec += "\n" + a.toolchain
		}
		if a.runEnv != "" {
			rec += "\nand run it with " + a.runEnv + " in its environment"
		}
		if a.profile != "" {
			rec += "\nIts profile is not the target's default.pgo yet; commit it with:\n  " + a.profile
		}
		paras = append(paras, rec)
	} else {
		var lines []string
		if len(a.lines) > 0 {
			lines = append(lines, strings.Join(a.lines, " "))
		}
		if a.detect != "" {
			lines = append(lines, a.detect)
		}
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, "\n"))
		}
	}
	if len(paras) > 0 {
		r.printf("%s\n", strings.Join(paras, "\n\n"))
	}
}

// verdictSentence says what the run found, with the winner's speed-up and
// its interval in words; the stats' sentence when nothing won.
func verdictSentence(run *result.Run) string {
	head, tail := verdictParts(run)
	return strings.TrimSpace(head + " " + tail)
}

// verdictParts returns the verdict sentence in two parts: the winner's
// speed-up (or the stats' sentence when nothing won), and what else was
// faster.
func verdictParts(run *result.Run) (head, tail string) {
	an := analysisOf(run)
	st := run.Stats(an.Winner)
	if an.Winner == "" || st == nil || st.Change == nil {
		return strings.TrimSpace(an.VerdictText), ""
	}
	head = fmt.Sprintf("%s is %s than the baseline %s.", an.Winner, timeWords(st.Change.Center), intervalWords(*st.Change, "sec/op", oneWay(*st.Change, "sec/op")))
	s := ""
	others := 0
	for _, o := range an.Variants {
		if o.Verdict == result.VerdictFaster && o.Name != an.Winner {
			others++
		}
	}
	switch {
	case others == 1:
		s = fmt.Sprintf("1 other variant is faster too; %s is the fastest, or ties with it and is the simpler build.", an.Winner)
	case others > 1:
		s = fmt.Sprintf("%d other variants are faster too; %s is the fastest, or ties with them and is the simpler build.", others, an.Winner)
	}
	return head, s
}

// advice is what a report tells the user to do: build the winner, or keep
// the current build and why.
type advice struct {
	winner    string // the winning variant, "" when nothing won
	buildLine string // the winner's go build line
	runEnv    string // the winner's run-time environment, "" for none
	toolchain string // how to make the winner's Go toolchain the module's, "" for none
	profile   string // the command that commits the winner's profile, "" when none is needed
	lines     []string
	detect    string // the smallest change the run could detect, as a sentence
}

// pgoFlag matches a -pgo flag of a build line, its value quoted or not.
var pgoFlag = regexp.MustCompile(`-pgo=('[^']*'|\S+) `)

// advice returns what to do about the run's result.
func (r *textReport) advice() advice {
	run := r.run
	an := analysisOf(run)
	if an.Winner != "" {
		line, env := "", ""
		if w := run.Variant(an.Winner); w != nil {
			line, env = w.BuildLine, strings.Join(w.RunEnv, " ")
		}
		if line == "" {
			line = "(no build line recorded for " + an.Winner + ")"
		}
		p := an.Recommendation.Profile
		if p != nil && p.Applied {
			// --apply wrote the profile as default.pgo, which go build
			// finds by itself (-pgo=auto).
			line = pgoFlag.ReplaceAllString(line, "")
		}
		a := advice{winner: an.Winner, buildLine: line, runEnv: env, toolchain: toolchainAdvice(run, run.Variant(an.Winner))}
		if p != nil && !p.Applied && p.Command != "" {
			a.profile = p.Command
		}
		return a
	}
	var a advice
	compared := false
	for i := range run.Variants {
		v := &run.Variants[i]
		if v.Name != run.Baseline && statsOf(run, v.Name).Change != nil {
			compared = true
		}
	}
	if base := run.Variant(run.Baseline); base == nil || base.Status != result.StatusOK {
		a.lines = append(a.lines, "No recommendation: the baseline was not measured.")
		if len(run.Failures) > 0 {
			a.lines = append(a.lines, "Fix the failures above and run again.")
		}
		return a
	}
	if !compared {
		a.lines = append(a.lines, "Keep your current build: no variant could be compared with it.")
	}
	if an.Detectable > 0 && !strings.Contains(an.VerdictText, "could detect") {
		// Said once: the verdict sentence often says it already.
		a.detect = fmt.Sprintf("This run could detect changes of about %.1f%% or more.", an.Detectable*100)
	}
	if an.Noise != nil {
		a.detect = strings.TrimSpace(a.detect + " " + an.Noise.Text)
	}
	return a
}

// cycles counts the cycles of a run's blocks.
func cycles(run *result.Run) int {
	n := 0
	for _, b := range run.Blocks {
		n = max(n, b.Cycle)
	}
	return n
}

// roundSeconds formats seconds as a duration to the second.
func roundSeconds(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(time.Second).String()
}
