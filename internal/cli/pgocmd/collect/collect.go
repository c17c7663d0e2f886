// Package collect is `gotune pgo collect`.
package collect

import (
	"github.com/gotune/gotune/internal/axis"

	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd/shared"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/target"
)

// PGOCollectOptions are the inputs of `gotune pgo collect`.
type PGOCollectOptions struct {
	Dir       string // -C
	Packages  []string
	Count     int
	Bench     string
	Benchtime string
	Timeout   time.Duration
	WorkDir   string
	Out       string // folder of the raw profiles; "" = a new one in the work dir
}

// NewCmdPGOCollect returns `gotune pgo collect`. runF replaces the command
// in tests.
func NewCmdPGOCollect(f *cmdutil.Factory, runF func(context.Context, *PGOCollectOptions) error) *cobra.Command {
	opts := &PGOCollectOptions{}
	c := &cobra.Command{
		Use:   "collect [packages]",
		Short: "Profile the benchmarks of the baseline build: one CPU profile per package and round",
		Long: `Collect builds the test binary of every package with benchmarks the way a
plain 'go build' would (your GOAMD64, your default.pgo) and runs its
benchmarks with -test.cpuprofile, one package at a time (go test refuses
-cpuprofile for several packages), --count rounds. Every raw profile is kept
in the work dir, outside the target, with a provenance file; the command
prints where. Merge them with 'gotune pgo merge'.

Benchmarks repeat their setup far more often than a service does: when
setup code shows up hot in 'gotune pgo inspect', narrow --bench, raise
--benchtime, or drop it at merge time with --ignore.`,
		Example: `  gotune pgo collect -C examples/quotes --benchtime 2s --count 2
  gotune pgo collect --bench 'Quote|Batch' ./internal/...`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = cmdutil.ChdirFlag(c)
			opts.Packages = args
			if opts.Count < 1 {
				return cmdutil.Usagef("--count %d: want at least 1 round", opts.Count)
			}
			if _, err := regexp.Compile(opts.Bench); err != nil {
				return cmdutil.Usagef("--bench %q is not a valid regular expression: %v", opts.Bench, err)
			}
			if err := shared.CheckBenchtime("--benchtime", opts.Benchtime); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pgoCollectRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	fl.IntVar(&opts.Count, "count", 1, "rounds: `n` profiles per package")
	fl.StringVar(&opts.Bench, "bench", ".", "profile only benchmarks matching `regexp`, as go test -bench")
	fl.StringVar(&opts.Benchtime, "benchtime", "1s", "run each benchmark for `t` per round, as go test -benchtime (the profiler samples 100 times a second)")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "kill a round of a package after `d` (default: 1m plus 10× the benchtime per benchmark)")
	fl.StringVar(&opts.WorkDir, "workdir", "", "the `dir` where binaries and profiles go (default: the user cache dir); never inside the target")
	fl.StringVar(&opts.Out, "out", "", "write the raw profiles into `dir` (default: a new folder pgo/collect-TIME in the work dir); never inside the target")
	return c
}

func pgoCollectRun(ctx context.Context, f *cmdutil.Factory, opts *PGOCollectOptions) error {
	tg, err := target.Load(ctx, target.Options{Dir: opts.Dir, Patterns: opts.Packages, Runner: f.Runner})
	if err != nil {
		return shared.Classify(err)
	}
	// Profiles come from running the benchmarks here: a GOOS or GOARCH
	// this machine cannot run is refused before anything is built.
	pf, err := plan.LoadPlatform(ctx, f.Runner, tg.Dir)
	if err != nil {
		return err
	}
	if err := pf.CheckUser(os.Getenv); err != nil {
		return cmdutil.UsageError{Err: err}
	}
	workDir, err := shared.WorkDir(opts.WorkDir, tg.ModuleRoot, tg.Module)
	if err != nil {
		return shared.Classify(err)
	}
	outDir := filepath.Join(workDir, "pgo", "collect-"+time.Now().UTC().Format("20060102-150405"))
	if opts.Out != "" {
		if outDir, err = pgo.OutsideModule("--out", opts.Out, tg.ModuleRoot); err != nil {
			return shared.Classify(err)
		}
	}
	raws, base, err := shared.Collect(ctx, f, tg, shared.CollectOptions{
		Bench: opts.Bench, Benchtime: opts.Benchtime, Count: opts.Count, Timeout: opts.Timeout, OutDir: outDir,
	})
	if err != nil {
		return shared.Classify(err)
	}
	w := f.Stdout
	fmt.Fprintf(w, "%d CPU profile(s) of %s's benchmarks (-test.bench=%s -test.benchtime=%s, %d round(s), built like the baseline: %s) in\n  %s\n\n",
		len(raws), tg.Module, opts.Bench, opts.Benchtime, opts.Count, baseDesc(base.Get(axis.GOAMD64), base.Get(axis.PGO)), outDir)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "profile\tpackage\tround\tsamples\tCPU")
	for _, r := range raws {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", filepath.Base(r.Path), r.Package, r.Round, r.Samples, r.CPU.Round(10*time.Millisecond))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nNext: gotune pgo merge -o merged.pprof %s\n", filepath.Join(outDir, "*.pprof"))
	return nil
}

// baseDesc describes the baseline's build settings: "GOAMD64=v1 -pgo=off".
func baseDesc(goamd64, profile string) string {
	s := "-pgo=off"
	if profile != "off" && profile != "" {
		s = "-pgo=" + profile
	}
	if goamd64 != "" {
		s = "GOAMD64=" + goamd64 + " " + s
	}
	return s
}
