package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/gotune/gotune/internal/atomicfile"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
)

// ReportOptions are the inputs of `gotune report`.
type ReportOptions struct {
	File    string        // the saved result; "-" = standard input
	Format  report.Format // --format
	Output  string        // -o FILE; "" = stdout
	Verbose bool
}

// NewCmdReport returns `gotune report`, which renders a saved result again.
// runF replaces the rendering in tests.
func NewCmdReport(f *Factory, runF func(context.Context, *ReportOptions) error) *cobra.Command {
	opts := &ReportOptions{}
	var format string
	c := &cobra.Command{
		Use:   "report RESULT.json",
		Short: "Render a saved result again: text, Markdown, HTML with charts, JSON or benchstat",
		Long: `Report reads a result saved with 'gotune run --json FILE' (or the result.json
of any run folder) and renders it in another format, without measuring
anything:

  text       the terminal report (the default)
  markdown   a summary for a pull-request comment or $GITHUB_STEP_SUMMARY
  html       one self-contained page: the ranked table, a bar chart of each
             variant's geomean change with its confidence interval,
             per-benchmark charts, and speed against binary size
  json       the whole result again
  benchstat  every sample in the Go benchmark format, with the keys of the
             run folder's results.txt (variant, one per axis, block), for
             'benchstat -table pkg -col variant -ignore block FILE' (every
             variant against the baseline) or
             'benchstat -col goamd64 -ignore variant,block FILE' (one axis)

RESULT.json may be - to read standard input.`,
		Example: `  gotune report result.json --format markdown
  gotune report result.json --format html -o report.html
  gotune report result.json --format benchstat -o bench.txt && benchstat -table pkg -col variant -ignore block bench.txt`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			fm, err := report.ParseFormat(format)
			if err != nil {
				return usageError{err}
			}
			opts.Format, opts.File = fm, args[0]
			if err := checkOutputPath("-o", opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return reportRun(f, opts)
		},
	}
	fl := c.Flags()
	fl.StringVar(&format, "format", string(report.FormatText), "report `format`: "+report.FormatList())
	fl.StringVarP(&opts.Output, "output", "o", "", "write the report to `file` instead of stdout")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "add per-benchmark detail to the text and Markdown reports")
	return c
}

func reportRun(f *Factory, opts *ReportOptions) error {
	run, err := loadResult(opts.File, os.Stdin)
	if err != nil {
		return usageError{err}
	}
	return writeReport(f, opts.Output, func(w io.Writer) error {
		return report.Render(w, opts.Format, run, report.Options{Verbose: opts.Verbose})
	})
}

// loadResult reads a saved result from path, or from stdin when path is
// "-", with an error that names the file and what to do.
func loadResult(path string, stdin io.Reader) (*result.Run, error) {
	r := stdin
	name := "standard input"
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: no such file: give the path of a result saved with 'gotune run --json FILE'", path)
			}
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		defer file.Close()
		r, name = file, path
	}
	run, err := result.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return run, nil
}

// writeReport renders a report into path, or to stdout when path is "" or
// "-". A file is written whole or not at all (a temporary file renamed
// into place), and its path is logged on stderr.
func writeReport(f *Factory, path string, render func(io.Writer) error) error {
	if path == "" || path == "-" {
		return render(f.Stdout)
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("writing -o %s: %v", path, err)
	}
	fmt.Fprintf(f.Stderr, "gotune: report written to %s\n", path)
	return nil
}

// stepSummaryEnv is the variable GitHub Actions sets to the file whose
// Markdown it shows on the run's summary page.
const stepSummaryEnv = "GITHUB_STEP_SUMMARY"

// appendStepSummary appends a Markdown summary to the step-summary file,
// when there is one. A failure to write it is a warning on stderr, not an
// error: the report itself went out.
func appendStepSummary(f *Factory, path string, render func(io.Writer) error) {
	if path == "" {
		return
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		fmt.Fprintf(f.Stderr, "gotune: warning: $%s: %v\n", stepSummaryEnv, err)
		return
	}
	buf.WriteString("\n")
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = file.Write(buf.Bytes())
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(f.Stderr, "gotune: warning: could not write the summary to $%s: %v\n", stepSummaryEnv, err)
	}
}
