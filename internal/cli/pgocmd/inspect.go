package pgocmd

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd/shared"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/report"
)

// PGOInspectOptions are the inputs of `gotune pgo inspect`.
type PGOInspectOptions struct {
	Dir  string // -C: the module to check staleness against
	File string
	Top  int
}

// NewCmdPGOInspect returns `gotune pgo inspect`.
func NewCmdPGOInspect(f *cmdutil.Factory, runF func(context.Context, *PGOInspectOptions) error) *cobra.Command {
	opts := &PGOInspectOptions{}
	c := &cobra.Command{
		Use:   "inspect FILE",
		Short: "Show a profile's type, size, hot functions, whether PGO can use it, and how stale it is",
		Long: `Inspect prints a profile's sample types, duration, samples, size and
hottest functions, and whether the compiler can use it for PGO. Inside a
module (or with -C), it also measures staleness: the share of the profile's
CPU that runs through the module's functions which no longer exist
(renamed, deleted) or that moved (start on another line or in another
file). The compiler matches a profile's call sites by function name and
line offset from the function's start, so stale parts of a profile are
ignored: refresh it when the stale share grows.`,
		Example: `  gotune pgo inspect examples/quotes/cmd/quotesd/default.pgo -C examples/quotes`,
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = cmdutil.ChdirFlag(c)
			opts.File = args[0]
			if opts.Top < 1 {
				return cmdutil.Usagef("--top %d: want at least 1", opts.Top)
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pgoInspectRun(c.Context(), f, opts)
		},
	}
	c.Flags().IntVar(&opts.Top, "top", 10, "show the `n` hottest functions")
	return c
}

func pgoInspectRun(ctx context.Context, f *cmdutil.Factory, opts *PGOInspectOptions) error {
	in, err := pgo.Inspect(ctx, pgo.InspectOptions{Runner: f.Runner, File: opts.File, Dir: opts.Dir, Top: opts.Top})
	if err != nil {
		return shared.Classify(err)
	}
	sm := in.Summary
	w := f.Stdout
	fmt.Fprintf(w, "profile:     %s\n", in.File)
	fmt.Fprintf(w, "size:        %s\n", report.Bytes(in.Size))
	fmt.Fprintf(w, "sample type: %s (period %s)\n", sm.SampleTypes, sm.Period)
	fmt.Fprintf(w, "duration:    %s\n", sm.Duration.Round(100*time.Millisecond))
	fmt.Fprintf(w, "samples:     %d distinct stacks, %s of CPU, %d functions\n", sm.Samples, sm.CPU.Round(10*time.Millisecond), sm.Functions)
	fmt.Fprintf(w, "start lines: %.1f%% of CPU\n", 100*sm.StartLines)
	if in.Unusable != nil {
		fmt.Fprintf(w, "PGO:         unusable: %s\n", trimName(in.Unusable.Error(), in.File))
	} else {
		fmt.Fprintf(w, "PGO:         usable\n")
	}
	if len(sm.Top) > 0 {
		fmt.Fprintf(w, "\nhottest functions:\n")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "flat\tflat%\tcum%\t \t")
		for _, fn := range sm.Top {
			fmt.Fprintf(tw, "%s\t%s\t%s\t \t%s\n", fn.Flat.Round(10*time.Millisecond), share(fn.Flat, sm.CPU), share(fn.Cum, sm.CPU), fn.Name)
		}
		tw.Flush()
	}
	switch {
	case in.Module == nil:
		fmt.Fprintf(f.Stderr, "gotune: not in a module: staleness not checked (use -C dir)\n")
	case in.StaleErr != nil:
		return shared.Classify(in.StaleErr)
	default:
		printStaleness(w, in.Module.Path, *in.Staleness)
	}
	return shared.Classify(in.Unusable)
}

// printStaleness prints how much of a profile's CPU runs through functions
// of module that no longer match its source.
func printStaleness(w io.Writer, module string, st pgo.Staleness) {
	fmt.Fprintf(w, "\nstaleness against the current source of %s:\n", module)
	if st.ModuleCPU == 0 {
		fmt.Fprintf(w, "  none of the profile's CPU is in this module's code: is it a profile of another program?\n")
		return
	}
	fmt.Fprintf(w, "  module code on the stack:               %5.1f%% of CPU\n", 100*st.ModuleCPU)
	fmt.Fprintf(w, "  through functions no longer in source:  %5.1f%% of CPU\n", 100*st.Missing)
	fmt.Fprintf(w, "  through functions that moved:           %5.1f%% of CPU\n", 100*st.Moved)
	for _, fn := range st.MissingFuncs {
		fmt.Fprintf(w, "    missing %s (%s of CPU)\n", fn.Name, share(fn.Cum, st.CPU))
	}
	for _, fn := range st.MovedFuncs {
		fmt.Fprintf(w, "    moved   %s (%s of CPU)\n", fn.Name, share(fn.Cum, st.CPU))
	}
	if stale := st.Stale(); stale > pgo.StaleThreshold {
		fmt.Fprintf(w, "verdict: stale: %.1f%% of the module's profiled CPU no longer matches the source: collect a fresh profile\n", 100*stale)
	} else {
		fmt.Fprintf(w, "verdict: fresh: %.1f%% of the module's profiled CPU no longer matches the source (refresh above %.0f%%)\n", 100*stale, 100*pgo.StaleThreshold)
	}
}
