// Package reportcmd is `gotune report`, which renders a saved result
// again, and `gotune merge`, which joins the shards of a run.
package reportcmd

import (
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/report"
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
func NewCmdReport(f *cmdutil.Factory, runF func(context.Context, *ReportOptions) error) *cobra.Command {
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
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			fm, err := report.ParseFormat(format)
			if err != nil {
				return cmdutil.UsageError{Err: err}
			}
			opts.Format, opts.File = fm, args[0]
			if err := cmdutil.CheckOutputPath("-o", opts.Output); err != nil {
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

func reportRun(f *cmdutil.Factory, opts *ReportOptions) error {
	run, err := cmdutil.LoadResult(opts.File, os.Stdin)
	if err != nil {
		return cmdutil.UsageError{Err: err}
	}
	return cmdutil.WriteReport(f, opts.Output, func(w io.Writer) error {
		return report.Render(w, opts.Format, run, report.Options{Verbose: opts.Verbose})
	})
}
