package tune

import (
	"github.com/gotune/gotune/internal/axis"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gotune/gotune/internal/atomicfile"

	"golang.org/x/mod/modfile"

	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/cache"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/measure"
	"github.com/gotune/gotune/internal/progress"
	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/resume"
	"github.com/gotune/gotune/internal/search"
	"github.com/gotune/gotune/internal/stats"
)

// Search modes of SearchOptions.Search.
const (
	SearchAuto   = ""                  // screen above SearchOptions.ScreenAbove variants, else grid
	SearchGrid   = result.SearchGrid   // build and measure every variant
	SearchScreen = result.SearchScreen // one axis at a time, then the best values combined
)

// SearchOptions configure how RunSearch measures less: racing, screening,
// the cache, resuming, calibration, progress and a time budget. The zero
// value is the default: racing on, screening above DefaultScreenAbove
// variants, the cache used, no budget.
type SearchOptions struct {
	Search      string // SearchAuto, SearchGrid or SearchScreen (--search)
	ScreenAbove int    // SearchAuto screens above this many variants; 0 = search.DefaultScreenAbove
	// NoRace measures every variant for every round (--race=false).
	NoRace bool
	// MinRounds is the number of rounds before racing drops anything; 0 =
	// stats.DefaultMinRounds.
	MinRounds int
	// Fresh ignores the build and result caches (--fresh); what is built
	// is still stored.
	Fresh bool
	// Resume continues the newest interrupted run of the work dir with its
	// own options (--resume); the run-defining fields of Options are then
	// taken from it.
	Resume bool
	// Calibrate measures the baseline against itself first (--calibrate);
	// without it the noise is estimated from the baseline's own rounds.
	Calibrate bool
	// Budget plans the rounds to fit the whole run in this time
	// (--budget); 0 = none. Without an explicit Count the rounds may then
	// go up to MaxBudgetRounds.
	Budget time.Duration
	Quiet  bool // no progress on stderr (--quiet)
	// Progress shows progress; nil = one made from Options.Log.
	Progress *progress.Progress
	// CountGiven tells that Options.Count was given by the user: with a
	// Budget it is then the most rounds to plan.
	CountGiven bool
}

// Search defaults.
const (
	// MaxBudgetRounds bounds the rounds a budget plans without --count.
	MaxBudgetRounds = 50
	// CalibrateRounds is the number of A/A rounds of --calibrate, at most
	// --count.
	CalibrateRounds = 8
	// twinSuffix names the second unit of the baseline's A/A calibration.
	twinSuffix = "~aa"
)

// savedOptions are the options an interrupted run is continued with.
type savedOptions struct {
	Dir         string        `json:"dir"`
	Packages    []string      `json:"packages,omitempty"`
	Config      string        `json:"config,omitempty"`
	Axes        axis.Values   `json:"axes"`
	MaxVariants int           `json:"max_variants,omitempty"`
	Count       int           `json:"count"`
	Bench       string        `json:"bench"`
	Benchtime   string        `json:"benchtime"`
	Timeout     time.Duration `json:"timeout,omitempty"`
	Seed        int64         `json:"seed"`
	NoDedupe    bool          `json:"no_dedupe,omitempty"`
	Search      string        `json:"search"` // resolved: grid or screen
	NoRace      bool          `json:"no_race,omitempty"`
	MinRounds   int           `json:"min_rounds,omitempty"`
	Calibrate   bool          `json:"calibrate,omitempty"`
	Budget      time.Duration `json:"budget,omitempty"`
	CountGiven  bool          `json:"count_given,omitempty"`
	// Elapsed is the wall time the run had spent when it was last
	// interrupted, for its budget.
	Elapsed time.Duration `json:"elapsed,omitempty"`
	// WorkDirGiven tells that --workdir was given, for the resume command.
	WorkDirGiven bool `json:"workdir_given,omitempty"`
	// Variants names the variants of the plan, when the caller kept only
	// some of the matrix (Prepared.Search); nil = all.
	Variants []string `json:"variants,omitempty"`
	// GoVersion is the toolchain the run built with: a run is not
	// continued with another.
	GoVersion string `json:"go_version,omitempty"`
}

// RunSearch prepares and runs a search: what Run does, measuring less.
// With SearchOptions.Resume it continues the newest interrupted run of the
// work dir instead. Whatever was measured is in the returned Run and
// written to the run folder even when ctx is cancelled part way, and a
// journal lets `--resume` continue it; the error then wraps the context's.
func RunSearch(ctx context.Context, opts Options, so SearchOptions) (*result.Run, error) {
	if opts.Runner == nil {
		opts.Runner = gotool.Exec{}
	}
	pr := so.Progress
	if pr == nil {
		pr = progress.New(opts.Log, progress.Options{Quiet: so.Quiet})
		defer pr.Close()
	}
	so.Progress = pr
	opts.Log = pr.Log()
	if so.Resume {
		return resumeSearch(ctx, opts, so)
	}
	switch so.Search {
	case SearchAuto, SearchGrid, SearchScreen:
	default:
		return nil, InputError{fmt.Errorf("--search %q: want grid or screen", so.Search)}
	}
	if so.Budget < 0 {
		return nil, InputError{fmt.Errorf("--budget %s: want a positive duration such as 15m", so.Budget)}
	}
	workDirGiven, seedGiven := opts.WorkDir != "", opts.Seed != 0
	p, err := Prepare(ctx, opts)
	if err != nil {
		return nil, err
	}
	if so.Budget > 0 && !so.CountGiven && opts.Count == 0 {
		p.Opts.Count = MaxBudgetRounds
	}
	s := &searcher{p: p, so: so, workDirGiven: workDirGiven, seedGiven: seedGiven, start: time.Now()}
	return s.search(ctx)
}

// Search runs a prepared plan as RunSearch does, for callers that change
// the plan first (such as measuring the baseline alone). Its variants are
// remembered, so that --resume continues the same plan.
func (p *Prepared) Search(ctx context.Context, so SearchOptions) (*result.Run, error) {
	if so.Resume {
		return nil, InputError{errors.New("Prepared.Search cannot resume: use RunSearch")}
	}
	pr := so.Progress
	if pr == nil {
		pr = progress.New(p.Opts.Log, progress.Options{Quiet: so.Quiet})
		defer pr.Close()
	}
	so.Progress = pr
	p.Opts.Log = pr.Log()
	if p.Opts.Runner == nil {
		p.Opts.Runner = gotool.Exec{}
	}
	s := &searcher{p: p, so: so, workDirGiven: true, seedGiven: true, start: time.Now()}
	return s.search(ctx)
}

