package cli

import (
	"github.com/gotune/gotune/internal/axis"

	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/tune"
)

// RunOptions are the inputs of `gotune run`.
type RunOptions struct {
	Tune    tune.Options
	Search  tune.SearchOptions // --search, --race, --fresh, --resume, --calibrate, --budget, --quiet
	JSON    string             // --json FILE
	Format  report.Format      // --format
	Output  string             // -o FILE; "" = stdout
	Verbose bool
	// BaselineOnly measures the baseline build alone: the saved result a
	// later `gotune check --against` compares with.
	BaselineOnly bool
	// StepSummary is the file of $GITHUB_STEP_SUMMARY; when set, a Markdown
	// summary is appended to it.
	StepSummary string
}

// matrixFlags are the axis flags shared by run, matrix and check: one
// flag per axis of the table.
type matrixFlags struct {
	vals map[string]*[]string
}

func (m *matrixFlags) register(c *cobra.Command) {
	m.vals = map[string]*[]string{}
	for _, a := range axis.All {
		p := new([]string)
		m.vals[a.Name] = p
		c.Flags().StringArrayVar(p, a.Name, nil, a.Usage)
	}
}

// axes validates the flags into axis values; an axis not given is absent.
func (m *matrixFlags) axes(c *cobra.Command) (axis.Values, error) {
	raw := axis.Values{}
	for _, a := range axis.All {
		if c.Flags().Changed(a.Name) {
			raw[a.Name] = orEmpty(*m.vals[a.Name])
		}
	}
	ax, err := axis.ParseFlagValues(raw)
	if err != nil {
		return ax, usageError{err}
	}
	return ax, nil
}

// registerMeasureFlags adds the flags that say what and how to measure,
// shared by run and check; orElse names where an unset value comes from
// besides the default (check: ", or the saved run's").
func registerMeasureFlags(fl *pflag.FlagSet, o *tune.Options, orElse string) {
	fl.IntVar(&o.Count, "count", 0, "rounds: samples per benchmark and variant (default 10"+orElse+")")
	fl.StringVar(&o.Bench, "bench", "", "run only benchmarks matching `regexp`, as go test -bench (default ."+orElse+")")
	fl.StringVar(&o.Benchtime, "benchtime", "", "run each benchmark for `t` per trial, as go test -benchtime: 500ms or 100x (default "+tune.DefaultBenchtime+orElse+")")
	fl.DurationVar(&o.Timeout, "timeout", 0, "kill a trial after `d` (default: 1m plus 10× the benchtime per benchmark)")
	fl.Int64Var(&o.Seed, "seed", 0, "seed of the round order; a run prints its seed so it can be replayed (default random)")
	fl.StringVar(&o.Config, "config", "", "matrix `file` (default: gotune.yaml in the target, when present)")
	fl.IntVar(&o.MaxVariants, "max-variants", 0, fmt.Sprintf("refuse matrices larger than `n` variants (default %d)", matrix.DefaultMaxVariants))
	fl.StringVar(&o.WorkDir, "workdir", "", "where binaries and results go (default: the user cache dir); never inside the target")
}

// apply fills the target, packages and axes of o from the command line,
// as run, matrix and check share them.
func (m *matrixFlags) apply(c *cobra.Command, args []string, o *tune.Options) error {
	ax, err := m.axes(c)
	if err != nil {
		return err
	}
	o.Axes = ax
	o.Dir = chdirFlag(c)
	if len(args) > 0 {
		o.Packages = args
	}
	return nil
}

// axesGiven reports whether any axis flag was given.
func axesGiven(ax axis.Values) bool {
	return len(ax) > 0
}

// orEmpty keeps a flag that was given with an empty value (--ldflags ”)
// from reading as "not given".
func orEmpty(v []string) []string {
	if v == nil {
		return []string{""}
	}
	return v
}

