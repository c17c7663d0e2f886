package cli

import (
	"github.com/gotune/gotune/internal/axis"

	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gotune/gotune/internal/atomicfile"
	"github.com/gotune/gotune/internal/report"

	"github.com/google/pprof/profile"
	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/target"
)

// NewCmdPGO returns `gotune pgo` and its subcommands.
func NewCmdPGO(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "pgo",
		Short: "Collect, fetch, merge, inspect and apply profiles for profile-guided optimization",
		Long: `The pgo commands take a CPU profile from your benchmarks or a live service,
merge and trim it into one profile the compiler can use, check it, and commit
it as default.pgo, which 'go build' uses by default (-pgo=auto):

  gotune pgo collect ./...                      # benchmarks → raw profiles (work dir)
  gotune pgo fetch http://127.0.0.1:6060        # or: a live service → a raw profile
  gotune pgo merge -o merged.pprof RAW...       # CPU only, equal weights, trimmed, validated
  gotune pgo inspect merged.pprof               # hot functions; staleness against the source
  gotune pgo apply merged.pprof                 # default.pgo + profiles/ with provenance

Then 'gotune run --pgo off,auto' measures what the profile gives, and proves
the compiler used it.`,
	}
	c.AddCommand(NewCmdPGOCollect(f, nil), NewCmdPGOFetch(f, nil), NewCmdPGOMerge(f, nil), NewCmdPGOInspect(f, nil), NewCmdPGOApply(f, nil))
	return c
}

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
func NewCmdPGOCollect(f *Factory, runF func(context.Context, *PGOCollectOptions) error) *cobra.Command {
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
			opts.Dir = chdirFlag(c)
			opts.Packages = args
			if opts.Count < 1 {
				return usagef("--count %d: want at least 1 round", opts.Count)
			}
			if _, err := regexp.Compile(opts.Bench); err != nil {
				return usagef("--bench %q is not a valid regular expression: %v", opts.Bench, err)
			}
			if _, err := matrix.ParseBenchtime(opts.Benchtime); err != nil {
				return usagef("--benchtime: %v", err)
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pgoCollectRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	fl.IntVar(&opts.Count, "count", 1, "rounds: profiles per package")
	fl.StringVar(&opts.Bench, "bench", ".", "profile only benchmarks matching `regexp`, as go test -bench")
	fl.StringVar(&opts.Benchtime, "benchtime", "1s", "run each benchmark for `t` per round, as go test -benchtime (the profiler samples 100 times a second)")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "kill a round of a package after `d` (default: 1m plus 10× the benchtime per benchmark)")
	fl.StringVar(&opts.WorkDir, "workdir", "", "where binaries and profiles go (default: the user cache dir); never inside the target")
	fl.StringVar(&opts.Out, "out", "", "write the raw profiles into `dir` (default: a new folder pgo/collect-TIME in the work dir); never inside the target")
	return c
}

func pgoCollectRun(ctx context.Context, f *Factory, opts *PGOCollectOptions) error {
	tg, err := target.Load(ctx, target.Options{Dir: opts.Dir, Patterns: opts.Packages, Runner: f.Runner})
	if err != nil {
		return pgoClassify(err)
	}
	workDir, err := pgoWorkDir(opts.WorkDir, tg.ModuleRoot, tg.Module)
	if err != nil {
		return err
	}
	outDir := filepath.Join(workDir, "pgo", "collect-"+time.Now().UTC().Format("20060102-150405"))
	if opts.Out != "" {
		if outDir, err = outsideModule("--out", opts.Out, tg.ModuleRoot); err != nil {
			return err
		}
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = time.Minute
		if d, err := time.ParseDuration(opts.Benchtime); err == nil {
			n := 0
			for _, p := range tg.Packages {
				n = max(n, len(p.Benchmarks))
			}
			timeout += time.Duration(n) * 10 * max(d, time.Second)
		}
	}
	var pkgs []pgo.BenchPackage
	for _, p := range tg.Packages {
		pkgs = append(pkgs, pgo.BenchPackage{ImportPath: p.ImportPath, Dir: p.Dir})
	}
	base := plan.BaselineSettings(tg)
	raws, err := pgo.Collect(ctx, pgo.CollectOptions{
		Runner: f.Runner, Dir: tg.Dir, Packages: pkgs, Settings: base,
		Bench: opts.Bench, Benchtime: opts.Benchtime, Count: opts.Count, Timeout: timeout,
		OutDir: outDir, Log: f.Stderr,
		Provenance: pgo.Provenance{Tool: "gotune " + Version, GoVersion: tg.GoVersion, Module: tg.Module, Commit: pgo.Commit(ctx, f.Runner, tg.ModuleRoot)},
	})
	if err != nil {
		return pgoClassify(err)
	}
	w := f.Stdout
	fmt.Fprintf(w, "%d CPU profile(s) of %s's benchmarks (-test.bench=%s -test.benchtime=%s, %d round(s), built like the baseline: %s) in\n  %s\n\n",
		len(raws), tg.Module, opts.Bench, opts.Benchtime, opts.Count, baseDesc(base.Get(axis.GOAMD64), base.Get(axis.PGO)), outDir)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "profile\tpackage\tround\tsamples\tCPU")
	var files []string
	for _, r := range raws {
		files = append(files, r.Path)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", filepath.Base(r.Path), r.Package, r.Round, r.Samples, r.CPU.Round(10*time.Millisecond))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nNext: gotune pgo merge -o merged.pprof %s\n", filepath.Join(outDir, "*.pprof"))
	return nil
}

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

