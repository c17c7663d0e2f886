// Package tune runs gotune's pipeline end to end: it inspects the target,
// expands the matrix, builds every variant, measures them in interleaved
// rounds, and analyses the samples into a result.Run. The cli package turns
// flags into Options and renders what Run returns.
package tune

import (
	"github.com/gotune/gotune/internal/axis"

	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/cpu"

	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/measure"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// Options configure a run. Zero values take the defaults documented on each
// field.
type Options struct {
	Dir         string        // target directory (-C); "" = current
	Packages    []string      // package patterns; nil = the config's, else ./...
	Config      string        // gotune.yaml path; "" = <target>/gotune.yaml when present
	Axes        axis.Values   // from flags; an axis given here replaces the config's
	MaxVariants int           // 0 = the config's, else matrix.DefaultMaxVariants
	Count       int           // rounds; 0 = the config's, else 10
	Bench       string        // "" = the config's, else "."
	Benchtime   string        // "" = the config's, else DefaultBenchtime
	Timeout     time.Duration // per trial; 0 = derived from the benchtime
	Seed        int64         // 0 = random (and printed)
	WorkDir     string        // "" = the user cache dir
	NoDedupe    bool          // measure variants with identical code separately
	Version     string        // gotune's version, for the result

	Runner gotool.Runner
	Log    io.Writer // progress; nil = discard
}

// Defaults.
const (
	DefaultCount     = 10
	DefaultBenchtime = "500ms"
)

// Prepared is a run's plan before anything is built: the target and the
// resolved variants (some already skipped, with a reason).
type Prepared struct {
	Target   *target.Target
	Levels   []string // GOAMD64 levels this host runs
	Variants []result.Variant
	Opts     Options // with defaults filled in
	RunDir   string
}

// Prepare inspects the target and expands the matrix. Its errors are input
// problems (exit status 2) unless they wrap a context error.
func Prepare(ctx context.Context, opts Options) (*Prepared, error) {
	if opts.Runner == nil {
		opts.Runner = gotool.Exec{}
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}

	cfg, err := loadConfig(absDir, opts.Config)
	if err != nil {
		return nil, InputError{err}
	}
	if opts.Packages == nil {
		opts.Packages = cfg.Packages
	}
	if opts.Count == 0 {
		opts.Count = cfg.Count
	}
	if opts.Count == 0 {
		opts.Count = DefaultCount
	}
	if opts.Count < 1 {
		return nil, InputError{fmt.Errorf("--count %d: want at least 1 round (10 or more for a verdict)", opts.Count)}
	}
	if opts.Bench == "" {
		opts.Bench = cfg.Bench
	}
	if opts.Bench == "" {
		opts.Bench = "."
	}
	if _, err := regexp.Compile(opts.Bench); err != nil {
		return nil, InputError{fmt.Errorf("--bench %q is not a valid regular expression: %v", opts.Bench, err)}
	}
	if opts.Benchtime == "" {
		opts.Benchtime = cfg.Benchtime
	}
	if opts.Benchtime == "" {
		opts.Benchtime = DefaultBenchtime
	}
	if _, err := matrix.ParseBenchtime(opts.Benchtime); err != nil {
		return nil, InputError{fmt.Errorf("--benchtime: %v", err)}
	}
	if opts.MaxVariants == 0 {
		opts.MaxVariants = cfg.MaxVariants
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Int64N(1<<31-1) + 1
	}

	tg, err := target.Load(ctx, target.Options{Dir: absDir, Patterns: opts.Packages, Runner: opts.Runner})
	if err != nil {
		var te *target.Error
		if errors.As(err, &te) {
			return nil, InputError{err}
		}
		return nil, err
	}

	workDir := opts.WorkDir
	if workDir == "" {
		workDir, err = DefaultWorkDir(tg.ModuleRoot, tg.Module)
		if err != nil {
			return nil, err
		}
	}
	workDir, err = filepath.Abs(workDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return nil, InputError{fmt.Errorf("work dir %s: %v: pass a writable --workdir", workDir, err)}
	}
	if inside(workDir, tg.ModuleRoot) {
		return nil, InputError{fmt.Errorf("--workdir %s is inside the target module %s: gotune never writes into the target; choose a directory outside it", workDir, tg.ModuleRoot)}
	}
	opts.WorkDir = workDir

	levels, err := builder.HostLevels(ctx, opts.Runner, filepath.Join(workDir, "probe"))
	if err != nil {
		if strings.Contains(err.Error(), "no space left on device") {
			return nil, InputError{fmt.Errorf("work dir %s is full (no space left on device): free some space or pass another --workdir", workDir)}
		}
		return nil, err
	}

	cfg.Axes = cfg.Axes.Override(opts.Axes)

	base := matrix.Variant{Settings: axis.Settings{axis.GOAMD64.Name: envGOAMD64(), axis.PGO.Name: axis.PGOAuto}}
	mvs, err := matrix.Expand(cfg, matrix.ExpandOptions{
		Baseline:      base,
		HostLevels:    levels,
		HasDefaultPGO: tg.DefaultPGO() != "",
		MaxVariants:   opts.MaxVariants,
	})
	if err != nil {
		return nil, InputError{err}
	}
	p := &Prepared{Target: tg, Levels: levels, Opts: opts}
	var baseVariant matrix.Variant
	for _, mv := range mvs {
		if mv.Baseline {
			baseVariant = mv
		}
	}
	for _, mv := range mvs {
		v, err := resolve(mv, baseVariant, tg, levels)
		if err != nil {
			return nil, InputError{err}
		}
		p.Variants = append(p.Variants, v)
	}
	return p, nil
}

// InputError is a problem with what the user gave: flags, configuration or
// target.
type InputError struct{ Err error }

func (e InputError) Error() string { return e.Err.Error() }
func (e InputError) Unwrap() error { return e.Err }

func loadConfig(dir, path string) (matrix.Config, error) {
	if path == "" {
		p := filepath.Join(dir, "gotune.yaml")
		if _, err := os.Stat(p); err != nil {
			return matrix.Config{}, nil
		}
		path = p
	}
	return matrix.Load(path)
}

// BaselineSettings returns the resolved build settings users get today
// from a plain go build of tg: their GOAMD64 (v1 when unset) and the main
// package's default.pgo, if any.
func BaselineSettings(tg *target.Target) axis.Settings {
	p := axis.PGOOff
	if d := tg.DefaultPGO(); d != "" {
		p = d
	}
	return axis.Settings{axis.GOAMD64.Name: envGOAMD64(), axis.PGO.Name: p}
}

func envGOAMD64() string {
	if runtime.GOARCH != "amd64" {
		return ""
	}
	if v := os.Getenv("GOAMD64"); v != "" {
		return v
	}
	return "v1"
}

// resolve turns a matrix point into a result variant with its profile
// resolved.
func resolve(mv, base matrix.Variant, tg *target.Target, levels []string) (result.Variant, error) {
	s := mv.Settings.Clone()
	if s.Get(axis.PGO) == "" {
		s[axis.PGO.Name] = axis.PGOAuto
	}
	profile := ""
	switch p := s.PGO(); p.Mode {
	case axis.PGOModeAuto:
		profile = tg.DefaultPGO()
	case axis.PGOModeCollect:
		// Run collects the profile from the baseline's benchmarks before
		// building, and puts its path here.
		profile = builder.CollectedProfile
	case axis.PGOModeFile:
		path := p.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(tg.Dir, path)
		}
		if fi, err := os.Stat(path); err != nil || fi.IsDir() {
			return result.Variant{}, fmt.Errorf("variant %s: pgo profile %s: no such file: give the path of a CPU profile, or off or auto", mv.Name, p.Path)
		}
		profile = path
	}
	if profile != "" && !tg.SupportsPGO() {
		return result.Variant{}, fmt.Errorf("variant %s: PGO needs Go %s or later; this toolchain is %s: drop the pgo axis or upgrade Go", mv.Name, target.MinPGOVersion, tg.GoVersion)
	}
	v := result.Variant{
		Name:       mv.Name,
		Settings:   s,
		Profile:    profile,
		Complexity: mv.Complexity(base),
		Status:     result.StatusOK,
		BuildLine:  builder.BuildLine(s, profile, tg.BuildTarget(), tg.DefaultPGO() != ""),
	}
	if l := s.Get(axis.GOAMD64); l != "" && !builder.Runs(levels, l) {
		v.Status = result.StatusSkipped
		v.Reason = fmt.Sprintf("this CPU cannot run GOAMD64=%s (it runs up to %s)", l, levels[len(levels)-1])
	}
	if knobs, _ := axis.PGOKnobs(s.Get(axis.GCFlags)); len(knobs) > 0 && profile == "" && v.Status == result.StatusOK {
		v.Status = result.StatusSkipped
		v.Reason = fmt.Sprintf("PGO knobs (%s) do nothing without a profile: pair them with pgo auto, collect or a file", strings.Join(knobs, ","))
	}
	return v, nil
}

