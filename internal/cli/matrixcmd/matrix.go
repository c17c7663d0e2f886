// Package matrixcmd is `gotune matrix`, the dry run of `gotune run`.
package matrixcmd

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/result"
)

// MatrixOptions are the inputs of `gotune matrix`.
type MatrixOptions struct {
	Opts options.Options
}

// NewCmdMatrix returns `gotune matrix`, the dry run of `gotune run`.
func NewCmdMatrix(f *cmdutil.Factory, runF func(context.Context, *MatrixOptions) error) *cobra.Command {
	opts := &MatrixOptions{}
	var flags *options.Flags
	c := &cobra.Command{
		Use:   "matrix [packages]",
		Short: "Show every variant of the matrix and the exact commands that build it, without building",
		Long: `Matrix is the dry run of 'gotune run': it takes the same flags and
gotune.yaml, and prints every variant, whether it will be built or skipped
(and why), the go test -c command that builds its benchmarks, the go build
line a user would type for it, the benchmarks a run measures and its
measuring budget. Nothing is built or run.`,
		Example: `  gotune matrix --goamd64 v1,v3 --ldflags '' --ldflags '-s -w'
  gotune matrix -C examples/quotes`,
		RunE: func(c *cobra.Command, args []string) error {
			if err := cmdutil.TargetArgs(c, nil, flags, &opts.Opts, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return matrixRun(c.Context(), f, opts)
		},
	}
	flags = options.Register(c.Flags(), &opts.Opts, options.Matrix|options.Measure|options.Search)
	return c
}

func matrixRun(ctx context.Context, f *cmdutil.Factory, opts *MatrixOptions) error {
	p, err := plan.Load(ctx, opts.Opts, f.Runner)
	if err != nil {
		return cmdutil.Classify(err)
	}
	tg := p.Target
	levels := "none (not amd64)"
	if p.Host.GOAMD64Max != "" {
		levels = "up to " + p.Host.GOAMD64Max
	}
	fmt.Fprintf(f.Stdout, "module %s (%s), %d package(s) with benchmarks, GOAMD64 levels this CPU runs: %s\n",
		tg.Module, tg.GoVersion, len(tg.Packages), levels)
	if d := tg.DefaultPGO(); d != "" && p.Sources == nil {
		fmt.Fprintf(f.Stdout, "default.pgo: %s\n", d)
	}
	if rl := result.RevisionsLine(p.Variants, p.Variants[0].Name); rl != "" {
		fmt.Fprintln(f.Stdout, rl)
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(f.Stdout, "warning: %s\n", w)
	}
	fmt.Fprintf(f.Stdout, "%d benchmark(s) to measure, search %s, measuring budget %s (a run stops sooner once every variant is decided)\n",
		len(p.Benchmarks), p.Search, p.Options.Budget)
	fmt.Fprintf(f.Stdout, "%d variants:\n\n", len(p.Variants))
	tw := tabwriter.NewWriter(f.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "variant\tstatus\tgo build line")
	for _, v := range p.Variants {
		status := "build"
		if v.Status == result.StatusSkipped {
			status = "skip: " + v.Reason
		}
		name := v.Name
		if v.Name == p.Variants[0].Name {
			name += " (baseline)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, status, v.BuildLine)
	}
	tw.Flush()
	argv, kind, ext := builder.TestArgs, "benchmark builds", ".test"
	if svc := p.Options.Service; svc != nil {
		argv, kind, ext = builder.MainArgs, "server builds (service mode)", ""
		fmt.Fprintf(f.Stdout, "\nservice mode: each build of %s is started on a loopback port and measured under %.4g req/s for %s after a %s warm-up; verdicts on %s\n",
			svc.Main, svc.Load.Rate, svc.Duration, svc.Warmup, p.Options.MetricUnit())
	}
	fmt.Fprintf(f.Stdout, "\n%s, one per variant and package (in the target directory, or in the revision's source):\n", kind)
	for _, v := range p.Variants {
		if v.Status != result.StatusOK {
			continue
		}
		where := ""
		if v.Revision != nil {
			where = " (in " + builder.SourceDir(&v, tg.Dir) + ")"
		}
		for _, pk := range tg.Packages {
			s := v.Build()
			cmd := gotool.Cmd{Args: argv(s, pk.ImportPath, "<workdir>/"+lastElem(pk.ImportPath)+ext), Env: builder.Env(s)}
			fmt.Fprintf(f.Stdout, "  %s: %s%s\n", v.Name, cmd.String(), where)
		}
	}
	return nil
}

func lastElem(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
