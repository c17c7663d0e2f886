package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/sys/cpu"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// Load gathers the facts of a plan — gotune.yaml, the target, the
// platform builds target, the revisions it compares, the host's GOAMD64
// levels — and makes it. It creates the work dir (after checking that it
// is outside the target), exports the revisions' source there and probes
// the CPU there; nothing else is written. Its errors are input problems
// (options.InputError) unless they
// wrap a context error.
func Load(ctx context.Context, o options.Options, r gotool.Runner) (*Plan, error) {
	if r == nil {
		r = gotool.Exec{}
	}
	dir, err := filepath.Abs(cmpOr(o.Dir, "."))
	if err != nil {
		return nil, err
	}
	o.Dir = dir
	cfg, err := LoadConfig(dir, o.Config)
	if err != nil {
		return nil, options.InputError{Err: err}
	}
	if o.Packages == nil {
		o.Packages = cfg.Packages
	}
	service := o.Service != nil || o.ServiceFlags.Given()
	tg, err := target.Load(ctx, target.Options{Dir: dir, Patterns: o.Packages, Runner: r, NoBenchmarks: service})
	if err != nil {
		var te *target.Error
		if errors.As(err, &te) {
			return nil, options.InputError{Err: err}
		}
		return nil, err
	}
	// A target platform this machine cannot run is refused now, before
	// anything is created or built.
	pf, err := LoadPlatform(ctx, r, dir)
	if err != nil {
		return nil, err
	}
	if err := pf.CheckUser(os.Getenv); err != nil {
		return nil, err
	}
	if err := pf.CheckEnv(o, cfg); err != nil {
		return nil, err
	}
	workDirGiven := o.WorkDir != ""
	if o.WorkDir, err = WorkDir(o.WorkDir, tg.ModuleRoot, tg.Module); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.WorkDir, 0o755); err != nil {
		return nil, options.Inputf("work dir %s: %v: pass a writable --workdir", o.WorkDir, err)
	}
	// Revisions are resolved, exported and read before anything is built.
	var sources map[string]Source
	if revs := Revisions(o, cfg); len(revs) > 0 {
		if sources, err = loadSources(ctx, r, tg, o, revs); err != nil {
			return nil, err
		}
	}
	levels, err := builder.HostLevels(ctx, r, filepath.Join(o.WorkDir, "probe"))
	if err != nil {
		if strings.Contains(err.Error(), "no space left on device") {
			return nil, options.Inputf("work dir %s is full (no space left on device): free some space or pass another --workdir", o.WorkDir)
		}
		return nil, err
	}
	times, err := shardTimes(o)
	if err != nil {
		return nil, err
	}
	host := Host(levels)
	host.GoVersion = tg.GoVersion
	p, err := Make(o, Facts{Config: cfg, Target: tg, Host: host, Levels: levels, GOAMD64: EnvGOAMD64(), Platform: pf, Sources: sources, ShardTimes: times, ShardFrom: o.ShardFrom})
	if err != nil {
		return nil, err
	}
	p.WorkDirGiven = workDirGiven
	if err := CheckToolchains(ctx, r, p); err != nil {
		return nil, err
	}
	if o.Budget == 0 && len(p.Toolchains) > 0 {
		p.Options.Budget = DefaultBudget(p.Variants, len(p.Benchmarks))
		p.BudgetChosen = o.Service == nil
	}
	// A profile given as a file is checked now, not after minutes of
	// builds: the compiler would ignore an unusable one silently.
	for _, v := range p.Variants {
		if v.Settings.PGO().File() {
			if fi, err := os.Stat(v.Profile); err != nil || fi.IsDir() {
				return nil, options.Inputf("variant %s: pgo profile %s: no such file: give the path of a CPU profile, or off or auto", v.Name, v.Settings.PGO().Path)
			}
			if err := pgo.CheckFile(v.Profile); err != nil {
				return nil, options.Inputf("variant %s: %v", v.Name, err)
			}
		}
	}
	return p, nil
}

// LoadConfig reads the configuration file path, or the gotune.yaml of
// dir when path is "" (none there: an empty configuration).
func LoadConfig(dir, path string) (matrix.Config, error) {
	if path == "" {
		p := filepath.Join(dir, "gotune.yaml")
		if _, err := os.Stat(p); err != nil {
			return matrix.Config{}, nil
		}
		path = p
	}
	return matrix.Load(path)
}

// WorkDir returns the absolute work dir of a run: the given one, or a
// folder of the user cache dir named after the module. It refuses a work
// dir inside the target module, symbolic links followed, before creating
// anything.
func WorkDir(given, moduleRoot, module string) (string, error) {
	wd := given
	if wd == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", options.Inputf("finding a work dir: %v: pass --workdir", err)
		}
		sum := sha256.Sum256([]byte(moduleRoot))
		name := strings.NewReplacer("/", "_", "\\", "_", ":", "_").Replace(module)
		wd = filepath.Join(cache, "gotune", name+"-"+hex.EncodeToString(sum[:4]))
	}
	wd, err := filepath.Abs(wd)
	if err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(moduleRoot)
	if err != nil {
		root = moduleRoot
	}
	if Inside(resolveExisting(wd), root) {
		return "", options.Inputf("--workdir %s is inside the target module %s: gotune never writes into the target; choose a directory outside it", given, moduleRoot)
	}
	return wd, nil
}

// resolveExisting follows the symbolic links of the longest existing
// prefix of path.
func resolveExisting(path string) string {
	rest := ""
	for p := path; ; p = filepath.Dir(p) {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest)
		}
		if filepath.Dir(p) == p {
			return path
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// Inside reports whether path is root or below it.
func Inside(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// FindWorkDir returns the work dir of the module that holds dir without
// loading the target: given, or the default one (for --resume).
func FindWorkDir(given, dir string) (string, error) {
	if given != "" {
		return filepath.Abs(given)
	}
	d, err := filepath.Abs(cmpOr(dir, "."))
	if err != nil {
		return "", err
	}
	for ; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			mod := modfile.ModulePath(data)
			if mod == "" {
				return "", fmt.Errorf("%s has no module line", filepath.Join(d, "go.mod"))
			}
			return WorkDir("", d, mod)
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside a Go module: pass -C with the target's directory", dir)
		}
	}
}

// EnvGOAMD64 returns the GOAMD64 level of the user's environment: v1 when
// unset, "" on other architectures.
func EnvGOAMD64() string {
	if runtime.GOARCH != "amd64" {
		return ""
	}
	if v := os.Getenv("GOAMD64"); v != "" {
		return v
	}
	return "v1"
}

// BaselineSettings returns the resolved build settings users get today
// from a plain go build of tg: their GOAMD64 (v1 when unset) and the main
// package's default.pgo, if any.
func BaselineSettings(tg *target.Target) axis.Settings {
	p := axis.PGOOff
	if d := tg.DefaultPGO(); d != "" {
		p = d
	}
	return axis.Settings{axis.GOAMD64.Name: EnvGOAMD64(), axis.PGO.Name: p}
}

// Host describes this machine.
func Host(levels []string) result.Host {
	h := result.Host{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, NumCPU: runtime.NumCPU(), CPU: cpuName(), Kernel: kernel()}
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

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
