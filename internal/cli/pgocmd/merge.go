package pgocmd

import (
	"context"
	"fmt"
	"regexp"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd/shared"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/report"
)

// PGOMergeOptions are the inputs of `gotune pgo merge`.
type PGOMergeOptions struct {
	Files   []string
	Output  string
	Weights []float64 // nil = equal
	Keep    float64
	Ignore  string
}

// NewCmdPGOMerge returns `gotune pgo merge`.
func NewCmdPGOMerge(f *cmdutil.Factory, runF func(context.Context, *PGOMergeOptions) error) *cobra.Command {
	opts := &PGOMergeOptions{}
	c := &cobra.Command{
		Use:   "merge -o FILE PROFILE...",
		Short: "Merge CPU profiles into one PGO profile: CPU only, weighted equally, trimmed, validated",
		Long: `Merge reads CPU profiles (from pgo collect, pgo fetch, go test -cpuprofile
or runtime/pprof) and writes one gzip-compressed profile for PGO:

- only the CPU sample type is kept, labels, addresses and columns are
  dropped (the compiler reads functions, lines and start lines);
- every input weighs the same in the result, whatever its duration (a 60 s
  profile does not drown a 10 s one), unless --weight says otherwise;
- the coldest samples beyond --keep of the CPU are dropped, which shrinks
  the file (a large profile slows every build) without changing the hot
  call sites the compiler acts on;
- the result is validated: CPU samples, call stacks and function start
  lines present (the compiler rejects a profile without start lines).

It prints each input, the sample counts and the sizes in and out, and
writes a provenance file beside the output (FILE without its extension,
plus .provenance.json).`,
		Example: `  gotune pgo merge -o merged.pprof ~/.cache/gotune/*/pgo/collect-*/*.pprof prod.pprof
  gotune pgo merge -o merged.pprof --weight 3,1 prod.pprof bench.pprof
  gotune pgo merge -o merged.pprof --ignore 'quotes\.NewStore' bench-*.pprof`,
		Args: cmdutil.UsageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Files = args
			if opts.Output == "" {
				return cmdutil.Usagef("merge needs -o FILE: where to write the merged profile ('gotune pgo apply FILE' then copies it into the repository)")
			}
			if opts.Weights != nil && len(opts.Weights) != len(args) {
				return cmdutil.Usagef("--weight: %d weights for %d profiles: give one weight per profile, in order", len(opts.Weights), len(args))
			}
			for _, w := range opts.Weights {
				if !(w > 0) {
					return cmdutil.Usagef("--weight %g: want positive numbers, one per profile", w)
				}
			}
			if err := shared.CheckMergeFlags(opts.Keep, opts.Ignore); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pgoMergeRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "", "write the merged profile to `file` (required)")
	fl.Float64SliceVar(&opts.Weights, "weight", nil, "relative `weights` of the profiles, in order, e.g. 3,1 (default: equal)")
	fl.Float64Var(&opts.Keep, "keep", pgo.DefaultKeep, "`share` of CPU to keep: the coldest samples beyond it are dropped (1 keeps all)")
	fl.StringVar(&opts.Ignore, "ignore", "", "drop samples with a function matching `regexp` on the stack, e.g. benchmark setup code")
	return c
}

func pgoMergeRun(ctx context.Context, f *cmdutil.Factory, opts *PGOMergeOptions) error {
	mo := pgo.MergeFilesOptions{
		MergeOptions: pgo.MergeOptions{Weights: opts.Weights, Keep: opts.Keep},
		Files:        opts.Files, Output: opts.Output, Tool: "gotune " + f.Version,
	}
	if opts.Ignore != "" {
		mo.Ignore = regexp.MustCompile(opts.Ignore)
	}
	res, err := pgo.MergeFiles(mo)
	if err != nil {
		return shared.Classify(err)
	}
	st := res.Stats
	w := f.Stdout
	if res.ProvenancePath == "" {
		// The profile went to a device, a pipe or /dev/stdout: the
		// summary must not mix with it.
		w = f.Stderr
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "input\tduration\tsamples\tCPU\tsize\tignored\tweight")
	for _, in := range st.Inputs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%.1f%%\n", in.Name, in.Duration.Round(100*time.Millisecond), in.Samples,
			in.CPU.Round(10*time.Millisecond), report.Bytes(in.Bytes), pct(in.Ignored), 100*in.Weight)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nmerged: %d samples; trimmed to %d (%.2f%% of CPU kept, --keep %g)\n", st.Samples, st.Kept, 100*st.KeptCPU, st.Keep)
	fmt.Fprintf(w, "size: %s in, %s out (%s)\n", report.Bytes(st.BytesIn), report.Bytes(st.BytesOut), change(st.BytesIn, st.BytesOut))
	if res.ProvenancePath == "" {
		fmt.Fprintf(w, "wrote %s (no provenance file beside a device or a pipe)\n", res.Output)
	} else {
		fmt.Fprintf(w, "wrote %s and %s\n", res.Output, res.ProvenancePath)
	}
	return nil
}
