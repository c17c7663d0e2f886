// Package plan decides what a run will do before anything is built: the
// variants of the matrix, resolved against the target (profiles found,
// levels the CPU cannot run skipped with the reason), the benchmarks to
// measure, the search, the budget and the seed. It sits between the
// options and the engine:
//
//	options ──► plan.Load (reads gotune.yaml, the target, the host) ──► plan.Make (pure) ──► engine
//
// Make is a pure function of the options and the facts Load gathered, so
// every decision is tested without a file system or a go command.
package plan

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// ScreenAbove is the number of variants above which screening is the
// default search: the default matrix (GOAMD64 levels × pgo) stays a grid.
const ScreenAbove = 8

// Plan is what a run will do.
type Plan struct {
	// Options are the options as the run uses them: gotune.yaml merged,
	// defaults filled, the seed drawn, the budget and timeout chosen.
	Options options.Options
	Target  *target.Target
	Host    result.Host
	// Variants are the points of the matrix, the baseline first,
	// resolved; those that cannot be built here are skipped with a reason.
	Variants []result.Variant
	// Benchmarks are the benchmarks to measure; Benchtime is set when
	// the user gave one, else the engine calibrates it.
	Benchmarks []result.Benchmark
	Search     string // result.SearchGrid or result.SearchScreen
	// SeedGiven tells that the seed was chosen, not drawn: it is then
	// part of the result cache's key. WorkDirGiven tells that --workdir
	// was given, for the command that resumes the run.
	SeedGiven, WorkDirGiven bool
	// BudgetChosen tells that gotune chose the budget (DefaultBudget):
	// the engine may then stretch it, up to MaxDefaultBudget, to the
	// cycles a verdict needs (engine's looker).
	BudgetChosen bool
	// Sources are the targets of the revisions a run compares, keyed by
	// the rev axis's value, each read from the revision's own source and
	// cut to the benchmarks every revision has; nil without revisions
	// (TargetOf picks a variant's). Target then holds those benchmarks.
	Sources map[string]*target.Target
	// Warnings are what the plan found that the report should say, such
	// as benchmarks that are not in every revision.
	Warnings []string
	// MeasureAgain makes the run measure even when gotune's result cache
	// has an identical run (a CI gate measures afresh), while builds still
	// come from the build cache.
	MeasureAgain bool
	// Shard is the part of a sharded plan this run measures (--shard);
	// nil for a whole run (shard.go).
	Shard *result.Shard
	// Toolchains are the releases the toolchain axis names, as checked
	// (CheckToolchains); nil without the axis.
	Toolchains []result.Toolchain
}

// Facts are what Make needs from outside: the configuration file, the
// target, the host.
type Facts struct {
	Config matrix.Config
	Target *target.Target
	Host   result.Host
	// Levels are the GOAMD64 levels this host runs, from the lowest.
	Levels []string
	// GOAMD64 is the user's GOAMD64 ("" on other architectures, v1 when
	// unset): the baseline's level.
	GOAMD64 string
	// Seed is used when the options leave the seed unset; 0 draws one.
	Seed int64
	// Platform is what builds target and what this machine runs; a
	// variant whose env axis targets another platform is refused. The
	// zero value checks nothing.
	Platform Platform
	// Sources are the revisions the run compares, keyed by the rev axis's
	// value (Revisions); nil without revisions.
	Sources map[string]Source
	// ShardTimes are the benchmarks' expected block times that balance
	// --shard, read from ShardFrom (--shard-from); nil = equal counts.
	ShardTimes map[ShardBench]float64
	ShardFrom  string
}