// PGOFetchOptions are the inputs of `gotune pgo fetch`.
type PGOFetchOptions struct {
	Dir     string // -C, for the default work dir
	URL     string
	Seconds int // 0 = the URL's or pgo.DefaultSeconds
	Timeout time.Duration
	Output  string // -o; "" = the work dir
	WorkDir string
}

// NewCmdPGOFetch returns `gotune pgo fetch`.
func NewCmdPGOFetch(f *Factory, runF func(context.Context, *PGOFetchOptions) error) *cobra.Command {
	opts := &PGOFetchOptions{}
	c := &cobra.Command{
		Use:   "fetch URL",
		Short: "Take a CPU profile from a live service's /debug/pprof/profile endpoint",
		Long: `Fetch asks a running service for a CPU profile through net/http/pprof
(GET URL/debug/pprof/profile?seconds=N), checks that PGO can use it, and
saves it with a provenance file: in the work dir unless -o says where.
URL may be the service's pprof address (127.0.0.1:6060), its
/debug/pprof/ index, or the full profile URL. Profile the service while it
serves representative traffic: an idle service gives an empty profile.`,
		Example: `  gotune pgo fetch 127.0.0.1:6060 --seconds 30
  gotune pgo fetch 'https://svc.internal/debug/pprof/profile?seconds=60' -o prod-1.pprof`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = chdirFlag(c)
			opts.URL = args[0]
			if c.Flags().Changed("seconds") && opts.Seconds < 1 {
				return usagef("--seconds %d: want at least 1", opts.Seconds)
			}
			if _, _, err := pgo.ProfileURL(opts.URL, opts.Seconds); err != nil {
				return usageError{err}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pgoFetchRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	fl.IntVar(&opts.Seconds, "seconds", 0, fmt.Sprintf("profile for `n` seconds (default: the URL's seconds=, else %d)", pgo.DefaultSeconds))
	fl.DurationVar(&opts.Timeout, "timeout", 0, "give up after `d` (default: the seconds plus 30s)")
	fl.StringVarP(&opts.Output, "output", "o", "", "write the profile to `file` (default: the work dir)")
	fl.StringVar(&opts.WorkDir, "workdir", "", "work dir (default: the user cache dir)")
	return c
}

func pgoFetchRun(ctx context.Context, f *Factory, opts *PGOFetchOptions) error {
	u, seconds, err := pgo.ProfileURL(opts.URL, opts.Seconds)
	if err != nil {
		return pgoClassify(err)
	}
	out := opts.Output
	if out == "" {
		workDir := opts.WorkDir
		if workDir == "" {
			if m, err := pgo.FindModule(orDotDir(opts.Dir)); err == nil {
				workDir, err = plan.WorkDir("", m.Root, m.Path)
				if err != nil {
					return err
				}
			} else if workDir, err = plan.WorkDir("", "fetch", "fetch"); err != nil {
				return err
			}
		}
		host := "service"
		if pu, err := url.Parse(u); err == nil {
			host = strings.NewReplacer(":", "_", "/", "_").Replace(pu.Host)
		}
		out = filepath.Join(workDir, "pgo", "fetch-"+host+"-"+time.Now().UTC().Format("20060102-150405")+".pprof")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return usagef("-o %s: %v", out, err)
	}
	fmt.Fprintf(f.Stderr, "gotune: fetching a %d s CPU profile from %s\n", seconds, u)
	got, err := pgo.Fetch(ctx, pgo.FetchOptions{URL: opts.URL, Seconds: opts.Seconds, Timeout: opts.Timeout})
	if err != nil {
		return pgoClassify(err)
	}
	if err := atomicfile.Write(out, got.Data); err != nil {
		return fmt.Errorf("writing %s: %v", out, err)
	}
	sm := pgo.Summarize(got.Profile, 0)
	pv := pgo.Provenance{
		Tool: "gotune " + Version, Created: time.Now().UTC().Truncate(time.Second),
		Source: "fetch", How: fmt.Sprintf("GET %s (a %d s CPU profile of a live service)", got.URL, got.Seconds),
		Command: []string{got.URL}, Samples: sm.Samples, CPU: sm.CPU, Duration: sm.Duration,
	}
	if err := pgo.WriteProvenance(out, got.Data, pv); err != nil {
		return err
	}
	fmt.Fprintf(f.Stdout, "fetched %s: %d samples, %s of CPU in %s, %s\nwrote %s\n",
		got.URL, sm.Samples, sm.CPU.Round(10*time.Millisecond), sm.Duration.Round(100*time.Millisecond), report.Bytes(int64(len(got.Data))), out)
	return nil
}

// PGOMergeOptions are the inputs of `gotune pgo merge`.
type PGOMergeOptions struct {
	Files   []string
	Output  string
	Weights []float64 // nil = equal
	Keep    float64
	Ignore  string
}

// NewCmdPGOMerge returns `gotune pgo merge`.
func NewCmdPGOMerge(f *Factory, runF func(context.Context, *PGOMergeOptions) error) *cobra.Command {
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
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Files = args
			if opts.Output == "" {
				return usagef("merge needs -o FILE: where to write the merged profile ('gotune pgo apply FILE' then copies it into the repository)")
			}
			if opts.Weights != nil && len(opts.Weights) != len(args) {
				return usagef("--weight: %d weights for %d profiles: give one weight per profile, in order", len(opts.Weights), len(args))
			}
			for _, w := range opts.Weights {
				if !(w > 0) {
					return usagef("--weight %g: want positive numbers, one per profile", w)
				}
			}
			if opts.Keep <= 0 || opts.Keep > 1 {
				return usagef("--keep %g: want a share of CPU in (0, 1], e.g. 0.995 (1 keeps every sample)", opts.Keep)
			}
			if _, err := regexp.Compile(opts.Ignore); err != nil {
				return usagef("--ignore %q is not a valid regular expression: %v", opts.Ignore, err)
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
	fl.Float64Var(&opts.Keep, "keep", pgo.DefaultKeep, "share of CPU to keep: the coldest samples beyond it are dropped (1 keeps all)")
	fl.StringVar(&opts.Ignore, "ignore", "", "drop samples with a function matching `regexp` on the stack, e.g. benchmark setup code")
	return c
}

func pgoMergeRun(ctx context.Context, f *Factory, opts *PGOMergeOptions) error {
	var inputs []pgo.Input
	var provs []pgo.Provenance
	for _, file := range opts.Files {
		data, err := os.ReadFile(file)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return usagef("%s: no such file: give the paths of CPU profiles", file)
			}
			return usagef("%s: %v", file, err)
		}
		p, err := pgo.Parse(file, data)
		if err != nil {
			return pgoClassify(err)
		}
		inputs = append(inputs, pgo.Input{Name: file, Profile: p, Bytes: int64(len(data))})
		provs = append(provs, pgo.ReadProvenance(file, data))
	}
	mo := pgo.MergeOptions{Weights: opts.Weights, Keep: opts.Keep}
	if opts.Ignore != "" {
		mo.Ignore = regexp.MustCompile(opts.Ignore)
	}
	merged, data, st, err := pgo.Merge(inputs, mo)
	if err != nil {
		return pgoClassify(err)
	}
	if err := os.MkdirAll(filepath.Dir(opts.Output), 0o755); err != nil {
		return usagef("-o %s: %v", opts.Output, err)
	}
	if err := atomicfile.Write(opts.Output, data); err != nil {
		return fmt.Errorf("writing %s: %v", opts.Output, err)
	}
	sm := pgo.Summarize(merged, 0)
	weights := "equal weights"
	if opts.Weights != nil {
		weights = "weights " + formatWeights(opts.Weights)
	}
	pv := pgo.Provenance{
		Tool: "gotune " + Version, Created: time.Now().UTC().Truncate(time.Second), Source: "merge",
		How:     fmt.Sprintf("gotune pgo merge of %d profile(s), %s, %.1f%% of CPU kept", len(inputs), weights, 100*st.KeptCPU),
		Command: mergeCommand(opts),
		Samples: sm.Samples, CPU: sm.CPU, Duration: sm.Duration, Merge: &st, Inputs: provs,
	}
	if opts.Ignore != "" {
		pv.How += ", ignoring " + opts.Ignore
	}
	// Inputs made from one commit and toolchain pass them on.
	pv.GoVersion, pv.Module, pv.Commit = common(provs, func(p pgo.Provenance) string { return p.GoVersion }),
		common(provs, func(p pgo.Provenance) string { return p.Module }), common(provs, func(p pgo.Provenance) string { return p.Commit })
	if err := pgo.WriteProvenance(opts.Output, data, pv); err != nil {
		return err
	}

	w := f.Stdout
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "input\tduration\tsamples\tCPU\tsize\tignored\tweight")
	for _, in := range st.Inputs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%.1f%%\n", in.Name, in.Duration.Round(100*time.Millisecond), in.Samples,
			in.CPU.Round(10*time.Millisecond), report.Bytes(in.Bytes), pct(in.Ignored), 100*in.Weight)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nmerged: %d samples; trimmed to %d (%.2f%% of CPU kept, --keep %g)\n", st.Samples, st.Kept, 100*st.KeptCPU, st.Keep)
	fmt.Fprintf(w, "size: %s in, %s out (%s)\n", report.Bytes(st.BytesIn), report.Bytes(st.BytesOut), change(st.BytesIn, st.BytesOut))
	fmt.Fprintf(w, "wrote %s and %s\n", opts.Output, pgo.ProvenancePath(opts.Output))
	return nil
}

