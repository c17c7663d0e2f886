// Package checkcmd is `gotune check`, the CI gate, and `check --result`.
package checkcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// CheckOptions are the inputs of `gotune check`.
type CheckOptions struct {
	Opts    options.Options
	Out     cmdutil.OutputFlags
	Against string // --against FILE
	Result  string // --result FILE: decide on a saved result, measuring nothing
	Base    string // --base REF: the worktree against that commit, in one run
	// PullRequestBase is the branch a GitHub pull request merges into
	// ($GITHUB_BASE_REF) when the check has no candidate of its own: the
	// base is then the merge-base of HEAD with origin/PullRequestBase.
	PullRequestBase string
	MaxRegression   float64 // fraction: 0.05 = 5%
	Quiet           bool
	// Given tells which measuring flags were given; the others come from
	// the saved result with --against.
	Given struct{ Bench, Benchtime, Count, MaxBlocks, Budget, Layouts bool }
}

// NewCmdCheck returns `gotune check`, the CI gate. runF replaces the check
// in tests.
func NewCmdCheck(f *cmdutil.Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{}
	var flags *options.Flags
	var maxReg string
	c := &cobra.Command{
		Use:   "check [packages]",
		Short: "Fail a CI job when a build got significantly slower (exit 1), never on noise",
		Long: `Check is the pre-release gate for continuous integration. It measures, then
decides whether a build regressed, and says so in its exit status:

  0  no significant regression beyond --max-regression (default 5%)
  1  a regression: each regressed benchmark is named with its change and
     its interval
  2  bad input, or the data cannot decide (too few paired cycles: raise
     --budget; a build that failed or was skipped)

A benchmark regresses only when its time change, paired block by block
with the baseline, is significant after Holm correction over every
benchmark of the run and slower than --max-regression; a candidate also
regresses when its overall change is called slower beyond the limit. Noise
does not fail builds.

Three ways to check:

  This worktree against a commit: --base REF builds REF (exported with git
  archive into the work dir; the repository is only read) and the current
  files, uncommitted changes included, and measures both in the same
  blocks, paired: did this change make it slower? A second check on the
  same base builds nothing again. In a GitHub pull request, with no other
  candidate, the base is the merge-base of HEAD with
  origin/$GITHUB_BASE_REF (fetch it, with its history):

    gotune check --base main
    gotune check --base HEAD~1 --budget 2m

  A candidate build in one run: give it with the axis flags of 'gotune run'
  (or a gotune.yaml with variants). The baseline (your plain go build) and
  every candidate are measured in the same blocks, paired:

    gotune check --ldflags '-s -w -X main.version=1.2.3'

  Against a saved result: --against FILE compares this commit's baseline
  build with the baseline of a result saved from an earlier commit (with
  'gotune run --baseline-only --json FILE', or --json of any run or check).
  When the saved run's binaries are still on this machine (it ran here and
  its work dir is kept), they are measured again in the same blocks as this
  commit's build, paired. Otherwise the saved samples are used: the two
  sides were then not measured together, the machine's drift between them
  is not cancelled, and the report says so. Bench, benchtime, count,
  max-blocks, budget and layouts default to the saved run's:

    gotune check --against main.json

The report goes to stdout (--format text, markdown or json; html and
benchstat render the run), progress and the one-line decision to stderr.
When $GITHUB_STEP_SUMMARY is set, the Markdown summary is appended to it.`,
		Example: `  gotune check --base main
  gotune check --ldflags '-X main.mode=release' --budget 2m
  gotune run --baseline-only --json base.json -C ../base && gotune check --against base.json
  gotune check --against main.json --format markdown -o summary.md --max-regression 2%`,
		RunE: func(c *cobra.Command, args []string) error {
			if err := cmdutil.TargetArgs(c, f.Stderr, flags, &opts.Opts, args); err != nil {
				return err
			}
			opts.Given.Bench, opts.Given.Benchtime = flags.Changed("bench"), flags.Changed("benchtime")
			opts.Given.Count, opts.Given.MaxBlocks, opts.Given.Budget = flags.Changed("count"), flags.Changed("max-blocks"), flags.Changed("budget")
			opts.Given.Layouts = flags.Changed("layouts")
			var err error
			if opts.MaxRegression, err = options.ParsePercent(maxReg); err != nil {
				return cmdutil.Usagef("--max-regression %q: %v", maxReg, err)
			}
			if err := opts.Out.Finish(); err != nil {
				return err
			}
			if opts.Result != "" {
				return checkResult(f, opts, flags.Given()) // check_result.go
			}
			if opts.Against != "" && flags.AxesGiven() {
				return cmdutil.Usagef("--against compares this commit's baseline build with the saved one: drop the axis flags, or drop --against to check a candidate build in one run")
			}
			if c.Flags().Changed("base") {
				b, err := axis.ParseRev(opts.Base)
				if err != nil {
					return cmdutil.Usagef("--base: %v", err)
				}
				if b == axis.Worktree {
					return cmdutil.Usagef("--base %s: the base is a commit to compare this worktree with, e.g. main or HEAD~1", b)
				}
				opts.Base = b
			}
			if opts.Base != "" && opts.Against != "" {
				return cmdutil.Usagef("--base measures the base commit again, next to this worktree; --against compares with a result saved earlier: give one of them")
			}
			if opts.Base != "" && flags.AxesGiven() {
				return cmdutil.Usagef("--base compares this worktree with the commit %s, in one build setting: drop the axis flags (to cross revisions with other axes, use gotune run --rev %s,worktree)", opts.Base, opts.Base)
			}
			if opts.Against == "" && opts.Base == "" && !flags.AxesGiven() && !configHasCandidates(opts.Opts.Dir, opts.Opts.Config) {
				if ref := os.Getenv("GITHUB_BASE_REF"); ref != "" {
					opts.PullRequestBase = ref
				} else {
					return cmdutil.Usagef("check needs a candidate: --base REF (this worktree against a commit, e.g. --base main), build settings with axis flags (e.g. --ldflags '-X main.mode=release'), variants in gotune.yaml, or a saved result with --against FILE")
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return checkRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	flags = options.Register(fl, &opts.Opts, options.Matrix|options.Measure)
	fl.StringVar(&opts.Base, "base", "", "compare this worktree with the commit `ref` (e.g. main or HEAD~1), both built and measured in one run (default in a GitHub pull request without another candidate: the merge-base with origin/$GITHUB_BASE_REF)")
	fl.StringVar(&opts.Against, "against", "", "compare this commit's baseline with the baseline of a saved result `file` (JSON)")
	fl.StringVar(&opts.Result, "result", "", "decide on a saved result `file` without measuring (e.g. the merged shards of gotune merge)")
	fl.StringVar(&maxReg, "max-regression", "5%", "the largest slowdown of a benchmark that passes, as a `percent`")
	opts.Out.Register(fl, "also write this run's result to `file` (the --against of a later check); - for stdout")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress on stderr")
	return c
}

// configHasCandidates reports whether the gotune.yaml of the target
// directory (or the one given with --config) names candidates: axes,
// revisions or variants. One that cannot be read counts, so that the run
// reports its problem.
func configHasCandidates(dir, config string) bool {
	cfg, err := plan.LoadConfig(dir, config)
	return err != nil || !cfg.Axes.Empty() || len(cfg.Variants) > 0
}

// regressionError is the one error of a check with exit status 1.
type regressionError struct{ reason string }

func (e regressionError) Error() string { return "check failed: " + e.reason }

// checkRun measures, decides and reports. Exit status 1 is kept for a
// regression: every other failure (a build tool that broke, a report that
// could not be written) means the check could not decide, status 2.
func checkRun(ctx context.Context, f *cmdutil.Factory, opts *CheckOptions) error {
	err := decide(ctx, f, opts)
	if err == nil || errors.As(err, new(regressionError)) || errors.Is(err, cmdutil.ErrInterrupted) || errors.As(err, new(cmdutil.UsageError)) {
		return err
	}
	return cmdutil.UsageError{Err: fmt.Errorf("could not decide: %w", err)}
}

// decide is checkRun without the mapping of errors to exit statuses.
func decide(ctx context.Context, f *cmdutil.Factory, opts *CheckOptions) error {
	var saved *result.Run
	o := opts.Opts
	if opts.Against != "" {
		var err error
		saved, err = cmdutil.LoadResult(opts.Against, os.Stdin)
		if err != nil {
			return cmdutil.Usagef("--against %v", err)
		}
		if b := saved.Variant(saved.Baseline); b == nil || b.Status != result.StatusOK {
			return cmdutil.Usagef("--against %s: its baseline was not measured: save a result whose baseline was measured ('gotune run --baseline-only --json FILE')", opts.Against)
		}
		if !opts.Given.Bench {
			o.Bench = saved.Options.Bench
		}
		if !opts.Given.Benchtime {
			o.Benchtime = saved.Options.Benchtime
		}
		if !opts.Given.Count {
			o.MinBlocks = saved.Options.MinBlocks
		}
		if !opts.Given.MaxBlocks {
			o.MaxBlocks = saved.Options.MaxBlocks
		}
		if !opts.Given.Budget {
			o.Budget = saved.Options.Budget
		}
		// Blocks pair by code layout: measure in the saved run's layouts.
		if !opts.Given.Layouts {
			o.Layouts = saved.Options.Layouts
		}
		o.BaselineOnly = true
	}
	if opts.PullRequestBase != "" {
		ref := "origin/" + opts.PullRequestBase
		base, err := target.MergeBase(ctx, f.Runner, cmdutil.CmpOr(o.Dir, "."), "HEAD", ref)
		if err != nil {
			return cmdutil.Usagef("%v: fetch the base branch with its history (git fetch origin %s; actions/checkout with fetch-depth: 0), or pass --base REF", err, opts.PullRequestBase)
		}
		fmt.Fprintf(f.Stderr, "gotune: a pull request into %s: checking this worktree against the merge-base of HEAD and %s, %s\n", opts.PullRequestBase, ref, base)
		opts.Base = base
	}
	var adjust func(*plan.Plan)
	if opts.Base != "" {
		// Both revisions are measured afresh, in the same blocks; their
		// builds come from the cache when a check built them before.
		o.Base = opts.Base
		adjust = func(p *plan.Plan) { p.MeasureAgain = true }
	} else {
		// A CI gate measures afresh.
		o.Fresh = true
	}
	// Against a result saved on this machine whose binaries are still
	// there, both sides are measured together.
	together := false
	if saved != nil {
		adjust = func(p *plan.Plan) {
			if err := p.Rejoin(saved, check.SavedName, check.CurrentName); err != nil {
				fmt.Fprintf(f.Stderr, "gotune: the saved baseline cannot be measured again (%v): comparing with its samples\n", err)
				return
			}
			together = true
			fmt.Fprintf(f.Stderr, "gotune: measuring the saved baseline's binaries again, in the same blocks as this build\n")
		}
	}
	run, err := f.Tune(ctx, o, false, opts.Quiet, adjust)
	if run == nil || err != nil {
		return cmdutil.Classify(err) // interrupted: the run folder has what was measured
	}
	if werr := opts.Out.WriteJSON(f, run); werr != nil {
		return werr
	}
	checked := run
	var warns []string
	if saved != nil && !together {
		checked, warns, err = check.Against(saved, run)
		if err != nil {
			return cmdutil.Usagef("could not decide: %v", err)
		}
	}
	out := check.Evaluate(checked, check.Options{MaxRegression: opts.MaxRegression})
	out.Against = opts.Against
	out.Warnings = append(out.Warnings, warns...)
	for _, w := range warns {
		fmt.Fprintf(f.Stderr, "gotune: warning: %s\n", w)
	}
	return reportCheck(f, opts, out)
}

// reportCheck writes a check's report and turns its decision into the
// exit status.
func reportCheck(f *cmdutil.Factory, opts *CheckOptions, out *check.Outcome) error {
	ro := report.Options{Verbose: opts.Out.Verbose}
	if err := opts.Out.Write(f,
		func(w io.Writer) error { return report.RenderCheck(w, opts.Out.Format, out, ro) },
		func(w io.Writer) error { return report.CheckMarkdown(w, out, ro) }); err != nil {
		return err
	}
	switch out.Status {
	case check.Pass:
		fmt.Fprintf(f.Stderr, "gotune: check passed: %s\n", report.CheckSentence(out))
		return nil
	case check.Regression:
		return regressionError{report.CheckSentence(out)}
	}
	return cmdutil.Usagef("could not decide: %s", out.Reason)
}