// Make returns the plan of a run. Its errors are input problems
// (options.InputError).
func Make(o options.Options, f Facts) (*Plan, error) {
	revs := Revisions(o, f.Config)
	cfg := f.Config
	if o.Base != "" {
		// check --base compares two revisions of the same build alone.
		cfg.Axes, cfg.Variants = nil, nil
	}
	o.Merge(cfg)
	o.Defaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	p := &Plan{Target: f.Target, Host: f.Host, SeedGiven: o.Seed != 0}
	if o.Seed == 0 {
		o.Seed = f.Seed
	}
	if o.Seed == 0 {
		o.Seed = rand.Int64N(1<<31-1) + 1
	}
	if o.Service != nil {
		if len(revs) > 0 {
			return nil, options.Inputf("service mode measures builds of the current source: drop --rev, --base and revisions: (comparing revisions of a server is not supported yet)")
		}
		if err := p.serviceMode(&o); err != nil {
			return nil, err
		}
	}
	tg := p.Target
	hasDefaultPGO := tg.DefaultPGO() != ""
	if len(revs) > 0 {
		for _, rev := range revs {
			if f.Sources[rev].Target == nil {
				return nil, fmt.Errorf("plan: revision %s was not loaded", rev)
			}
			hasDefaultPGO = hasDefaultPGO || f.Sources[rev].Target.DefaultPGO() != ""
		}
		var err error
		if tg, p.Sources, p.Warnings, err = common(tg, f.Sources, revs); err != nil {
			return nil, err
		}
		p.Target = tg
	}

	cfg.Axes = o.Axes
	if o.Base != "" {
		cfg.Axes = axis.Values{axis.Rev.Name: revs}
	}
	if o.BaselineOnly {
		cfg.Axes, cfg.Variants = axis.Values{}, nil
	}
	base := matrix.Variant{Settings: axis.Settings{axis.GOAMD64.Name: f.GOAMD64, axis.PGO.Name: axis.PGOAuto}}
	mvs, err := matrix.Expand(cfg, matrix.ExpandOptions{
		Baseline:      base,
		HostLevels:    f.Levels,
		HasDefaultPGO: hasDefaultPGO,
		MaxVariants:   o.MaxVariants,
	})
	if err != nil {
		return nil, options.InputError{Err: err}
	}
	if o.BaselineOnly {
		mvs = mvs[:1]
	}
	for _, mv := range mvs {
		vt := tg
		rev := mv.Settings.Get(axis.Rev)
		if rev != "" {
			if vt = p.Sources[rev]; vt == nil {
				return nil, fmt.Errorf("plan: variant %s: revision %s was not loaded", mv.Name, rev)
			}
		}
		v, err := resolve(mv, mvs[0], vt, f.Levels)
		if err != nil {
			return nil, options.InputError{Err: err}
		}
		if err := f.Platform.checkEnv(v.Settings.Get(axis.Env)); err != nil {
			return nil, err
		}
		if rev != "" {
			r := f.Sources[rev].Revision
			v.Revision = &r
		}
		skipToolchain(&v, vt)
		p.Variants = append(p.Variants, v)
	}
	if base := p.Variants[0]; base.Status != result.StatusOK && base.Settings.Get(axis.Toolchain) != "" {
		return nil, baselineToolchainError(base)
	}

	re := regexp.MustCompile(o.Bench) // validated
	all := 0
	for _, pk := range tg.Packages {
		for _, b := range pk.Benchmarks {
			all++
			if re.MatchString(b) {
				p.Benchmarks = append(p.Benchmarks, result.Benchmark{Package: pk.ImportPath, Name: b, Benchtime: o.Benchtime})
			}
		}
	}
	if len(p.Benchmarks) == 0 && o.Service == nil {
		return nil, options.Inputf("--bench %q matches none of the %d benchmarks of %s: see them with 'go test -list . %s'", o.Bench, all, strings.Join(patterns(tg), " "), strings.Join(patterns(tg), " "))
	}

	p.Search = o.Search
	if p.Search == options.SearchAuto {
		p.Search = result.SearchGrid
		if len(p.Variants) > ScreenAbove {
			p.Search = result.SearchScreen
		}
	}
	if o.Shard != "" {
		if err := p.applyShard(&o, f.ShardTimes, f.ShardFrom); err != nil {
			return nil, err
		}
	}
	if o.Budget == 0 {
		o.Budget = DefaultBudget(p.Variants, len(p.Benchmarks))
		p.BudgetChosen = o.Service == nil
		if o.Service != nil {
			o.Budget = ServiceBudget(p.Variants, o.Service.Warmup+o.Service.Duration)
		}
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout(o.Benchtime)
	}
	p.Options = o
	return p, nil
}

func patterns(tg *target.Target) []string {
	var out []string
	for _, pk := range tg.Packages {
		out = append(out, pk.ImportPath)
	}
	if len(out) > 3 {
		out = append(out[:3], "…")
	}
	return out
}

// DefaultBudget is the measuring time a run gets when --budget is not
// given: 30 seconds per variant that will be measured, between 1 and 10
// minutes. A run stops sooner once every variant is decided.
func DefaultBudget(vs []result.Variant, benchmarks int) time.Duration {
	n := 0
	for _, v := range vs {
		if v.Status == result.StatusOK {
			n++
		}
	}
	d := time.Duration(n) * 30 * time.Second
	if benchmarks > 20 {
		d = d * time.Duration(benchmarks) / 20
	}
	return min(MaxDefaultBudget, max(time.Minute, d))
}

// MaxDefaultBudget is the longest budget gotune chooses by itself.
const MaxDefaultBudget = 10 * time.Minute

// DefaultTimeout is the time a trial may take before it counts as hung: a
// minute, plus ten times a trial length given as a duration.
func DefaultTimeout(benchtime string) time.Duration {
	d, err := time.ParseDuration(benchtime)
	if err != nil || d <= 0 {
		return time.Minute
	}
	return time.Minute + 10*d
}

// resolve turns a matrix point into a result variant with its profile
// resolved (a path relative to the target's directory made absolute).
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
		// The engine collects the profile from the baseline's benchmarks
		// before building, and puts its path here.
		profile = builder.CollectedProfile
	case axis.PGOModeFile:
		profile = p.Path
		if !filepath.IsAbs(profile) {
			profile = filepath.Join(tg.Dir, profile)
		}
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
		RunEnv:     s.Spec(axis.Run).Env,
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