// mergeCommand returns the gotune pgo merge command line of opts.
func mergeCommand(opts *PGOMergeOptions) []string {
	args := []string{"gotune", "pgo", "merge", "-o", opts.Output}
	if opts.Weights != nil {
		args = append(args, "--weight", formatWeights(opts.Weights))
	}
	if opts.Keep != pgo.DefaultKeep {
		args = append(args, "--keep", strconv.FormatFloat(opts.Keep, 'g', -1, 64))
	}
	if opts.Ignore != "" {
		args = append(args, "--ignore", opts.Ignore)
	}
	return append(args, opts.Files...)
}

// formatWeights returns weights as --weight takes them: 3,1.
func formatWeights(weights []float64) string {
	var w []string
	for _, x := range weights {
		w = append(w, strconv.FormatFloat(x, 'g', -1, 64))
	}
	return strings.Join(w, ",")
}

// common returns the value get gives every provenance, or "" when they
// differ.
func common(provs []pgo.Provenance, get func(pgo.Provenance) string) string {
	v := ""
	for i, p := range provs {
		if i == 0 {
			v = get(p)
		} else if get(p) != v {
			return ""
		}
	}
	return v
}

// PGOInspectOptions are the inputs of `gotune pgo inspect`.
type PGOInspectOptions struct {
	Dir  string // -C: the module to check staleness against
	File string
	Top  int
}