// NewCmdRun returns `gotune run`. runF replaces the run in tests.
func NewCmdRun(f *Factory, runF func(context.Context, *RunOptions) error) *cobra.Command {
	opts := &RunOptions{}
	race := new(bool)
	var mf matrixFlags
	var format string
	c := &cobra.Command{
		Use:   "run [packages]",
		Short: "Build the matrix, measure it in interleaved rounds, and report the fastest build",
		Long: `Run builds the packages' test binaries under every variant of the build
matrix, runs their benchmarks in interleaved rounds (each round runs every
distinct binary once, in an order shuffled from a printed seed), and compares
every variant with the baseline: the build you get today with a plain
'go build' (your GOAMD64, your default.pgo).

A variant wins only when the geometric mean of its sec/op ratios has a 95%
confidence interval wholly below 1 and at least one benchmark improves
significantly after Holm correction for all the comparisons made. Otherwise
the verdict is "no significant difference", with the smallest change the run
could have detected. Ties go to the simpler build.

Without axis flags or a gotune.yaml, the matrix is every GOAMD64 level this
CPU runs × PGO {off, the repo's default.pgo when it has one}. Variants whose
compiled code is identical (e.g. -ldflags='-s -w', which only strips symbols)
are measured once.

The report goes to stdout (or to the file of -o), progress to stderr.
--format picks it: text, markdown (for a pull-request comment), html (one
self-contained page with charts), json (the whole result) or benchstat (the
samples with one key per build axis, for 'benchstat -col goamd64'). When
$GITHUB_STEP_SUMMARY is set, a Markdown summary is appended to that file
too. Every trial's raw output is kept in the run folder in the Go benchmark
format, tagged with variant, goamd64, pgo, ldflags and gcflags keys, for
'benchstat -col variant'.`,
		Example: `  gotune run                                   # default matrix on ./...
  gotune run -C examples/quotes --goamd64 v1,v3 --ldflags '' --ldflags '-s -w'
  gotune run --gcflags '' --gcflags 'all=-l' --count 20 ./internal/...
  gotune run --seed 1234 --json result.json    # replay an order, save everything
  gotune run --format html -o report.html      # a page with charts
  gotune run --baseline-only --json base.json  # the saved result for 'gotune check --against'`,
		RunE: func(c *cobra.Command, args []string) error {
			if err := mf.apply(c, args, &opts.Tune); err != nil {
				return err
			}
			if c.Flags().Changed("count") && opts.Tune.Count < 1 {
				return usagef("--count %d: want at least 1 round (10 or more for a verdict)", opts.Tune.Count)
			}
			fm, err := report.ParseFormat(format)
			if err != nil {
				return usageError{err}
			}
			opts.Format = fm
			if err := checkOutputPath(opts.Output); err != nil {
				return err
			}
			if opts.BaselineOnly && axesGiven(opts.Tune.Axes) {
				return usagef("--baseline-only measures the baseline build alone: drop the axis flags, or drop --baseline-only to measure the matrix")
			}
			opts.StepSummary = os.Getenv(stepSummaryEnv)
			if err := searchFlags(c, &opts.Search, race); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRun(c.Context(), f, opts)
		},
	}
	mf.register(c)
	fl := c.Flags()
	registerMeasureFlags(fl, &opts.Tune, "")
	fl.BoolVar(&opts.Tune.NoDedupe, "no-dedupe", false, "measure variants with identical compiled code separately (an A/A check)")
	fl.StringVar(&opts.JSON, "json", "", "also write the whole result (every sample, p-value, seed, host) to `file`")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "add per-benchmark detail to the report")
	fl.StringVar(&format, "format", string(report.FormatText), "report `format`: "+report.FormatList())
	fl.StringVarP(&opts.Output, "output", "o", "", "write the report to `file` instead of stdout")
	fl.BoolVar(&opts.BaselineOnly, "baseline-only", false, "measure only the baseline build, to save a result for 'gotune check --against'")
	fl.BoolVar(race, "race", true, "after 6 rounds stop measuring variants significantly slower than the best (--race=false measures every variant every round)")
	fl.StringVar(&opts.Search.Search, "search", "", "`grid` builds every variant; screen varies one axis at a time, then combines the best values (default: screen above 8 variants)")
	fl.BoolVar(&opts.Search.Fresh, "fresh", false, "ignore cached builds and results: build and measure again")
	fl.BoolVar(&opts.Search.Resume, "resume", false, "continue the last interrupted run with its own options and seed")
	fl.BoolVar(&opts.Search.Calibrate, "calibrate", false, "first measure the baseline against itself: this machine's noise and the smallest change --count rounds can detect")
	fl.DurationVar(&opts.Search.Budget, "budget", 0, "plan the rounds to fit the run in `d` (e.g. 15m) and say what they can detect")
	fl.BoolVarP(&opts.Search.Quiet, "quiet", "q", false, "no progress on stderr (there is none when stderr is not a terminal)")
	return c
}

