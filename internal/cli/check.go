package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/tune"
)

// CheckOptions are the inputs of `gotune check`.
type CheckOptions struct {
	Tune          tune.Options
	Against       string        // --against FILE: mode B
	MaxRegression float64       // fraction: 0.05 = 5%
	Format        report.Format // --format
	Output        string        // -o FILE; "" = stdout
	JSON          string        // --json FILE: this run's result, a later --against
	Verbose       bool
	StepSummary   string // $GITHUB_STEP_SUMMARY
	// Pinned tells which run settings were given as flags; the others
	// come from the saved result in mode B.
	Pinned struct{ Count, Bench, Benchtime bool }
}

// NewCmdCheck returns `gotune check`, the CI gate. runF replaces the check
// in tests.
func NewCmdCheck(f *Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{}
	var mf matrixFlags
	var format, maxReg string
	c := &cobra.Command{
		Use:   "check [packages]",
		Short: "Fail a CI job when a build got significantly slower (exit 1), never on noise",
		Long: `Check is the pre-release gate for continuous integration. It measures, then
decides whether a build regressed, and says so in its exit status:

  0  no significant regression beyond --max-regression (default 5%)
  1  a regression: each regressed benchmark is named with its change and
     its confidence interval
  2  bad input, or the data cannot decide (too few samples: raise --count;
     a build that failed or was skipped)

A benchmark regresses only when its sec/op comparison is significant after
Holm correction over every comparison of the run and its median is slower
by more than --max-regression, so noise does not fail builds.

Two ways to check:

  In one run: give the candidate build with the axis flags of 'gotune run'
  (or a gotune.yaml with variants). The baseline (your plain go build) and
  every candidate are measured interleaved, and every candidate is checked
  against the baseline:

    gotune check --ldflags '-s -w -X main.version=1.2.3'

  Against a saved result: --against FILE compares this commit's baseline
  build with the baseline of a result saved from an earlier commit (with
  'gotune run --baseline-only --json FILE', or --json of any run or check).
  Count, bench and benchtime default to the saved run's; a different host
  CPU or Go version is warned about:

    gotune check --against main.json

The report goes to stdout (--format text, markdown or json; html and
benchstat render the run), progress and the one-line decision to stderr.
When $GITHUB_STEP_SUMMARY is set, the Markdown summary is appended to it.`,
		Example: `  gotune check --ldflags '-X main.mode=release' --count 10
  gotune run --baseline-only --json base.json -C ../base && gotune check --against base.json
  gotune check --against main.json --format markdown -o summary.md --max-regression 2%`,
		RunE: func(c *cobra.Command, args []string) error {
			if err := mf.apply(c, args, &opts.Tune); err != nil {
				return err
			}
			fl := c.Flags()
			if fl.Changed("count") && opts.Tune.Count < 1 {
				return usagef("--count %d: want at least 1 round (10 or more for a verdict)", opts.Tune.Count)
			}
			opts.Pinned.Count, opts.Pinned.Bench, opts.Pinned.Benchtime = fl.Changed("count"), fl.Changed("bench"), fl.Changed("benchtime")
			var err error
			if opts.MaxRegression, err = parsePercent(maxReg); err != nil {
				return usagef("--max-regression %q: %v", maxReg, err)
			}
			fm, err := report.ParseFormat(format)
			if err != nil {
				return usageError{err}
			}
			opts.Format = fm
			if err := checkOutputPath(opts.Output); err != nil {
				return err
			}
			if opts.Against != "" && axesGiven(opts.Tune.Axes) {
				return usagef("--against compares this commit's baseline build with the saved one: drop the axis flags, or drop --against to check a candidate build in one run")
			}
			if opts.Against == "" && !axesGiven(opts.Tune.Axes) && opts.Tune.Config == "" && !hasConfig(opts.Tune.Dir) {
				return usagef("check needs a candidate: give its build settings with axis flags (e.g. --ldflags '-X main.mode=release'), variants in gotune.yaml, or a saved result with --against FILE")
			}
			opts.StepSummary = os.Getenv(stepSummaryEnv)
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return checkRun(c.Context(), f, opts)
		},
	}
	mf.register(c)
	fl := c.Flags()
	fl.StringVar(&opts.Against, "against", "", "compare this commit's baseline with the baseline of a saved result `file` (JSON)")
	fl.StringVar(&maxReg, "max-regression", "5%", "the largest slowdown of a benchmark that passes, as a `percent`")
	registerMeasureFlags(fl, &opts.Tune, ", or the saved run's")
	fl.BoolVar(&opts.Tune.NoDedupe, "no-dedupe", false, "measure a candidate with the baseline's compiled code anyway")
	fl.StringVar(&format, "format", string(report.FormatText), "report `format`: "+report.FormatList())
	fl.StringVarP(&opts.Output, "output", "o", "", "write the report to `file` instead of stdout")
	fl.StringVar(&opts.JSON, "json", "", "also write this run's result to `file`: the --against of a later check")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "add per-benchmark detail to the report")
	return c
}