// resumeSearch continues the newest interrupted run of the work dir.
func resumeSearch(ctx context.Context, opts Options, so SearchOptions) (*result.Run, error) {
	workDir, err := resolveWorkDir(opts)
	if err != nil {
		return nil, InputError{err}
	}
	runDir, st, err := resume.Find(workDir)
	if err != nil {
		return nil, InputError{fmt.Errorf("%v: every run there finished (or none was interrupted); start one with gotune run", err)}
	}
	var saved savedOptions
	if err := json.Unmarshal(st.Options, &saved); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(runDir, resume.StateFile), err)
	}
	o := Options{
		Dir: saved.Dir, Packages: saved.Packages, Config: saved.Config, Axes: saved.Axes,
		MaxVariants: saved.MaxVariants, Count: saved.Count, Bench: saved.Bench, Benchtime: saved.Benchtime,
		Timeout: saved.Timeout, Seed: saved.Seed, NoDedupe: saved.NoDedupe, WorkDir: workDir,
		Version: opts.Version, Runner: opts.Runner, Log: opts.Log,
	}
	so2 := SearchOptions{
		Search: saved.Search, NoRace: saved.NoRace, MinRounds: saved.MinRounds, Calibrate: saved.Calibrate,
		Budget: saved.Budget, CountGiven: saved.CountGiven, Quiet: so.Quiet, Progress: so.Progress,
	}
	p, err := Prepare(ctx, o)
	if err != nil {
		return nil, err
	}
	if saved.Variants != nil {
		var keep []result.Variant
		for _, v := range p.Variants {
			if slices.Contains(saved.Variants, v.Name) {
				keep = append(keep, v)
			}
		}
		if len(keep) != len(saved.Variants) {
			return nil, InputError{fmt.Errorf("the matrix changed since the run in %s was interrupted: start a new run with gotune run", runDir)}
		}
		p.Variants = keep
	}
	if saved.GoVersion != "" && saved.GoVersion != p.Target.GoVersion {
		return nil, InputError{fmt.Errorf("the run in %s was built with %s, and the go command is now %s: its samples would mix two compilers; start a new run with gotune run", runDir, saved.GoVersion, p.Target.GoVersion)}
	}
	src, err := cache.SourceHash(p.Target.ModuleRoot)
	if err != nil {
		return nil, err
	}
	if src != st.Source {
		return nil, InputError{fmt.Errorf("the target's source changed since the run in %s was interrupted: its samples would mix two versions of the code; start a new run with gotune run", runDir)}
	}
	recs, err := resume.Load(runDir)
	if err != nil {
		return nil, fmt.Errorf("reading the journal of %s: %v", runDir, err)
	}
	fmt.Fprintf(opts.Log, "gotune: resuming %s (seed %d, %d rounds): %d trials already measured\n", runDir, saved.Seed, saved.Count, countTrials(recs))
	s := &searcher{p: p, so: so2, workDirGiven: saved.WorkDirGiven, start: time.Now(),
		runDir: runDir, state: &st, replay: recs, elapsed: saved.Elapsed}
	return s.search(ctx)
}

// countTrials counts the trial records of a journal.
func countTrials(recs map[string][]measure.Record) int {
	n := 0
	for _, rs := range recs {
		for _, r := range rs {
			if r.Decision == nil {
				n++
			}
		}
	}
	return n
}

// resolveWorkDir returns the work dir of opts without loading the target:
// --workdir, else the default of the module that holds opts.Dir.
func resolveWorkDir(opts Options) (string, error) {
	if opts.WorkDir != "" {
		return filepath.Abs(opts.WorkDir)
	}
	dir, err := filepath.Abs(cmpOr(opts.Dir, "."))
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			mod := modfile.ModulePath(data)
			if mod == "" {
				return "", fmt.Errorf("%s has no module line", filepath.Join(d, "go.mod"))
			}
			return DefaultWorkDir(d, mod)
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside a Go module: pass -C with the target's directory", dir)
		}
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// searcher holds the state of one search.
type searcher struct {
	p            *Prepared
	so           SearchOptions
	workDirGiven bool
	seedGiven    bool // the seed was given, not drawn: it is part of the result key
	start        time.Time
	elapsed      time.Duration // spent before a resume

	run        *result.Run
	runDir     string
	state      *resume.State // nil for a new run
	replay     map[string][]measure.Record
	journal    *resume.Journal
	raw        *os.File // results.txt, appended to
	cache      cache.Cache
	source     string
	pkgs       []string
	benchmarks map[string][]string
	dirs       map[string]string
	timeout    time.Duration
	kill       context.Context

	fingerprints map[string]string // variant fingerprint → first variant built with it
	unsupported  map[string]string
	drops        map[string]result.Drop
	nextRound    int // the first round of the next stage
	calibrated   bool
	budgetSaid   bool
}

// log returns where progress lines go.
func (s *searcher) log() io.Writer { return s.p.Opts.Log }

