package pgo

import (
	"github.com/gotune/gotune/internal/axis"

	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/gotool"
)

// BenchPackage is a package whose benchmarks Collect profiles.
type BenchPackage struct {
	ImportPath string
	Dir        string // its source directory: benchmarks run there, as under go test
}

// CollectOptions configure Collect.
type CollectOptions struct {
	Runner   gotool.Runner
	Dir      string // where the go command runs: the target directory
	Packages []BenchPackage
	// Settings are the build settings of the profiled test binaries: the
	// baseline, the build users run today.
	Settings  axis.Settings
	Bench     string        // -test.bench regexp; "" = "."
	Benchtime string        // -test.benchtime; "" = the test binary's default (1s)
	Count     int           // rounds: one profile per package and round; 0 = 1
	Timeout   time.Duration // per benchmark run; 0 = none
	// OutDir receives the test binaries (in bin/) and one profile per
	// package and round, each with its provenance file. Never inside the
	// target.
	OutDir string
	// Provenance is the template of every profile's provenance: tool, Go
	// version, module, commit.
	Provenance Provenance
	Log        io.Writer // progress; nil = discard
}

// Raw is one profile Collect wrote.
type Raw struct {
	Path    string
	Package string
	Round   int
	Samples int
	CPU     time.Duration
}

// ProfileArgs returns the argv of one profiled benchmark run of bin: only
// benchmarks, once each, writing a CPU profile to out. go test refuses
// -cpuprofile for several packages at once, so each package's test binary
// is run on its own.
func ProfileArgs(bin, bench, benchtime, out string) []string {
	if bench == "" {
		bench = "."
	}
	args := []string{bin, "-test.run=^$", "-test.bench=" + bench, "-test.count=1"}
	if benchtime != "" {
		args = append(args, "-test.benchtime="+benchtime)
	}
	return append(args, "-test.cpuprofile="+out)
}

// Collect builds the test binary of every package with opts.Settings and
// runs its benchmarks opts.Count times, one package at a time, each run
// writing a CPU profile into opts.OutDir. A profile without CPU samples
// (benchmarks too short to be sampled) is left out with a note on the log;
// Collect fails when a build or a run fails, or when no profile has
// samples.
func Collect(ctx context.Context, opts CollectOptions) ([]Raw, error) {
	if opts.Runner == nil {
		opts.Runner = gotool.Exec{}
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Count <= 0 {
		opts.Count = 1
	}
	if len(opts.Packages) == 0 {
		return nil, inputErrorf("no packages with benchmarks to profile")
	}
	binDir := filepath.Join(opts.OutDir, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return nil, err
	}
	bins := make([]string, len(opts.Packages))
	for i, pk := range opts.Packages {
		bins[i] = filepath.Join(binDir, fmt.Sprintf("%d-%s.test", i, path.Base(pk.ImportPath)))
		args := builder.TestArgs(opts.Settings, pk.ImportPath, bins[i])
		fmt.Fprintf(opts.Log, "pgo collect: building %s\n", pk.ImportPath)
		if _, err := opts.Runner.Run(ctx, gotool.Cmd{Args: args, Dir: opts.Dir, Env: builder.Env(opts.Settings)}); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("building the test binary of %s: %s", pk.ImportPath, oneLine(builder.CompilerMessage(err)))
		}
	}
	var raws []Raw
	for round := 1; round <= opts.Count; round++ {
		for i, pk := range opts.Packages {
			out := filepath.Join(opts.OutDir, fmt.Sprintf("%s-r%d.pprof", builder.Slug(pk.ImportPath), round))
			args := ProfileArgs(bins[i], opts.Bench, opts.Benchtime, out)
			fmt.Fprintf(opts.Log, "pgo collect: round %d/%d %s\n", round, opts.Count, pk.ImportPath)
			res, err := opts.Runner.Run(ctx, gotool.Cmd{Args: args, Dir: pk.Dir, Timeout: opts.Timeout})
			if ctx.Err() != nil {
				return raws, ctx.Err()
			}
			if err != nil {
				return raws, fmt.Errorf("the benchmarks of %s failed in round %d: %s", pk.ImportPath, round, runError(err, res.Stdout))
			}
			raw, err := checkRaw(out, pk.ImportPath, round)
			if err != nil {
				var ie InputError
				if errors.As(err, &ie) {
					fmt.Fprintf(opts.Log, "pgo collect: %s round %d: left out: %v\n", pk.ImportPath, round, err)
					os.Remove(out)
					continue
				}
				return raws, err
			}
			pv := opts.Provenance
			pv.Source = "collect"
			pv.How = fmt.Sprintf("benchmarks of %s (-test.bench=%s -test.benchtime=%s), round %d of %d, test binary built with: %s",
				pk.ImportPath, orDot(opts.Bench), orDefault(opts.Benchtime), round, opts.Count,
				gotool.Cmd{Args: builder.TestArgs(opts.Settings, pk.ImportPath, path.Base(bins[i])), Env: builder.Env(opts.Settings)})
			pv.Command = args
			pv.Samples, pv.CPU = raw.Samples, raw.CPU
			if p, _, err := Read(out); err == nil {
				pv.Duration = time.Duration(p.DurationNanos)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				return raws, err
			}
			pv.Created = time.Now().UTC().Truncate(time.Second)
			if err := WriteProvenance(out, data, pv); err != nil {
				return raws, err
			}
			raws = append(raws, raw)
		}
	}
	if len(raws) == 0 {
		return nil, inputErrorf("no profile has CPU samples: the benchmarks ran too briefly to be sampled (100 samples a second): raise --benchtime, e.g. 1s")
	}
	return raws, nil
}