// hasConfig reports whether the target directory holds a gotune.yaml.
func hasConfig(dir string) bool {
	if dir == "" {
		dir = "."
	}
	_, err := os.Stat(filepath.Join(dir, "gotune.yaml"))
	return err == nil
}

// parsePercent reads a percentage such as "5%", "5" or "2.5%" as a
// fraction (0.05, 0.05, 0.025).
func parsePercent(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	switch {
	case err != nil:
		return 0, errors.New("want a percentage such as 5% or 2.5")
	case v < 0 || math.IsNaN(v):
		return 0, errors.New("want a percentage of 0 or more")
	case v > 10000:
		return 0, errors.New("want a percentage of at most 10000%")
	}
	return v / 100, nil
}

// regressionError is the one error of a check with exit status 1.
type regressionError struct{ reason string }

func (e regressionError) Error() string { return "check failed: " + e.reason }

// checkRun measures, decides and reports. Exit status 1 is kept for a
// regression: every other failure (a build tool that broke, a report that
// could not be written) means the check could not decide, status 2.
func checkRun(ctx context.Context, f *Factory, opts *CheckOptions) error {
	err := decide(ctx, f, opts)
	if err == nil || errors.As(err, new(regressionError)) || errors.Is(err, errInterrupted) || errors.As(err, new(usageError)) {
		return err
	}
	return usageError{fmt.Errorf("could not decide: %w", err)}
}

// decide is checkRun without the mapping of errors to exit statuses.
func decide(ctx context.Context, f *Factory, opts *CheckOptions) error {
	var saved *result.Run
	if opts.Against != "" {
		var err error
		saved, err = loadResult(opts.Against, os.Stdin)
		if err != nil {
			return usagef("--against %v", err)
		}
		if b := saved.Variant(saved.Baseline); b == nil || b.Status != result.StatusOK {
			return usagef("--against %s: its baseline was not measured: save a result whose baseline was measured ('gotune run --baseline-only --json FILE')", opts.Against)
		}
		if !opts.Pinned.Count && saved.Count > 0 {
			opts.Tune.Count = saved.Count
		}
		if !opts.Pinned.Bench && saved.Bench != "" {
			opts.Tune.Bench = saved.Bench
		}
		if !opts.Pinned.Benchtime && saved.Benchtime != "" {
			opts.Tune.Benchtime = saved.Benchtime
		}
	}

	opts.Tune.Runner = f.Runner
	opts.Tune.Log = f.Stderr
	opts.Tune.Version = Version
	// A CI gate measures every candidate for every round, afresh.
	run, err := measure(ctx, opts.Tune, tune.GridOptions(), saved != nil)
	if run == nil {
		return classify(err)
	}
	if err != nil {
		return classify(err) // interrupted: the run folder has what was measured
	}
	if opts.JSON != "" {
		if werr := tune.WriteJSON(opts.JSON, run); werr != nil {
			return fmt.Errorf("writing --json: %v", werr)
		}
	}

	checked := run
	var warns []string
	if saved != nil {
		checked, warns, err = check.Against(saved, run)
		if err != nil {
			return usagef("could not decide: %v", err)
		}
	}
	o := check.Evaluate(checked, check.Options{MaxRegression: opts.MaxRegression, Seed: run.Seed})
	o.Against = opts.Against
	o.Warnings = append(o.Warnings, warns...)
	for _, w := range warns {
		fmt.Fprintf(f.Stderr, "gotune: warning: %s\n", w)
	}

	ropts := report.Options{Verbose: opts.Verbose}
	if err := writeReport(f, opts.Output, func(w io.Writer) error {
		return report.RenderCheck(w, opts.Format, o, ropts)
	}); err != nil {
		return err
	}
	appendStepSummary(f, opts.StepSummary, func(w io.Writer) error { return report.CheckMarkdown(w, o, ropts) })

	switch o.Status {
	case check.Pass:
		fmt.Fprintf(f.Stderr, "gotune: check passed: %s\n", o.Reason)
		return nil
	case check.Regression:
		return regressionError{o.Reason}
	}
	return usagef("could not decide: %s", o.Reason)
}