// NewCmdPGOInspect returns `gotune pgo inspect`.
func NewCmdPGOInspect(f *Factory, runF func(context.Context, *PGOInspectOptions) error) *cobra.Command {
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
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = chdirFlag(c)
			opts.File = args[0]
			if opts.Top < 1 {
				return usagef("--top %d: want at least 1", opts.Top)
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

func pgoInspectRun(ctx context.Context, f *Factory, opts *PGOInspectOptions) error {
	file := opts.File
	if !filepath.IsAbs(file) && opts.Dir != "" {
		if _, err := os.Stat(file); err != nil {
			file = filepath.Join(opts.Dir, file)
		}
	}
	p, size, err := pgo.Read(file)
	if err != nil {
		return pgoClassify(err)
	}
	if err := pgo.CheckCPU(file, p); err != nil {
		return pgoClassify(err)
	}
	sm := pgo.Summarize(p, opts.Top)
	w := f.Stdout
	fmt.Fprintf(w, "profile:     %s\n", file)
	fmt.Fprintf(w, "size:        %s\n", report.Bytes(size))
	fmt.Fprintf(w, "sample type: %s (period %s)\n", sm.SampleTypes, sm.Period)
	fmt.Fprintf(w, "duration:    %s\n", sm.Duration.Round(100*time.Millisecond))
	fmt.Fprintf(w, "samples:     %d distinct stacks, %s of CPU, %d functions\n", sm.Samples, sm.CPU.Round(10*time.Millisecond), sm.Functions)
	fmt.Fprintf(w, "start lines: %.1f%% of CPU\n", 100*sm.StartLines)
	verr := pgo.Validate(file, p)
	if verr != nil {
		fmt.Fprintf(w, "PGO:         unusable: %s\n", trimName(verr.Error(), file))
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
	m, err := pgo.FindModule(orDotDir(opts.Dir))
	if err != nil {
		fmt.Fprintf(f.Stderr, "gotune: not in a module: staleness not checked (use -C dir)\n")
	} else if err := inspectStaleness(ctx, f, m, p, opts.Top); err != nil {
		return err
	}
	if verr != nil {
		return pgoClassify(verr)
	}
	return nil
}

// inspectStaleness prints how much of p's CPU runs through functions of
// module m that no longer match its source.
func inspectStaleness(ctx context.Context, f *Factory, m pgo.Module, p *profile.Profile, top int) error {
	pkgs, err := pgo.ListPackages(ctx, f.Runner, m.Root)
	if err != nil {
		return err
	}
	src, err := pgo.LoadSource(m.Path, pkgs)
	if err != nil {
		return usageError{err}
	}
	st := pgo.Stale(p, src, top)
	w := f.Stdout
	fmt.Fprintf(w, "\nstaleness against the current source of %s:\n", m.Path)
	if st.ModuleCPU == 0 {
		fmt.Fprintf(w, "  none of the profile's CPU is in this module's code: is it a profile of another program?\n")
		return nil
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
	return nil
}

// pgoWorkDir returns the work dir of the pgo commands: dir when given,
// else the module's default; never inside the module.
func pgoWorkDir(dir, moduleRoot, module string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = plan.WorkDir("", moduleRoot, module); err != nil {
			return "", err
		}
	}
	return outsideModule("--workdir", dir, moduleRoot)
}

// outsideModule returns dir made absolute, or a usage error naming flag
// when it is inside the module at moduleRoot.
func outsideModule(flag, dir, moduleRoot string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if r, err := filepath.Rel(moduleRoot, dir); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", usagef("%s %s is inside the target module %s: gotune never writes into the target; choose a directory outside it", flag, dir, moduleRoot)
	}
	return dir, nil
}

// PGOApplyOptions are the inputs of `gotune pgo apply`.
type PGOApplyOptions struct {
	Dir         string // -C
	File        string
	Mains       []string // main package directories, relative to Dir; nil = every main package
	Force       bool
	ProfilesDir string // "" = profiles/ at the repository root
	Name        string // "" = the module path's last element
}

// NewCmdPGOApply returns `gotune pgo apply`.
func NewCmdPGOApply(f *Factory, runF func(context.Context, *PGOApplyOptions) error) *cobra.Command {
	opts := &PGOApplyOptions{}
	c := &cobra.Command{
		Use:   "apply FILE",
		Short: "Write a profile as default.pgo into main packages, and keep it with its provenance in profiles/",
		Long: `Apply validates the profile and writes it as default.pgo into each main
package directory (every main package of the module, or those given with
--main), atomically: 'go build' uses it from then on (-pgo=auto is the
default). It refuses to replace a default.pgo that differs unless --force is
given. It also keeps the profile and its provenance (inputs, commit, Go
version, date, how it was collected) under profiles/ at the repository root,
as NAME.pprof and NAME.provenance.json. This is the one gotune command that
writes into your repository: commit what it wrote.`,
		Example: `  gotune pgo apply merged.pprof -C examples/quotes
  gotune pgo apply merged.pprof --main ./cmd/api --main ./cmd/worker --force`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = chdirFlag(c)
			opts.File = args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pgoApplyRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&opts.Mains, "main", nil, "main package `dir` to apply it to, e.g. ./cmd/api; repeat for more (default: every main package)")
	fl.BoolVar(&opts.Force, "force", false, "replace a default.pgo that holds a different profile")
	fl.StringVar(&opts.ProfilesDir, "profiles", "", "where to keep the profile and its provenance (default: profiles/ at the repository root)")
	fl.StringVar(&opts.Name, "name", "", "file name of the kept profile, without extension (default: the module path's last element)")
	return c
}

func pgoApplyRun(ctx context.Context, f *Factory, opts *PGOApplyOptions) error {
	dir := orDotDir(opts.Dir)
	m, err := pgo.FindModule(dir)
	if err != nil {
		return pgoClassify(err)
	}
	pkgs, err := pgo.ListPackages(ctx, f.Runner, m.Root)
	if err != nil {
		return err
	}
	mainDirs := map[string]bool{}
	var all []string
	for _, p := range pkgs {
		if p.Name == "main" {
			mainDirs[p.Dir] = true
			all = append(all, p.Dir)
		}
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	var mains []string
	for _, md := range opts.Mains {
		d := md
		if !filepath.IsAbs(d) {
			d = filepath.Join(absDir, d)
		}
		d = filepath.Clean(d)
		if !mainDirs[d] {
			return usagef("--main %s: not a main package of module %s: give the directory of a package main (e.g. ./cmd/app)", md, m.Path)
		}
		mains = append(mains, d)
	}
	if opts.Mains == nil {
		if len(all) == 0 {
			return usagef("module %s has no main package: PGO applies to the main packages that go build links; pass --main", m.Path)
		}
		mains = all
	}
	file := opts.File
	if !filepath.IsAbs(file) {
		if _, err := os.Stat(file); err != nil && opts.Dir != "" {
			file = filepath.Join(opts.Dir, file)
		}
	}
	repo := pgo.RepoRoot(ctx, f.Runner, m.Root)
	if repo == "" {
		repo = m.Root
	}
	profilesDir := opts.ProfilesDir
	if profilesDir == "" {
		profilesDir = filepath.Join(repo, "profiles")
	}
	name := opts.Name
	if name == "" {
		name = path.Base(m.Path)
	}
	changes, err := pgo.Apply(pgo.ApplyOptions{Profile: file, Mains: mains, Force: opts.Force, ProfilesDir: profilesDir, Name: name, RepoRoot: repo})
	w := f.Stdout
	for _, c := range changes {
		fmt.Fprintf(w, "%-9s %s\n", c.Action, relTo(repo, c.Path))
	}
	if err != nil {
		return pgoClassify(err)
	}
	fmt.Fprintf(w, "\ngo build now uses the profile (-pgo=auto is the default); check a binary with: go version -m BINARY | grep -- -pgo=\n")
	fmt.Fprintf(w, "measure what it gives with: gotune run --pgo off,auto\n")
	return nil
}

// pgoClassify maps pgo errors to exit statuses.
func pgoClassify(err error) error {
	var te *target.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w", errInterrupted)
	case errors.As(err, new(pgo.InputError)), errors.As(err, &te), errors.As(err, new(usageError)):
		return usageError{err}
	}
	return err
}

func orDotDir(d string) string {
	if d == "" {
		return "."
	}
	return d
}

// relTo returns path relative to root when inside it.
func relTo(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

// trimName drops a leading "name: " from a message about name.
func trimName(msg, name string) string {
	return strings.TrimPrefix(msg, name+": ")
}

// change formats the relative change from a to b: "-58%".
func change(a, b int64) string {
	if a == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f%%", 100*(float64(b)/float64(a)-1))
}

func pct(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

func share(x, all time.Duration) string {
	if all == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(x)/float64(all))
}