// checkRaw reads a profile Collect wrote and checks it has samples.
func checkRaw(path, pkg string, round int) (Raw, error) {
	p, _, err := Read(path)
	if err != nil {
		var ie InputError
		if errors.As(err, &ie) && strings.Contains(err.Error(), "no such file") {
			return Raw{}, fmt.Errorf("the benchmarks of %s wrote no profile in round %d (did a TestMain skip -test.cpuprofile?)", pkg, round)
		}
		return Raw{}, err
	}
	if err := Validate(filepath.Base(path), p); err != nil {
		return Raw{}, err
	}
	sm := Summarize(p, 0)
	return Raw{Path: path, Package: pkg, Round: round, Samples: sm.Samples, CPU: sm.CPU}, nil
}

// runError returns the useful part of a failed benchmark run, on one line:
// the first failure or panic line of its output, else the error.
func runError(err error, stdout []byte) string {
	var ge *gotool.Error
	if !errors.As(err, &ge) {
		return oneLine(err.Error())
	}
	if ge.TimedOut {
		return fmt.Sprintf("timed out after %s: raise --timeout", ge.Cmd.Timeout)
	}
	status := oneLine(ge.Error())
	if ge.ExitCode >= 0 {
		status = fmt.Sprintf("exit status %d", ge.ExitCode)
	}
	for _, l := range strings.Split(string(stdout)+"\n"+ge.Stderr, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "--- FAIL") || strings.HasPrefix(l, "panic:") {
			return l + " (" + status + ")"
		}
	}
	return status
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return s
}

func orDot(s string) string {
	if s == "" {
		return "."
	}
	return s
}

func orDefault(s string) string {
	if s == "" {
		return "1s"
	}
	return s
}

// CollectTimeout returns the default time limit of one profiled run of a
// package: a minute plus ten times the benchtime (at least a second) per
// benchmark of the package with the most; a minute when benchtime is a
// count (100x) or not a duration.
func CollectTimeout(benchtime string, maxBenchmarks int) time.Duration {
	timeout := time.Minute
	if d, err := time.ParseDuration(benchtime); err == nil {
		timeout += time.Duration(maxBenchmarks) * 10 * max(d, time.Second)
	}
	return timeout
}

// OutsideModule returns dir made absolute, or an InputError naming flag
// when it is inside the module at moduleRoot: gotune never writes into the
// target, except in Apply.
func OutsideModule(flag, dir, moduleRoot string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if r, err := filepath.Rel(moduleRoot, dir); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", inputErrorf("%s %s is inside the target module %s: gotune never writes into the target; choose a directory outside it", flag, dir, moduleRoot)
	}
	return dir, nil
}