// search runs the stages, then the analysis.
func (s *searcher) search(ctx context.Context) (*result.Run, error) {
	p, opts, tg := s.p, s.p.Opts, s.p.Target
	unlock, err := lockWorkDir(opts.WorkDir, fmt.Sprintf("run of %s, seed %d", tg.Module, opts.Seed))
	if err != nil {
		return nil, err
	}
	defer unlock()
	mode := s.mode()
	race := !s.so.NoRace
	run := &result.Run{
		GotuneVersion: opts.Version,
		GoVersion:     tg.GoVersion,
		Host:          host(p.Levels),
		Module:        tg.Module,
		Dir:           tg.Dir,
		Seed:          opts.Seed,
		Count:         opts.Count,
		Bench:         opts.Bench,
		Benchtime:     opts.Benchtime,
		Started:       time.Now().UTC().Truncate(time.Second),
		Baseline:      p.Variants[0].Name,
		Variants:      p.Variants,
		Search:        &result.Search{Mode: mode, Race: race},
	}
	s.run = run
	s.benchmarks, s.dirs = map[string][]string{}, map[string]string{}
	for _, pk := range tg.Packages {
		s.pkgs = append(s.pkgs, pk.ImportPath)
		s.benchmarks[pk.ImportPath] = pk.Benchmarks
		s.dirs[pk.ImportPath] = pk.Dir
	}
	run.Packages = s.pkgs
	s.timeout = opts.Timeout
	if s.timeout == 0 {
		s.timeout = trialTimeout(opts.Benchtime, s.benchmarks)
	}
	s.cache = cache.Cache{Dir: filepath.Join(opts.WorkDir, "cache")}
	s.fingerprints, s.unsupported, s.drops = map[string]string{}, map[string]string{}, map[string]result.Drop{}
	s.nextRound = 1
	if s.so.Budget > 0 {
		run.Search.Budget = s.so.Budget.String()
	}

	if s.source == "" {
		if s.source, err = cache.SourceHash(tg.ModuleRoot); err != nil {
			return nil, err
		}
	}
	resultKey := s.resultKey()
	if s.state == nil && !s.so.Fresh && resultKey != "" {
		if prev, ok := s.reuse(resultKey); ok {
			return prev, nil
		}
	}

	if err := s.openRun(); err != nil {
		return nil, err
	}
	defer s.journal.Close()
	defer s.closeRaw()
	kill, stopKill := graceful(ctx, s.so.Progress.Notice())
	defer stopKill()
	s.kill = kill

	rounds := fmt.Sprintf("%d rounds", opts.Count)
	if s.so.Budget > 0 {
		rounds = fmt.Sprintf("up to %d rounds within %s", opts.Count, s.so.Budget)
	}
	fmt.Fprintf(s.log(), "gotune: %s, %d variants, %d package(s), %s, seed %d (replay with --seed %d)\n", tg.Module, len(run.Variants), len(s.pkgs), rounds, opts.Seed, opts.Seed)
	for _, v := range run.Variants {
		if v.Status == result.StatusSkipped {
			fmt.Fprintf(s.log(), "gotune: skipping %s: %s\n", v.Name, v.Reason)
		}
	}
	if err := s.collect(ctx); err != nil {
		return nil, err
	}

	measureErr := s.stages(ctx, mode)
	if measureErr != nil && !isCanceled(measureErr) {
		return nil, measureErr
	}
	return s.finish(resultKey, measureErr)
}

// isCanceled reports whether err comes from a cancelled context.
func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// mode resolves the search mode.
func (s *searcher) mode() string {
	switch s.so.Search {
	case SearchGrid, SearchScreen:
		return s.so.Search
	}
	above := s.so.ScreenAbove
	if above <= 0 {
		above = search.DefaultScreenAbove
	}
	if len(s.p.Variants) > above {
		return SearchScreen
	}
	return SearchGrid
}