// searchFlags checks the flags of issue 5 and fills so.
func searchFlags(c *cobra.Command, so *tune.SearchOptions, race *bool) error {
	so.NoRace = !*race
	so.CountGiven = c.Flags().Changed("count")
	switch so.Search {
	case tune.SearchAuto, tune.SearchGrid, tune.SearchScreen:
	default:
		return usagef("--search %q: want grid or screen", so.Search)
	}
	if so.Budget < 0 {
		return usagef("--budget %s: want a duration such as 15m", so.Budget)
	}
	if so.Resume {
		for _, name := range []string{"count", "seed", "bench", "benchtime", "timeout", "config", "max-variants", "no-dedupe", "goamd64", "pgo", "ldflags", "gcflags", "env", "search", "race", "calibrate", "budget", "baseline-only"} {
			if c.Flags().Changed(name) {
				return usagef("--resume continues the interrupted run with its own options: drop --%s", name)
			}
		}
		if c.Flags().NArg() > 0 {
			return usagef("--resume continues the interrupted run with its own packages: drop %s", strings.Join(c.Flags().Args(), " "))
		}
	}
	return nil
}

func runRun(ctx context.Context, f *Factory, opts *RunOptions) error {
	opts.Tune.Runner = f.Runner
	opts.Tune.Log = f.Stderr
	opts.Tune.Version = Version
	start := time.Now()
	run, err := measure(ctx, opts.Tune, opts.Search, opts.BaselineOnly)
	if run == nil {
		return classify(err)
	}
	if opts.JSON != "" {
		if werr := tune.WriteJSON(opts.JSON, run); werr != nil {
			return fmt.Errorf("writing --json: %v", werr)
		}
	}
	ropts := report.Options{Verbose: opts.Verbose}
	if rerr := writeReport(f, opts.Output, func(w io.Writer) error {
		return report.Render(w, opts.Format, run, ropts)
	}); rerr != nil {
		return rerr
	}
	appendStepSummary(f, opts.StepSummary, func(w io.Writer) error { return report.Markdown(w, run, ropts) })
	fmt.Fprintf(f.Stderr, "gotune: done in %s\n", time.Since(start).Round(time.Second))
	if err != nil {
		return classify(err)
	}
	if b := run.Variant(run.Baseline); b == nil || b.Status != result.StatusOK {
		return fmt.Errorf("the baseline could not be measured (%s), so nothing was compared", firstLine(b.Reason))
	}
	return nil
}

// measure runs the pipeline; with baselineOnly it measures the baseline
// variant of the matrix alone.
func measure(ctx context.Context, opts tune.Options, so tune.SearchOptions, baselineOnly bool) (*result.Run, error) {
	if !baselineOnly || so.Resume {
		return tune.RunSearch(ctx, opts, so)
	}
	p, err := tune.Prepare(ctx, opts)
	if err != nil {
		return nil, err
	}
	p.Variants = p.Variants[:1]
	return p.Search(ctx, so)
}

// classify maps pipeline errors to exit statuses.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: what was measured is saved in the run folder (see above)", errInterrupted)
	case errors.As(err, new(tune.InputError)):
		return usageError{err}
	}
	return err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
