package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/result"
)

// RenderCheck writes the outcome of `gotune check` in format f. Text and
// Markdown put the decision with every regressed benchmark (its change, the
// interval of the change and its Holm-adjusted p-value) next to the report
// of the run it was decided on: text after the run's report, where a CI
// log's tail shows it, Markdown before it, where a pull-request comment
// starts. JSON writes the outcome with the run inside; HTML and benchstat
// write the run alone.
func RenderCheck(w io.Writer, f Format, o *check.Outcome, opts Options) error {
	if o == nil || o.Run == nil {
		return errors.New("report: no check outcome to render")
	}
	switch f {
	case FormatText, "":
		return CheckText(w, o, opts)
	case FormatMarkdown:
		return CheckMarkdown(w, o, opts)
	case FormatJSON:
		return CheckJSON(w, o)
	}
	return Render(w, f, o.Run, opts)
}

// checkHeadline returns the title of an outcome's status.
func checkHeadline(s check.Status) string {
	switch s {
	case check.Pass:
		return "pass"
	case check.Regression:
		return "regression"
	}
	return "could not decide"
}

// CheckText writes the run's text report without its advice on which
// build to use, then the check's decision.
func CheckText(w io.Writer, o *check.Outcome, opts Options) error {
	if o == nil || o.Run == nil {
		return errors.New("report: no check outcome to render")
	}
	ew := &errWriter{w: w}
	r := &textReport{run: o.Run, w: ew}
	r.header()
	r.table()
	r.notes()
	if opts.Verbose {
		r.details()
	}
	if v := strings.TrimSpace(analysisOf(o.Run).VerdictText); v != "" {
		r.printf("%s\n\n", v)
	}
	fmt.Fprintf(ew, "Check: %s. %s\n", checkHeadline(o.Status), o.Reason)
	if o.Against != "" {
		fmt.Fprintf(ew, "Compared with the saved result %s.\n", o.Against)
	}
	for _, c := range o.Candidates {
		if len(o.Candidates) > 1 || c.Status != o.Status || len(c.Regressions) > 0 {
			fmt.Fprintf(ew, "  %s\n", c.Reason)
		}
		if len(c.Regressions) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "    benchmark\tchange [interval]\tbaseline\tcandidate\tp(Holm)\n")
		for _, ch := range c.Regressions {
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n", flatten(changeLabel(o, ch)),
				changeWithCI(ch), changeValue(ch, ch.Base), changeValue(ch, ch.New), pCell(ch.PHolm))
		}
		tw.Flush()
	}
	for _, w := range o.Warnings {
		fmt.Fprintf(ew, "warning: %s\n", oneLine(w, 300))
	}
	return ew.err
}

// changeWithCI formats a change with its interval, e.g.
// "+912.4% [+880.1%, +950.2%]".
func changeWithCI(ch check.Change) string {
	pc := func(d float64) string {
		if !finite(d) {
			return "?"
		}
		return fmt.Sprintf("%+.1f%%", d*100)
	}
	return fmt.Sprintf("%s [%s, %s]", pc(ch.Delta()), pc(ch.Change.Lo-1), pc(ch.Change.Hi-1))
}

// changeValue formats a median of a regressed benchmark; an overall
// change has no median of its own: "-".
func changeValue(ch check.Change, v float64) string {
	if ch.Benchmark == "" {
		return "-"
	}
	return formatValue(v, "sec/op")
}

// changeLabel names what changed: a benchmark, or a candidate overall.
func changeLabel(o *check.Outcome, ch check.Change) string {
	if ch.Benchmark == "" {
		return ch.Variant + " (overall)"
	}
	return check.BenchLabel(o.Run.Module, ch.Package, ch.Benchmark)
}

// CheckMarkdown writes the check's decision for a pull-request comment or
// $GITHUB_STEP_SUMMARY: a headline, the regressed benchmarks worst first,
// the warnings, then the run's summary.
func CheckMarkdown(w io.Writer, o *check.Outcome, opts Options) error {
	if o == nil || o.Run == nil {
		return errors.New("report: no check outcome to render")
	}
	ew := &errWriter{w: w}
	icon := map[check.Status]string{check.Pass: "✅", check.Regression: "❌", check.Undecided: "⚠️"}[o.Status]
	fmt.Fprintf(ew, "### %s gotune check: %s\n\n", icon, checkHeadline(o.Status))
	fmt.Fprintf(ew, "%s\n\n", mdText(o.Reason))
	if o.Against != "" {
		fmt.Fprintf(ew, "Compared with the saved result %s.\n\n", mdCode(o.Against))
	}
	if len(o.Regressions) > 0 {
		fmt.Fprintf(ew, "| candidate | benchmark | time change [interval] | baseline | candidate | p (Holm) |\n")
		fmt.Fprintf(ew, "|---|---|--:|--:|--:|--:|\n")
		for i, ch := range o.Regressions {
			if i == maxMarkdownRegressions {
				fmt.Fprintf(ew, "| … | %d more |  |  |  |  |\n", len(o.Regressions)-i)
				break
			}
			fmt.Fprintf(ew, "| %s | %s | %s | %s | %s | %s |\n", mdCode(ch.Variant),
				mdText(changeLabel(o, ch)), mdText(changeWithCI(ch)),
				mdText(changeValue(ch, ch.Base)), mdText(changeValue(ch, ch.New)), pCell(ch.PHolm))
		}
		fmt.Fprintf(ew, "\n")
	}
	var lines []string
	for _, c := range o.Candidates {
		if len(o.Candidates) > 1 || c.Status != o.Status {
			lines = append(lines, "- "+mdText(c.Reason))
		}
	}
	for _, w := range o.Warnings {
		lines = append(lines, "- ⚠️ "+mdText(oneLine(w, 300)))
	}
	if len(lines) > 0 {
		fmt.Fprintf(ew, "%s\n\n", strings.Join(lines, "\n"))
	}
	m := &mdReport{textReport: textReport{run: o.Run, w: ew}}
	fmt.Fprintf(ew, "#### The run\n\n")
	m.body(opts, false)
	return ew.err
}

// CheckJSON writes the outcome, the analysed run included, as indented
// JSON.
func CheckJSON(w io.Writer, o *check.Outcome) error {
	if o == nil || o.Run == nil {
		return errors.New("report: no check outcome to write")
	}
	var run bytes.Buffer
	if err := result.Encode(&run, o.Run); err != nil { // refuses NaNs with the field's name
		return err
	}
	type outcome check.Outcome
	v := struct {
		*outcome
		Run json.RawMessage `json:"run"`
	}{(*outcome)(o), json.RawMessage(run.Bytes())}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("report: encoding JSON: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