// openRun creates (or reopens, to resume) the run folder, its state file,
// journal and raw results file.
func (s *searcher) openRun() error {
	opts, run := s.p.Opts, s.run
	if s.runDir == "" {
		s.runDir = filepath.Join(opts.WorkDir, "runs", fmt.Sprintf("%s-seed%d", run.Started.Format("20060102-150405"), opts.Seed))
		if _, err := os.Stat(s.runDir); err == nil {
			// Two runs of one seed in one second: keep both.
			s.runDir += "-" + strconv.FormatInt(time.Now().UnixNano()%1e6, 10)
		}
	}
	if err := os.MkdirAll(s.runDir, 0o755); err != nil {
		return fmt.Errorf("creating the run folder: %v", err)
	}
	s.p.RunDir = s.runDir
	run.WorkDir = s.runDir
	pruneBinaries(opts.WorkDir, s.runDir)
	linkLast(opts.WorkDir, s.runDir)
	if s.state == nil {
		data, err := json.Marshal(s.saved())
		if err != nil {
			return err
		}
		s.state = &resume.State{Started: run.Started, Source: s.source, Options: data, Resume: s.resumeCommand()}
		if err := resume.WriteState(s.runDir, *s.state); err != nil {
			return fmt.Errorf("writing the run's state: %v", err)
		}
	} else {
		run.Started = s.state.Started
		run.Search.Resumed = s.state.Interrupted
	}
	j, err := resume.OpenJournal(s.runDir)
	if err != nil {
		return fmt.Errorf("opening the run's journal: %v", err)
	}
	s.journal = j
	rawPath := filepath.Join(s.runDir, "results.txt")
	raw, err := os.OpenFile(rawPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	run.RawFile = rawPath
	s.raw = raw
	return nil
}

// closeRaw closes the raw results file once.
func (s *searcher) closeRaw() error {
	if s.raw == nil {
		return nil
	}
	err := s.raw.Close()
	s.raw = nil
	return err
}

// saved returns the options that continue this run.
func (s *searcher) saved() savedOptions {
	o := s.p.Opts
	cfg := o.Config
	if cfg != "" {
		if a, err := filepath.Abs(cfg); err == nil {
			cfg = a
		}
	}
	var names []string
	for _, v := range s.p.Variants {
		names = append(names, v.Name)
	}
	return savedOptions{
		Variants:  names,
		GoVersion: s.p.Target.GoVersion,
		Dir:       s.p.Target.Dir, Packages: o.Packages, Config: cfg, Axes: o.Axes, MaxVariants: o.MaxVariants,
		Count: o.Count, Bench: o.Bench, Benchtime: o.Benchtime, Timeout: o.Timeout, Seed: o.Seed, NoDedupe: o.NoDedupe,
		Search: s.mode(), NoRace: s.so.NoRace, MinRounds: s.so.MinRounds, Calibrate: s.so.Calibrate,
		Budget: s.so.Budget, CountGiven: s.so.CountGiven, WorkDirGiven: s.workDirGiven,
	}
}

// resumeCommand is how a person continues this run.
func (s *searcher) resumeCommand() string {
	cmd := "gotune run -C " + gotool.Quote(s.p.Target.Dir) + " --resume"
	if s.workDirGiven {
		cmd += " --workdir " + gotool.Quote(s.p.Opts.WorkDir)
	}
	return cmd
}

// collect takes the profile of pgo=collect variants, or on a resume
// reuses the one the interrupted run took: a new profile would build
// different code than the samples already measured.
func (s *searcher) collect(ctx context.Context) error {
	merged := filepath.Join(s.runDir, "pgo", "collected.pprof")
	if s.run.Search.Resumed > 0 || len(s.replay) > 0 {
		if _, err := os.Stat(merged); err == nil {
			prev, _ := loadResult(filepath.Join(s.runDir, "result.json"))
			for i := range s.run.Variants {
				v := &s.run.Variants[i]
				if v.Status == result.StatusOK && v.Settings.PGO().Collect() {
					v.Profile = merged
					v.BuildLine = builder.BuildLine(v.Settings, v.Profile, s.p.Target.BuildTarget(), s.p.Target.DefaultPGO() != "")
				}
			}
			if prev != nil {
				s.run.PGOCollected = prev.PGOCollected
			}
			return nil
		}
	}
	return s.p.collect(ctx, s.run, s.runDir, s.timeout)
}

// stages builds and measures: the grid, or screening's stages.
func (s *searcher) stages(ctx context.Context, mode string) error {
	run := s.run
	base := run.Baseline
	if mode == SearchGrid {
		var names []string
		for _, v := range run.Variants {
			names = append(names, v.Name)
		}
		if err := s.build(ctx, names); err != nil {
			return err
		}
		if err := s.calibrate(ctx); err != nil {
			return err
		}
		group := stats.RaceGroup{Name: "grid"}
		for _, n := range s.measured(names) {
			if n != base {
				group.Variants = append(group.Variants, n)
			}
		}
		_, err := s.measure(ctx, "grid", []stats.RaceGroup{group}, true)
		return err
	}

	plan := search.Screen(run.Variants, base)
	for _, name := range plan.Later {
		v := run.Variant(name)
		v.Status, v.Reason = result.StatusSkipped, result.ReasonScreenedOut+" varies one axis at a time (--search grid builds every variant)"
	}
	fmt.Fprintf(s.log(), "gotune: screening: %d of %d variants first, one axis at a time; then the best value of each axis combined and confirmed against %s\n",
		len(plan.First), len(run.Variants), base)
	if err := s.build(ctx, plan.First); err != nil {
		return err
	}
	if err := s.calibrate(ctx); err != nil {
		return err
	}
	var groups []stats.RaceGroup
	for _, g := range plan.Groups {
		g.Variants = s.measured(g.Variants)
		if len(g.Variants) > 0 {
			groups = append(groups, g)
		}
	}
	first, err := s.measure(ctx, "axes", groups, true)
	if err != nil {
		return err
	}

	// Analyse the first stage alone and combine the best values.
	sub := *run
	sub.Variants = slices.Clone(run.Variants)
	sub.Samples = first.Samples
	sub.Warnings = nil
	s.applyStatuses(&sub, first)
	if b := sub.Variant(base); b != nil && b.Status == result.StatusOK {
		stats.Analyze(&sub, stats.Options{Seed: s.p.Opts.Seed})
	}
	c := search.Combine(run.Variants, plan, &sub)
	run.Search.Combination = c.Variant
	var best []string
	for _, ax := range axis.Names() {
		if n, ok := c.Best[ax]; ok {
			best = append(best, n)
		}
	}
	switch {
	case len(c.Best) == 0:
		fmt.Fprintf(s.log(), "gotune: screening: no axis has a value faster than %s's: nothing to combine\n", base)
		return nil
	case c.Variant == "":
		fmt.Fprintf(s.log(), "gotune: screening: the matrix lacks the combination of %s\n", strings.Join(best, " + "))
		return nil
	case !c.New:
		fmt.Fprintf(s.log(), "gotune: screening: only %s is faster on its axis; it was measured with the others\n", c.Variant)
		return nil
	}
	fmt.Fprintf(s.log(), "gotune: screening: combining %s into %s\n", strings.Join(best, " + "), c.Variant)
	v := run.Variant(c.Variant)
	v.Status, v.Reason = result.StatusOK, ""
	for _, name := range plan.Later {
		if name != c.Variant {
			run.Variant(name).Reason = fmt.Sprintf(result.ReasonScreenedOut+" varies one axis at a time and combined the best values into %s (--search grid builds every variant)", c.Variant)
		}
	}
	if err := s.build(ctx, []string{c.Variant}); err != nil {
		return err
	}
	if v.Status != result.StatusOK || v.SameCodeAs != "" {
		return nil
	}
	_, err = s.measure(ctx, "combination", []stats.RaceGroup{{Name: "combination", Variants: []string{c.Variant}}}, true)
	return err
}

// measured returns the names that will be measured themselves: built,
// with no twin measured in their place.
func (s *searcher) measured(names []string) []string {
	var out []string
	for _, n := range names {
		if v := s.run.Variant(n); v != nil && v.Status == result.StatusOK && v.SameCodeAs == "" {
			out = append(out, n)
		}
	}
	return out
}

// buildLine matches the builder's "build i/n name" lines.
var buildLine = regexp.MustCompile(`^build (\d+)/(\d+) `)

// build builds the named variants that are still StatusOK, from the cache
// when it has them, then fingerprints them against everything built
// before (SameCodeAs) and proves their PGO profiles took effect.
func (s *searcher) build(ctx context.Context, names []string) error {
	run, opts, tg := s.run, s.p.Opts, s.p.Target
	pr := s.so.Progress
	binDir := filepath.Join(s.runDir, "bin")
	var todo []int
	keys := map[string]string{}
	cached := 0
	for _, n := range names {
		i := slices.IndexFunc(run.Variants, func(v result.Variant) bool { return v.Name == n })
		if i < 0 || run.Variants[i].Status != result.StatusOK || len(run.Variants[i].Builds) > 0 {
			continue
		}
		v := &run.Variants[i]
		key, kerr := s.buildKey(v)
		if kerr == nil {
			keys[v.Name] = key
		}
		if kerr == nil && !s.so.Fresh {
			if builds, ok := s.cache.LoadBuild(key); ok {
				placed, err := cache.Place(builds, filepath.Join(binDir, builder.Slug(v.Name)))
				if err == nil {
					v.Builds = placed
					cached++
					run.Search.CachedBuilds++
					fmt.Fprintf(s.log(), "gotune: %s: binaries from the cache (--fresh builds again)\n", v.Name)
					continue
				}
			}
		}
		todo = append(todo, i)
	}
	total := cached + len(todo)
	pr.Builds(cached, total)
	if len(todo) > 0 {
		sub := make([]result.Variant, len(todo))
		for j, i := range todo {
			sub[j] = run.Variants[i]
		}
		logw := &lineWriter{fn: func(line string) {
			if m := buildLine.FindStringSubmatch(line); m != nil {
				done, _ := strconv.Atoi(m[1])
				pr.Builds(cached+done-1, total)
				if pr.Bars() {
					return
				}
			}
			fmt.Fprintln(s.log(), line)
		}}
		err := builder.Build(ctx, builder.Options{Runner: opts.Runner, Dir: tg.Dir, BinDir: binDir, Packages: s.pkgs, Log: logw}, sub)
		logw.Flush()
		if err != nil {
			return err
		}
		for j, i := range todo {
			run.Variants[i].Status, run.Variants[i].Reason, run.Variants[i].Builds = sub[j].Status, sub[j].Reason, sub[j].Builds
			v := &run.Variants[i]
			if v.Status == result.StatusOK {
				run.Search.Builds++
				if key := keys[v.Name]; key != "" {
					if err := s.cache.StoreBuild(key, v.Builds); err != nil {
						fmt.Fprintf(s.log(), "gotune: caching the build of %s: %v\n", v.Name, err)
					}
				}
			}
		}
		s.cache.Prune(cache.DefaultKeep)
	}
	pr.Builds(total, total)

	// Fingerprints, in matrix order, against every variant built so far.
	var fresh []string
	for _, n := range names {
		v := run.Variant(n)
		if v == nil || v.Status != result.StatusOK || v.SameCodeAs != "" || s.isFingerprinted(v.Name) {
			continue
		}
		fresh = append(fresh, n)
		fp := builder.VariantFingerprint(v.Builds)
		if twin, ok := s.fingerprints[fp]; ok && !opts.NoDedupe {
			v.SameCodeAs = twin
			fmt.Fprintf(s.log(), "  %s: same compiled code as %s: measured once\n", v.Name, twin)
			continue
		}
		if _, ok := s.fingerprints[fp]; !ok {
			s.fingerprints[fp] = v.Name
		}
	}
	return s.provePGO(ctx, fresh)
}

// isFingerprinted reports whether a variant's fingerprint is recorded.
func (s *searcher) isFingerprinted(name string) bool {
	for _, n := range s.fingerprints {
		if n == name {
			return true
		}
	}
	return false
}

// provePGO runs Prepared.provePGO on the variants just built, with the
// earlier pgo=off builds as references, so that no variant is proven
// twice.
func (s *searcher) provePGO(ctx context.Context, fresh []string) error {
	if len(fresh) == 0 {
		return nil
	}
	run := s.run
	tmp := *run
	tmp.Variants = nil
	tmp.Warnings = nil
	var idx []int
	for i, v := range run.Variants {
		switch {
		case slices.Contains(fresh, v.Name):
			idx = append(idx, i)
			tmp.Variants = append(tmp.Variants, v)
		case v.Status == result.StatusOK && len(v.Builds) > 0 && v.Profile == "":
			idx = append(idx, i)
			tmp.Variants = append(tmp.Variants, v)
		}
	}
	if err := s.p.provePGO(ctx, &tmp, s.runDir); err != nil {
		return err
	}
	for j, i := range idx {
		run.Variants[i] = tmp.Variants[j]
	}
	run.Warnings = append(run.Warnings, tmp.Warnings...)
	return nil
}

// buildKey returns the cache key of a build of s.
func (s *searcher) buildKey(v *result.Variant) (string, error) {
	profile := ""
	if v.Profile != "" {
		h, err := cache.FileHash(v.Profile)
		if err != nil {
			return "", err
		}
		profile = h
	}
	return cache.BuildKey(cache.BuildInputs{
		Source: s.source, GoVersion: s.p.Target.GoVersion, GOOS: s.run.Host.GOOS, GOARCH: s.run.Host.GOARCH,
		Settings: v.Build(), Profile: profile, Packages: s.pkgs, Env: buildEnv(),
	}), nil
}

// buildEnv returns the user's environment that changes what the go
// command builds.
func buildEnv() []string {
	var env []string
	for _, k := range []string{"GOFLAGS", "GOEXPERIMENT", "CGO_ENABLED", "CC", "CXX", "CGO_CFLAGS", "CGO_LDFLAGS", "GOTOOLCHAIN", "GODEBUG", "GOROOT", "GOWORK"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// lineWriter calls fn with each complete line written to it.
type lineWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	fn  func(string)
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			return len(b), nil
		}
		w.fn(strings.TrimSuffix(line, "\n"))
	}
}

