package reportcmd

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/shard"
)

// MergeOptions are the inputs of `gotune merge`.
type MergeOptions struct {
	Files []string
	Out   cmdutil.OutputFlags
}

// NewCmdMerge returns `gotune merge`, which joins the shards of a run
// measured on several machines. runF replaces the merge in tests.
func NewCmdMerge(f *cmdutil.Factory, runF func(context.Context, *MergeOptions) error) *cobra.Command {
	opts := &MergeOptions{}
	c := &cobra.Command{
		Use:   "merge SHARD.json...",
		Short: "Join the shards of a run measured on several machines (run --shard K/N) into one result",
		Long: `Merge reads the results of the N shards of one plan ('gotune run --shard K/N
--json FILE' on N machines, e.g. the jobs of a CI matrix) and joins them into
one result, reported as 'gotune run' reports and decided by
'gotune check --result'.

It refuses (exit status 2, naming what differs) shards of different plans
(another module, matrix, seed, target revision or split of the
benchmarks), a shard given twice and a missing shard. Shards measured on
different hosts are accepted with a note: each shard's variants are
compared only with the baseline measured on the same runner, and its
blocks never pair with another shard's.

Per benchmark, the result is as measured on its own runner (Holm over every
benchmark of every shard). Per variant, each shard's paired cycles are
analysed on their own, and the shards' estimates are combined weighted by
their share of the benchmarks, the geometric mean one run of every
benchmark would estimate, with a Student t interval; Holm across variants
as in one run (docs/shards.md).`,
		Example: `  gotune merge shard-1.json shard-2.json shard-3.json
  gotune merge shards/*.json --json merged.json --format markdown -o summary.md
  gotune check --result merged.json --max-regression 5%`,
		Args: cmdutil.UsageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Files = args
			if err := opts.Out.Finish(); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return mergeRun(f, opts)
		},
	}
	opts.Out.Register(c.Flags(), "also write the merged result to `file`; - for stdout")
	return c
}

func mergeRun(f *cmdutil.Factory, opts *MergeOptions) error {
	var in []shard.Input
	for _, file := range opts.Files {
		run, err := cmdutil.LoadResult(file, os.Stdin)
		if err != nil {
			return cmdutil.UsageError{Err: err}
		}
		in = append(in, shard.Input{File: file, Run: run})
	}
	run, err := shard.Merge(in)
	if err != nil {
		if errors.As(err, new(*shard.Error)) {
			return cmdutil.UsageError{Err: err}
		}
		return err
	}
	if err := opts.Out.WriteJSON(f, run); err != nil {
		return err
	}
	render, summary := opts.Out.Render(run)
	if err := opts.Out.Write(f, render, summary); err != nil {
		return err
	}
	fmt.Fprintf(f.Stderr, "gotune: merged %d shards: %s\n", len(run.Shards), run.Analysis.VerdictText)
	return nil
}
