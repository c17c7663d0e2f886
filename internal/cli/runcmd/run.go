// Package runcmd is `gotune run`, and Tune: planning and running over the
// engine, with progress on stderr and the second interrupt killing the
// running trial, which run, check and pgo refresh measure with.
package runcmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd"
	"github.com/gotune/gotune/internal/engine"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/progress"
	"github.com/gotune/gotune/internal/result"
)

// RunOptions are the inputs of `gotune run`.
type RunOptions struct {
	Opts   options.Options
	Out    cmdutil.OutputFlags
	Resume bool // continue the last interrupted run
	Quiet  bool // no progress on stderr
	// Apply writes the winner's PGO profile as default.pgo after the run
	// (see pgocmd.ApplyWinner).
	Apply bool
}

// NewCmdRun returns `gotune run`. runF replaces the run in tests.
func NewCmdRun(f *cmdutil.Factory, runF func(context.Context, *RunOptions) error) *cobra.Command {
	opts := &RunOptions{}
	var flags *options.Flags
	c := &cobra.Command{
		Use:   "run [packages]",
		Short: "Build the matrix, measure it in paired blocks, and report the fastest build",
		Long: `Run builds the packages' test binaries under every variant of the build
matrix and measures their benchmarks in blocks: one benchmark run once in
every variant, back to back, in an order that balances positions, each
trial a short process of its own: about 60ms of benchmark in up to 16
repetitions, the fastest of which counts, since another process can only
slow a repetition down (chosen per benchmark unless --benchtime says
otherwise). Blocks cycle through the benchmarks. Because a variant's time is divided by the baseline's measured
seconds apart in the same block, the machine's drift cancels.

Every variant is compared with the baseline: the build you get today with
a plain 'go build' (your GOAMD64, your default.pgo). Per variant, the
overall change is the geometric mean over benchmarks of the time ratio in
each cycle; a Wilcoxon signed-rank test with a Hodges–Lehmann interval
decides it, Holm across variants. After every few cycles the run looks at
the data and stops measuring a variant once it is decided — faster, slower,
or the same speed within ±--equivalence — at significance levels spent so
that the error rate over all looks stays at 5%. The run ends when every
variant is decided or the --budget is spent; an undecided variant is
reported as "could not tell", with the change this run could have seen.

Without axis flags or a gotune.yaml, the matrix is every GOAMD64 level this
CPU runs × PGO {off, the repo's default.pgo when it has one}. Variants whose
compiled code is identical (e.g. -ldflags='-s -w', which only strips symbols)
are measured once.

The report goes to stdout (or to the file of -o), progress to stderr.
--format picks it: text, markdown (for a pull-request comment), html (one
self-contained page with charts), json (the whole result) or benchstat (the
samples with one key per build axis). When $GITHUB_STEP_SUMMARY is set, a
Markdown summary is appended to that file too. Every trial's raw output is
kept in the run folder in the Go benchmark format, tagged with variant,
goamd64, pgo, ldflags, gcflags and env keys and the block.`,
		Example: `  gotune run                                   # default matrix on ./...
  gotune run -C examples/quotes --goamd64 v1,v3 --ldflags '' --ldflags '-s -w'
  gotune run --gcflags '' --gcflags 'all=-l' --budget 10m ./internal/...
  gotune run --seed 1234 --json result.json    # replay an order, save everything
  gotune run --format html -o report.html      # a page with charts
  gotune run --baseline-only --json base.json  # the saved result for 'gotune check --against'`,
		RunE: func(c *cobra.Command, args []string) error {
			if err := cmdutil.TargetArgs(c, f.Stderr, flags, &opts.Opts, args); err != nil {
				return err
			}
			if c.Flags().Changed("calibrate") {
				fmt.Fprintln(f.Stderr, "gotune: warning: --calibrate is no longer needed: every run pairs the baseline with every variant and says what it could detect")
			}
			if err := opts.Out.Finish(); err != nil {
				return err
			}
			if opts.Apply && opts.Opts.BaselineOnly {
				return cmdutil.Usagef("--apply writes the winner's profile, and --baseline-only measures no other build: drop one of them")
			}
			if opts.Opts.BaselineOnly && flags.AxesGiven() {
				return cmdutil.Usagef("--baseline-only measures the baseline build alone: drop the axis flags, or drop --baseline-only to measure the matrix")
			}
			if opts.Resume {
				if given := flags.Given(); len(given) > 0 {
					return cmdutil.Usagef("--resume continues the interrupted run with its own options: drop %s", strings.Join(given, " "))
				}
				if len(args) > 0 {
					return cmdutil.Usagef("--resume continues the interrupted run with its own packages: drop %s", strings.Join(args, " "))
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	flags = options.Register(fl, &opts.Opts, options.Matrix|options.Measure|options.Search)
	opts.Out.Register(fl, "also write the whole result (every sample, every look, the seed, the host) to `file`; - for stdout")
	fl.BoolVar(&opts.Resume, "resume", false, "continue the last interrupted run with its own options and seed")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress on stderr (there is none when stderr is not a terminal)")
	fl.BoolVar(&opts.Apply, "apply", false, "when the winner is significantly faster and builds with a profile the target does not commit yet (pgo collect or a file), write it as default.pgo with its provenance, as 'gotune pgo apply' does")
	fl.Bool("calibrate", false, "")
	fl.MarkHidden("calibrate")
	return c
}

func runRun(ctx context.Context, f *cmdutil.Factory, opts *RunOptions) error {
	start := time.Now()
	run, err := f.Tune(ctx, opts.Opts, opts.Resume, opts.Quiet, nil)
	if run == nil {
		return cmdutil.Classify(err)
	}
	var applyErr error
	if opts.Apply {
		applyErr = pgocmd.ApplyWinner(ctx, f, run, err)
	}
	if werr := opts.Out.WriteJSON(f, run); werr != nil {
		return werr
	}
	render, summary := opts.Out.Render(run)
	if rerr := opts.Out.Write(f, render, summary); rerr != nil {
		return rerr
	}
	fmt.Fprintf(f.Stderr, "gotune: done in %s\n", time.Since(start).Round(time.Second))
	if err != nil {
		return cmdutil.Classify(err)
	}
	if applyErr != nil {
		return applyErr
	}
	if reason, bad := cmdutil.BaselineUnmeasured(run); bad {
		return fmt.Errorf("the baseline could not be measured (%s), so nothing was compared", reason)
	}
	return nil
}

// TuneFunc returns Tune over f, the cmdutil.TuneFunc of f.Tune.
func TuneFunc(f *cmdutil.Factory) cmdutil.TuneFunc {
	return func(ctx context.Context, o options.Options, resume, quiet bool, adjust func(*plan.Plan)) (*result.Run, error) {
		return Tune(ctx, f, o, resume, quiet, adjust)
	}
}

// Tune plans and runs, or continues the last interrupted run, with
// progress on stderr and the second interrupt killing the running trial;
// adjust, when not nil, is applied to a new run's plan before it runs.
func Tune(ctx context.Context, f *cmdutil.Factory, o options.Options, resume, quiet bool, adjust func(*plan.Plan)) (*result.Run, error) {
	pr := progress.New(f.Stderr, progress.Options{Quiet: quiet})
	defer pr.Close()
	kill, stop := cmdutil.KillOnSecondInterrupt(ctx, pr.Notice())
	defer stop()
	deps := engine.Deps{Runner: f.Runner, Log: pr.Log(), Notice: pr.Notice(), Progress: pr, Kill: kill, Version: f.Version}
	if resume {
		workDir, err := plan.FindWorkDir(o.WorkDir, o.Dir)
		if err != nil {
			return nil, cmdutil.UsageError{Err: err}
		}
		return engine.Resume(ctx, workDir, deps)
	}
	p, err := plan.Load(ctx, o, f.Runner)
	if err != nil {
		return nil, err
	}
	if adjust != nil {
		adjust(p)
	}
	return engine.Run(ctx, p, deps)
}