// Flush passes on a last line without its newline.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() > 0 {
		w.fn(w.buf.String())
		w.buf.Reset()
	}
}

// units returns the measure units of the named variants.
func (s *searcher) units(names []string) []measure.Unit {
	var units []measure.Unit
	for _, n := range names {
		v := s.run.Variant(n)
		for _, b := range v.Builds {
			units = append(units, measure.Unit{Variant: v.Name, Package: b.Package, Dir: s.dirs[b.Package], Binary: b.Binary})
		}
	}
	return units
}

// comparisons estimates the Holm family of the final analysis: measured
// variants × benchmarks × 3 units (sec/op, B/op, allocs/op).
func (s *searcher) comparisons(measured int) int {
	n := 0
	for _, b := range s.benchmarks {
		n += len(b)
	}
	return stats.Comparisons(measured, n, 3)
}

// calibrate measures the baseline against itself with --calibrate: its
// binary runs as two units for CalibrateRounds rounds (at most --count),
// and the noise floor and the smallest change --count rounds could detect
// are reported. The A/A samples stay out of the run's samples.
func (s *searcher) calibrate(ctx context.Context) error {
	if !s.so.Calibrate {
		return nil
	}
	run, opts := s.run, s.p.Opts
	base := run.Variant(run.Baseline)
	if base == nil || base.Status != result.StatusOK {
		return nil
	}
	twin := run.Baseline + twinSuffix
	units := s.units([]string{run.Baseline})
	for _, u := range s.units([]string{run.Baseline}) {
		u.Variant = twin
		units = append(units, u)
	}
	rounds := min(max(CalibrateRounds, 2), opts.Count)
	trials := measure.Plan(units, rounds, opts.Seed-1)
	offset := s.nextRound - 1
	for i := range trials {
		trials[i].Round += offset
	}
	fmt.Fprintf(s.log(), "gotune: calibrating: %s against itself for %d rounds\n", run.Baseline, rounds)
	out, err := measure.Run(ctx, s.measureOptions("calibration", offset, nil), trials)
	s.nextRound = offset + out.Rounds + 1
	run.Search.Trials += out.Done
	if err != nil {
		return err
	}
	measured := len(s.measured(variantNames(run.Variants))) - 1
	c := stats.Calibrate(out.Samples, stats.CalibrateOptions{
		Baseline: run.Baseline, Twin: twin, Count: opts.Count, Comparisons: s.comparisons(measured), Seed: opts.Seed,
	})
	run.Calibration = &c
	s.calibrated = true
	fmt.Fprintf(s.log(), "gotune: %s\n", describeCalibration(c))
	return nil
}

func variantNames(vs []result.Variant) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