// Run prepares, builds, measures every variant in every round and analyses:
// the full grid, without racing, gotune's cache or resuming (RunSearch with
// GridOptions). Whatever was measured is kept in the returned Run and in the
// run directory even when ctx is cancelled part way; the error then wraps
// the context's.
func Run(ctx context.Context, opts Options) (*result.Run, error) {
	return RunSearch(ctx, opts, GridOptions())
}

// GridOptions are the search options of a plain full-grid run: every
// variant, every round, built and measured afresh. The CI gate uses them.
func GridOptions() SearchOptions {
	return SearchOptions{Search: SearchGrid, NoRace: true, Fresh: true}
}

// fileKeys returns the benchfmt file-configuration keys of a unit's variant,
// one per axis, so that `benchstat -col variant` (or goamd64, pgo, …) works
// on the raw file.
func fileKeys(run *result.Run) func(measure.Unit) [][2]string {
	return func(u measure.Unit) [][2]string {
		v := run.Variant(u.Variant)
		kv := [][2]string{{"variant", v.Name}}
		for _, a := range axis.All {
			val := strings.Join(strings.Fields(v.Settings.Get(a)), " ")
			if val == "" {
				val = "none"
			}
			kv = append(kv, [2]string{a.Name, val})
		}
		return kv
	}
}

