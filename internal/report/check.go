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
	if v := verdictSentence(o.Run); v != "" {
		r.printf("%s\n\n", v)
	}
	fmt.Fprintf(ew, "Check: %s. %s\n", checkHeadline(o.Status), CheckSentence(o))
	if o.Against != "" {
		fmt.Fprintf(ew, "Compared with the saved result %s.\n", o.Against)
	}
	for _, c := range o.Candidates {
		if len(o.Candidates) > 1 || c.Status != o.Status {
			fmt.Fprintf(ew, "  %s\n", candidateSentence(o, c))
		}
		if len(c.Regressions) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "    benchmark\tchange (interval)\tbaseline\tcandidate\tp(Holm)\n")
		for _, ch := range c.Regressions {
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n", flatten(changeLabel(o, ch)),
				regressionCell(ch), changeValue(ch, ch.Base), changeValue(ch, ch.New), pCell(ch.PHolm))
		}
		tw.Flush()
	}
	for _, w := range o.Warnings {
		fmt.Fprintf(ew, "warning: %s\n", oneLine(w, 300))
	}
	return ew.err
}

// CheckSentence says the decision of a check in one or two sentences, in
// the reports' words: every change says slower or faster next to its
// number. It is the outcome's Reason for an undecided check, which holds
// no change.
func CheckSentence(o *check.Outcome) string {
	limit := limitWords(o.MaxRegression)
	switch o.Status {
	case check.Regression:
		return fmt.Sprintf("%s beyond %s (significant after Holm at alpha %g): %s.",
			plural(len(o.Regressions), "regression"), limit, o.Alpha, describeChanges(o, o.Regressions))
	case check.Pass:
		if len(o.Candidates) == 1 {
			return "No regression beyond " + limit + ": " + candidateSentence(o, o.Candidates[0])
		}
		if len(o.Candidates) > 1 {
			return fmt.Sprintf("No regression beyond %s in %s.", limit, plural(len(o.Candidates), "candidate"))
		}
	}
	return o.Reason
}

// candidateSentence says the decision on one candidate.
func candidateSentence(o *check.Outcome, c check.Candidate) string {
	limit := limitWords(o.MaxRegression)
	st := o.Run.Stats(c.Name)
	switch {
	case c.Status == check.Regression:
		return fmt.Sprintf("%s regressed beyond %s: %s.", c.Name, limit, describeChanges(o, c.Regressions))
	case c.Status != check.Pass || c.Overall == nil || st == nil || st.Change == nil:
		return c.Reason
	case st.Verdict == result.VerdictUnclear && o.MaxRegression > 0 && st.Detectable > o.MaxRegression:
		return c.Reason // it says what the run could detect
	}
	overall := overallOf(o.Run, c.Name)
	if st.Verdict != result.VerdictFaster && st.Verdict != result.VerdictSlower && st.Says != "" {
		overall = st.Says + ", " + overall
	}
	return fmt.Sprintf("%s: overall %s; no benchmark slower beyond %s.", c.Name, overall, limit)
}

// describeChanges lists regressions for people: "./api.BenchmarkQuote
// 12.3% slower (8.0% to 16.1%)", at most five, then how many more.
func describeChanges(o *check.Outcome, cs []check.Change) string {
	const show = 5
	var names []string
	for i, ch := range cs {
		if i == show {
			names = append(names, fmt.Sprintf("and %d more", len(cs)-show))
			break
		}
		names = append(names, changeLabel(o, ch)+" "+regressionCell(ch))
	}
	return strings.Join(names, ", ")
}

// limitWords formats the --max-regression limit: "5%", "2.5%".
func limitWords(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f*100), "0"), ".") + "%"
}

// regressionCell says a regression with its interval: "215.9% slower
// (211.1% to 221.4%)".
func regressionCell(ch check.Change) string {
	return changeCell(ch.Change, ch.UnitOrTime(), true)
}

// changeValue formats a median of a regressed benchmark; an overall
// change has no median of its own: "-".
func changeValue(ch check.Change, v float64) string {
	if ch.Benchmark == "" {
		return "-"
	}
	if ch.Unit != "" { // a service metric
		return serviceValue(v, ch.Unit)
	}
	return formatValue(v, ch.UnitOrTime())
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
// the other candidates and the warnings, then the run's summary, which
// does not list the slower benchmarks again. It stays under MarkdownLimit
// as Markdown does.
func CheckMarkdown(w io.Writer, o *check.Outcome, opts Options) error {
	if o == nil || o.Run == nil {
		return errors.New("report: no check outcome to render")
	}
	var d mdDoc
	ew := &d.cur
	icon := map[check.Status]string{check.Pass: "✅", check.Regression: "❌", check.Undecided: "⚠️"}[o.Status]
	fmt.Fprintf(ew, "### %s gotune check: %s\n\n", icon, checkHeadline(o.Status))
	if len(o.Regressions) > 0 {
		fmt.Fprintf(ew, "%s beyond %s (significant after Holm at alpha %g):\n\n", plural(len(o.Regressions), "regression"), limitWords(o.MaxRegression), o.Alpha)
	} else {
		fmt.Fprintf(ew, "%s\n\n", mdText(CheckSentence(o)))
	}
	if o.Against != "" {
		fmt.Fprintf(ew, "Compared with the saved result %s.\n\n", mdCode(o.Against))
	}
	if len(o.Regressions) > 0 {
		fmt.Fprintf(ew, "| candidate | benchmark | change (interval) | baseline | candidate | p (Holm) |\n")
		fmt.Fprintf(ew, "|---|---|--:|--:|--:|--:|\n")
		for i, ch := range o.Regressions {
			if i == maxMarkdownRegressions {
				fmt.Fprintf(ew, "| … | %d more |  |  |  |  |\n", len(o.Regressions)-i)
				break
			}
			fmt.Fprintf(ew, "| %s | %s | **%s** | %s | %s | %s |\n", mdCode(ch.Variant),
				mdText(changeLabel(o, ch)), mdText(regressionCell(ch)),
				mdText(changeValue(ch, ch.Base)), mdText(changeValue(ch, ch.New)), pCell(ch.PHolm))
		}
		fmt.Fprintf(ew, "\n")
	}
	var lines []string
	for _, c := range o.Candidates {
		// A regressed candidate is in the table above.
		if c.Status != check.Regression && (len(o.Candidates) > 1 || c.Status != o.Status) {
			lines = append(lines, "- "+mdText(candidateSentence(o, c)))
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
	m.bodyWith(&d, opts, false, false)
	_, err := io.WriteString(w, d.assemble(MarkdownLimit, fullReportHint(o.Run)))
	return err
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