// describeCalibration says what a calibration found, in one sentence.
func describeCalibration(c result.Calibration) string {
	s := fmt.Sprintf("noise floor %.1f%% (the spread of one sample, from %d rounds", 100*c.NoiseFloor, c.Rounds)
	if c.AA != nil {
		s += fmt.Sprintf("; the baseline against itself: %+.1f%% [%+.1f%%, %+.1f%%], %d false alarm(s)", 100*(c.AA.Center-1), 100*(c.AA.Lo-1), 100*(c.AA.Hi-1), c.AAFalse)
	}
	s += ")"
	if c.MinDetectable > 0 {
		return s + fmt.Sprintf("; with %d rounds this run can detect changes of about %.1f%% or more over %d comparisons", c.Count, 100*c.MinDetectable, c.Comparisons)
	}
	return s + fmt.Sprintf("; with %d rounds no change can reach significance over %d comparisons: raise --count (at least %d)", c.Count, c.Comparisons, stats.SamplesNeeded(stats.DefaultAlpha, c.Comparisons))
}

// measureOptions returns the options of one stage's measure.Run.
func (s *searcher) measureOptions(stage string, offset int, hook func(int, *measure.Outcome) measure.Decision) measure.Options {
	opts, pr := s.p.Opts, s.so.Progress
	keys := fileKeys(s.run)
	var raw io.Writer = s.raw
	if stage == "calibration" {
		raw = io.Discard // the A/A twin is no variant of the run
	}
	mo := measure.Options{
		Runner: opts.Runner, Bench: opts.Bench, Benchtime: opts.Benchtime, Timeout: s.timeout,
		Benchmarks: s.benchmarks, Raw: raw, Log: s.log(), Kill: s.kill,
		Keys: func(u measure.Unit) [][2]string {
			if s.run.Variant(u.Variant) == nil {
				return [][2]string{{"variant", u.Variant}}
			}
			return keys(u)
		},
		AfterRound: hook,
		Replay:     s.replay[stage],
		Record:     func(r measure.Record) { s.journal.Append(stage, r) },
	}
	if pr.Bars() {
		var started time.Duration
		mo.Progress = func(e measure.Event) {
			dur := time.Duration(0)
			if e.Done {
				dur = e.Elapsed - started
			} else {
				started = e.Elapsed
			}
			pr.Trials(stage, e.Trial.Round-offset, e.LastRound-offset, e.Trials, e.Total, dur)
		}
	}
	return mo
}

// measure runs one stage: the named groups' variants and the baseline in
// interleaved rounds, racing when asked, and adds the outcome to the run.
func (s *searcher) measure(ctx context.Context, stage string, groups []stats.RaceGroup, race bool) (measure.Outcome, error) {
	run, opts := s.run, s.p.Opts
	names := []string{}
	if b := run.Variant(run.Baseline); b != nil && b.Status == result.StatusOK && b.SameCodeAs == "" {
		names = append(names, run.Baseline)
	}
	for _, g := range groups {
		names = append(names, g.Variants...)
	}
	units := s.units(names)
	if len(units) == 0 {
		return measure.Outcome{}, nil
	}
	offset := s.nextRound - 1
	seed := opts.Seed + int64(len(run.Search.Stages))
	trials := measure.Plan(units, opts.Count, seed)
	for i := range trials {
		trials[i].Round += offset
	}
	st := result.Stage{Name: stage, Variants: names, Seed: seed, FirstRound: offset + 1}
	h := &hook{s: s, stage: stage, offset: offset, groups: groups, race: race && !s.so.NoRace, units: len(units),
		perVariant: max(len(s.pkgs), 1), screenFirst: stage == "axes"}
	out, err := measure.Run(ctx, s.measureOptions(stage, offset, h.decide), trials)
	s.so.Progress.StageDone()
	st.Rounds = out.Rounds - offset
	st.Stopped = out.Stopped
	if err != nil {
		st.Rounds = lastRound(out.Samples) - offset
	}
	run.Search.Stages = append(run.Search.Stages, st)
	run.Search.Trials += out.Done
	run.Search.Rounds = max(run.Search.Rounds, st.Rounds)
	s.nextRound = offset + max(st.Rounds, 0) + 1
	run.Samples = append(run.Samples, out.Samples...)
	run.Failures = append(run.Failures, out.Failures...)
	for k, v := range out.Unsupported {
		s.unsupported[k] = v
	}
	for _, d := range out.Dropped {
		rd := result.Drop{Stage: stage, Round: d.Round - offset, Leader: d.Against, Worse: d.Worse}
		if d.Ratio != nil {
			rd.Ratio = *d.Ratio
		}
		s.drops[d.Variant] = rd
	}
	if out.Stopped != "" {
		fmt.Fprintf(s.log(), "gotune: %s: stopped after round %d: %s\n", stage, st.Rounds, out.Stopped)
	}
	return out, err
}

// lastRound returns the highest round among samples.
func lastRound(samples []result.Sample) int {
	n := 0
	for _, sm := range samples {
		n = max(n, sm.Round)
	}
	return n
}

// hook is the round hook of one stage: racing, the budget and the noise
// estimate.
type hook struct {
	s           *searcher
	stage       string
	offset      int
	groups      []stats.RaceGroup
	race        bool
	units       int // units of the stage at its start
	perVariant  int // units per variant: packages
	screenFirst bool
	noted       bool
}