// trialTimeout allows each benchmark a generous multiple of the benchtime
// (go test runs a benchmark several times while it sizes b.N), plus a
// minute for start-up and slow machines.
func trialTimeout(benchtime string, benchmarks map[string][]string) time.Duration {
	d, err := time.ParseDuration(benchtime)
	if err != nil || d <= 0 {
		return 10 * time.Minute
	}
	n := 0
	for _, b := range benchmarks {
		n = max(n, len(b))
	}
	return time.Minute + time.Duration(n)*10*max(d, time.Second)
}

func host(levels []string) result.Host {
	h := result.Host{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, NumCPU: runtime.NumCPU(), CPU: cpuName()}
	if len(levels) > 0 {
		h.GOAMD64Max = levels[len(levels)-1]
	}
	return h
}

func cpuName() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	if cpu.X86.HasAVX2 {
		return "x86-64 with AVX2"
	}
	return runtime.GOARCH
}

// DefaultWorkDir returns the work dir of the module at moduleRoot: a folder
// of the user cache dir named after the module and a hash of its root.
func DefaultWorkDir(moduleRoot, module string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a work dir: %v: pass --workdir", err)
	}
	sum := sha256.Sum256([]byte(moduleRoot))
	name := strings.NewReplacer("/", "_", "\\", "_", ":", "_").Replace(module)
	return filepath.Join(cache, "gotune", name+"-"+hex.EncodeToString(sum[:4])), nil
}

// pruneBinaries removes the test binaries of earlier runs in workDir: only
// the newest run keeps them (for `go version -m`), while every run keeps its
// results.
func pruneBinaries(workDir, keep string) {
	runs, _ := filepath.Glob(filepath.Join(workDir, "runs", "*", "bin"))
	for _, b := range runs {
		if filepath.Dir(b) != keep {
			os.RemoveAll(b)
		}
	}
}

// linkLast points workDir/last at the newest run folder.
func linkLast(workDir, runDir string) {
	last := filepath.Join(workDir, "last")
	tmp := last + ".tmp"
	os.Remove(tmp)
	if err := os.Symlink(filepath.Join("runs", filepath.Base(runDir)), tmp); err == nil {
		os.Rename(tmp, last)
	}
}

func inside(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