// decide is called after each complete round of the stage.
func (h *hook) decide(round int, out *measure.Outcome) measure.Decision {
	s := h.s
	rel := round - h.offset
	last := out.Rounds - h.offset
	var d measure.Decision
	dropped := map[string]bool{}
	for _, x := range out.Dropped {
		dropped[x.Variant] = true
	}
	for v := range out.Unsupported {
		dropped[v] = true
	}
	alive := 1 // the baseline
	var groups []stats.RaceGroup
	for _, g := range h.groups {
		ng := stats.RaceGroup{Name: g.Name}
		for _, v := range g.Variants {
			if !dropped[v] {
				ng.Variants = append(ng.Variants, v)
			}
		}
		alive += len(ng.Variants)
		groups = append(groups, ng)
	}

	if s.so.Budget > 0 && (rel == 1 || rel == 3) {
		d.Rounds = h.budget(rel, out, alive) + h.offset
		last = d.Rounds - h.offset
	}
	if !h.noted && !s.calibrated && rel == min(3, last) && h.stage != "combination" {
		h.noted = true
		c := stats.Calibrate(out.Samples, stats.CalibrateOptions{
			Baseline: s.run.Baseline, Count: last, Comparisons: s.comparisons(h.units/h.perVariant - 1), Seed: s.p.Opts.Seed,
		})
		fmt.Fprintf(s.log(), "gotune: %s\n", describeCalibration(c))
	}
	if !h.race {
		return d
	}
	minRounds := s.so.MinRounds
	if minRounds <= 0 {
		minRounds = stats.DefaultMinRounds
	}
	if rel < minRounds || rel >= last {
		// Too early, or nothing left to save.
		return d
	}
	dec := stats.Race(out.Samples, s.run.Baseline, groups, stats.RaceOptions{
		Looks: max(1, last-minRounds+1), MinRounds: minRounds, Seed: s.p.Opts.Seed + int64(round),
	})
	for _, x := range dec.Drops {
		r := x.Ratio
		d.Drop = append(d.Drop, measure.Drop{
			Variant: x.Variant, Against: x.Leader, Ratio: &r, Worse: x.Worse,
			Reason: fmt.Sprintf("%.1f%% [%.1f%%, %.1f%%] slower than %s, %d benchmark(s) significantly slower after Holm", 100*(r.Center-1), 100*(r.Lo-1), 100*(r.Hi-1), x.Leader, x.Worse),
		})
		fmt.Fprintf(s.log(), "gotune: racing: dropping %s after round %d: %s\n", x.Variant, rel, d.Drop[len(d.Drop)-1].Reason)
	}
	if dec.Separated && rel < last {
		var ls []string
		for _, g := range groups {
			ls = append(ls, dec.Leaders[g.Name])
		}
		slices.Sort(ls)
		ls = slices.Compact(ls)
		d.Stop = fmt.Sprintf("decided: %s significantly faster than the rest", strings.Join(ls, ", "))
	}
	return d
}

// budget returns the stage's last round that fits the time budget,
// measured from the trials so far. The first screening stage keeps room
// for a combination stage of two units.
func (h *hook) budget(rel int, out *measure.Outcome, alive int) int {
	s := h.s
	count := s.p.Opts.Count
	if out.Done == 0 {
		return count
	}
	perTrial := h.trialTime(out)
	perRound := perTrial * time.Duration(alive*h.perVariant)
	if h.screenFirst {
		perRound += perTrial * time.Duration(2*h.perVariant)
	}
	spent := s.elapsed + time.Since(s.start)
	left := s.so.Budget - spent
	rounds := rel + search.FitRounds(left, perRound, 0, count-rel)
	rounds = max(rounds, min(3, count), rel)
	s.run.Search.Rounds = rounds
	if !s.budgetSaid || rel == 3 {
		s.budgetSaid = true
		fmt.Fprintf(s.log(), "gotune: budget %s: %s spent, about %s a round: %s plans %d rounds\n",
			s.so.Budget, spent.Round(time.Second), perRound.Round(100*time.Millisecond), h.stage, rounds)
	}
	return rounds
}

// trialTime returns the mean time of the stage's trials so far.
func (h *hook) trialTime(out *measure.Outcome) time.Duration {
	sum := out.Seconds
	for _, r := range h.s.replay[h.stage] {
		if r.Decision == nil {
			sum += r.Seconds
		}
	}
	return time.Duration(sum / float64(max(out.Done, 1)) * float64(time.Second))
}

// applyStatuses sets the status of the variants after measuring: those the
// CPU could not run are skipped, those with no sample failed, and twins
// follow the variant measured in their place.
func (s *searcher) applyStatuses(run *result.Run, out measure.Outcome) {
	unsupported := s.unsupported
	if out.Unsupported != nil {
		unsupported = out.Unsupported
	}
	for name, reason := range unsupported {
		v := run.Variant(name)
		if v == nil {
			continue
		}
		v.Status, v.Reason = result.StatusSkipped, "this CPU cannot run it: "+reason
		for i := range run.Variants {
			if run.Variants[i].SameCodeAs == name {
				run.Variants[i].Status, run.Variants[i].Reason = v.Status, v.Reason
			}
		}
	}
	measured := map[string]bool{}
	for _, sm := range run.Samples {
		measured[sm.Variant] = true
	}
	for i := range run.Variants {
		v := &run.Variants[i]
		if v.Status == result.StatusOK && v.SameCodeAs == "" && !measured[v.Name] {
			if len(v.Builds) == 0 {
				v.Status, v.Reason = result.StatusSkipped, "not measured"
				continue
			}
			v.Status, v.Reason = result.StatusFailed, "every trial failed: see the failures below"
		}
	}
	for i := range run.Variants {
		v := &run.Variants[i]
		if twin := run.Variant(v.SameCodeAs); twin != nil && v.Status == result.StatusOK && twin.Status != result.StatusOK {
			v.Status, v.Reason = twin.Status, twin.Reason
		}
	}
}

// finish analyses the run, writes result.json, and either marks the run
// complete (and caches its result) or tells how to continue it.
func (s *searcher) finish(resultKey string, measureErr error) (*result.Run, error) {
	run, opts := s.run, s.p.Opts
	if err := s.closeRaw(); err != nil && measureErr == nil {
		return nil, fmt.Errorf("writing %s: %v", run.RawFile, err)
	}
	s.applyStatuses(run, measure.Outcome{})
	if s.so.Budget > 0 && run.Search.Rounds > 0 {
		run.Count = run.Search.Rounds // the rounds that fitted, not the most allowed
	}
	for name, d := range s.drops {
		if v := run.Variant(name); v != nil {
			d := d
			v.Dropped = &d
		}
	}
	if measureErr != nil {
		run.Warnings = append(run.Warnings, fmt.Sprintf("interrupted after %d trials: the report covers what was measured", run.Search.Trials))
	}
	run.Finished = time.Now().UTC().Truncate(time.Second)
	if b := run.Variant(run.Baseline); b != nil && b.Status == result.StatusOK {
		stats.Analyze(run, stats.Options{Seed: opts.Seed})
	} else {
		run.Verdict = "The baseline could not be measured, so nothing can be compared: see its error above."
	}
	run.Warnings = append(run.Warnings, s.notes()...)
	if run.Calibration == nil {
		measured := 0
		for _, v := range run.Variants {
			if v.Status == result.StatusOK && v.SameCodeAs == "" && v.Name != run.Baseline {
				measured++
			}
		}
		c := stats.Calibrate(run.Samples, stats.CalibrateOptions{Baseline: run.Baseline, Count: run.Count, Comparisons: max(len(run.Comparisons), s.comparisons(measured)), Seed: opts.Seed})
		if c.Rounds > 0 {
			run.Calibration = &c
		}
	}
	elapsed := s.elapsed + time.Since(s.start)
	run.Search.WallSeconds = elapsed.Seconds()
	run.Search.SelfCPUSeconds = selfCPU().Seconds()
	run.Search.GridTrials = opts.Count * len(s.pkgs) * okVariants(run)
	if err := s.journal.Err(); err != nil {
		run.Warnings = append(run.Warnings, "the journal could not be written, so this run cannot be resumed: "+err.Error())
	}

	resultPath := filepath.Join(s.runDir, "result.json")
	var buf bytes.Buffer
	if err := report.JSON(&buf, run); err != nil {
		return run, err
	}
	if err := atomicfile.Write(resultPath, buf.Bytes()); err != nil {
		return run, err
	}
	st := *s.state
	if measureErr != nil {
		st.Interrupted++
		var saved savedOptions
		if json.Unmarshal(st.Options, &saved) == nil {
			saved.Elapsed = elapsed
			if data, err := json.Marshal(saved); err == nil {
				st.Options = data
			}
		}
		if err := resume.WriteState(s.runDir, st); err != nil {
			fmt.Fprintf(s.log(), "gotune: writing the run's state: %v\n", err)
		}
		fmt.Fprintf(s.so.Progress.Notice(), "gotune: interrupted: %d trials are saved in %s; continue with:\n  %s\n", run.Search.Trials, s.runDir, st.Resume)
		return run, measureErr
	}
	st.Complete = true
	if err := resume.WriteState(s.runDir, st); err != nil {
		fmt.Fprintf(s.log(), "gotune: writing the run's state: %v\n", err)
	}
	if resultKey != "" {
		if err := s.cache.StoreResult(resultKey, buf.Bytes()); err != nil {
			fmt.Fprintf(s.log(), "gotune: caching the result: %v\n", err)
		}
	}
	fmt.Fprintf(s.log(), "gotune: raw results in %s (benchstat -col variant works on it), result in %s\n", run.RawFile, resultPath)
	return run, nil
}

// okVariants counts the variants a grid would have measured.
func okVariants(run *result.Run) int {
	n := 0
	for _, v := range run.Variants {
		if v.Status != result.StatusSkipped || strings.HasPrefix(v.Reason, result.ReasonScreenedOut) {
			n++
		}
	}
	return n
}

// notes returns the run warnings that say what the search did: which
// variants racing dropped and when, what screening combined.
func (s *searcher) notes() []string {
	run := s.run
	var notes []string
	for _, v := range run.Variants {
		if d := v.Dropped; d != nil {
			notes = append(notes, fmt.Sprintf("racing: %s was dropped after round %d of %s: %.1f%% [%.1f%%, %.1f%%] slower than %s, %d benchmark(s) significantly slower after Holm",
				v.Name, d.Round, d.Stage, 100*(d.Ratio.Center-1), 100*(d.Ratio.Lo-1), 100*(d.Ratio.Hi-1), d.Leader, d.Worse))
		}
	}
	if sr := run.Search; sr.Mode == SearchScreen {
		built := 0
		for _, v := range run.Variants {
			if len(v.Builds) > 0 {
				built++
			}
		}
		n := fmt.Sprintf("screening: %d of %d variants built, one axis at a time", built, len(run.Variants))
		if sr.Combination != "" {
			n += "; the best values combine into " + sr.Combination
		}
		notes = append(notes, n+"; --search grid measures every variant")
	}
	for _, st := range run.Search.Stages {
		if st.Stopped != "" {
			notes = append(notes, fmt.Sprintf("racing: %s stopped after round %d of %d: %s", st.Name, st.Rounds, s.p.Opts.Count, st.Stopped))
		}
	}
	return notes
}

// resultKey returns the key of this run's result in the cache, or "" when
// its result cannot be reused (a profile collected at run time).
func (s *searcher) resultKey() string {
	opts := s.p.Opts
	var keys []string
	for _, v := range s.p.Variants {
		if v.Settings.PGO().Collect() {
			return ""
		}
		k, err := s.buildKey(&v)
		if err != nil {
			return ""
		}
		keys = append(keys, v.Name+"="+v.Status+"="+k)
	}
	hostname, _ := os.Hostname()
	return cache.ResultKey(keys, cache.HostFingerprint(s.run.Host, hostname),
		"count="+strconv.Itoa(opts.Count), "bench="+opts.Bench, "benchtime="+opts.Benchtime,
		"timeout="+opts.Timeout.String(), "dedupe="+strconv.FormatBool(!opts.NoDedupe),
		"search="+s.mode(), "race="+strconv.FormatBool(!s.so.NoRace), "minrounds="+strconv.Itoa(s.so.MinRounds),
		"calibrate="+strconv.FormatBool(s.so.Calibrate), "budget="+s.so.Budget.String(),
		"seed="+s.seedKey())
}

// seedKey is the seed as part of the result key: a seed the user chose
// counts, a random one does not.
func (s *searcher) seedKey() string {
	if s.seedGiven {
		return strconv.FormatInt(s.p.Opts.Seed, 10)
	}
	return "random"
}

// reuse returns the cached result of an identical run.
func (s *searcher) reuse(key string) (*result.Run, bool) {
	path, ok := s.cache.LoadResult(key)
	if !ok {
		return nil, false
	}
	prev, err := loadResult(path)
	if err != nil || prev == nil {
		return nil, false
	}
	if prev.Search == nil {
		prev.Search = &result.Search{}
	}
	prev.Search.ReusedFrom = prev.WorkDir
	prev.Warnings = append(prev.Warnings, fmt.Sprintf("reused the result of the identical run of %s in %s (same target source, Go version, settings and host): --fresh measures again",
		prev.Started.Local().Format("2006-01-02 15:04"), prev.WorkDir))
	fmt.Fprintf(s.log(), "gotune: nothing changed since the run of %s: reusing its result (%s); --fresh measures again\n", prev.Started.Local().Format("2006-01-02 15:04"), prev.WorkDir)
	return prev, true
}

// loadResult reads a result file; a missing file is (nil, nil).
func loadResult(path string) (*result.Run, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r result.Run
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// graceful returns the context whose end kills a running trial: it ends
// on a second interrupt after ctx ended with the first, so that the first
// lets the running trial finish and keeps its samples.
func graceful(ctx context.Context, notice io.Writer) (context.Context, func()) {
	kill, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sig)
		fmt.Fprintln(notice, "gotune: stopping after the current trial (interrupt again to stop at once)")
		select {
		case <-sig:
			cancel()
		case <-done:
		}
	}()
	var once sync.Once
	return kill, func() {
		once.Do(func() {
			close(done)
			cancel()
		})
	}
}
