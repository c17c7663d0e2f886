// Package engine runs gotune's stages over one run, after the plan:
//
//	plan ──► engine: binaries (collect, build, dedupe, prove PGO) ─► measure (cycles of blocks,
//	         a sequential look after each) ─► stats.Analyze ──► result.Run
//
// A grid measures every variant in one stage; screening measures the
// variants that change one axis, then the combination of the best values.
// The engine owns the run folder (state, journal, raw results, result) and
// gotune's result cache; it owns no signal and no terminal: the caller
// passes a context whose end stops the run after the running trial, a
// Kill context whose end kills that trial too, and progress callbacks.
// Whatever was measured is saved, and --resume continues it.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/binaries"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/measure"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/rundir"
	"github.com/gotune/gotune/internal/stats"
)

// Deps are what a run needs from outside. Nil fields get defaults.
type Deps struct {
	Runner gotool.Runner
	// Log receives progress lines; Notice the lines that must show even
	// when progress is drawn as bars (how to continue an interrupted run).
	Log, Notice io.Writer
	Progress    Progress
	// Kill, when set, ends the running trial when it is done: ctx ending
	// lets that trial finish and keeps its samples.
	Kill    context.Context
	Machine measure.Machine // nil = measure.Proc{}
	Version string          // gotune's
}

// Progress receives the progress of a run.
type Progress interface {
	Builds(done, total int)
	// Measure reports the measuring of a stage: the cycle running, the
	// trials done, the time measured of the budget.
	Measure(stage string, cycle, trials int, elapsed, budget time.Duration)
	StageDone()
}

type noProgress struct{}

func (noProgress) Builds(int, int)                                        {}
func (noProgress) Measure(string, int, int, time.Duration, time.Duration) {}
func (noProgress) StageDone()                                             {}

func (d *Deps) fill() {
	if d.Runner == nil {
		d.Runner = gotool.Exec{}
	}
	if d.Log == nil {
		d.Log = io.Discard
	}
	if d.Notice == nil {
		d.Notice = d.Log
	}
	if d.Progress == nil {
		d.Progress = noProgress{}
	}
	if d.Machine == nil {
		d.Machine = measure.Proc{}
	}
}

// job is the state of one run.
type job struct {
	p     *plan.Plan
	d     Deps
	run   *result.Run
	start time.Time
	// elapsed is the wall time spent before a resume; measured the time
	// spent in blocks, replayed ones included.
	elapsed   time.Duration
	resumeDir string        // the run folder to continue; "" for a new run
	state     *rundir.State // of the run to continue
	dir       *rundir.Dir   // nil until the run folder is open
	replay    map[string][]measure.Record
	maker     *binaries.Maker
	source    string
	lost      error // the run folder was removed or replaced: see rundir.Dir.Lost
	blocks    int   // blocks run by earlier stages
	cycles    int   // cycles run by earlier stages
	measured  time.Duration
}

// Run builds and measures the plan's variants, then analyses them. What
// was measured is in the returned Run and in the run folder even when ctx
// is cancelled part way; the error then wraps the context's.
func Run(ctx context.Context, p *plan.Plan, d Deps) (*result.Run, error) {
	d.fill()
	j := &job{p: p, d: d, start: time.Now()}
	return j.do(ctx)
}

// Resume continues the newest interrupted run of a work dir with its own
// plan and seed.
func Resume(ctx context.Context, workDir string, d Deps) (*result.Run, error) {
	d.fill()
	runDir, st, err := rundir.FindInterrupted(workDir)
	if err != nil {
		return nil, options.Inputf("%v: every run there finished (or none was interrupted); start one with gotune run", err)
	}
	var saved savedOptions
	if err := json.Unmarshal(st.Options, &saved); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(runDir, rundir.StateFile), err)
	}
	o := saved.Options
	o.WorkDir = workDir
	p, err := plan.Load(ctx, o, d.Runner)
	if err != nil {
		return nil, err
	}
	if !sameNames(p.Variants, saved.Variants) {
		return nil, options.Inputf("the matrix changed since the run in %s was interrupted: start a new run with gotune run", runDir)
	}
	if saved.GoVersion != "" && saved.GoVersion != p.Target.GoVersion {
		return nil, options.Inputf("the run in %s was built with %s, and the go command is now %s: its samples would mix two compilers; start a new run with gotune run", runDir, saved.GoVersion, p.Target.GoVersion)
	}
	src, err := sourceHash(ctx, d.Runner, p)
	if err != nil {
		return nil, err
	}
	if src+revisionsKey(p) != st.Source {
		return nil, options.Inputf("the target's source changed since the run in %s was interrupted: its samples would mix two versions of the code; start a new run with gotune run", runDir)
	}
	recs, err := rundir.LoadJournal(runDir)
	if err != nil {
		return nil, fmt.Errorf("reading the journal of %s: %v", runDir, err)
	}
	n := 0
	for _, rs := range recs {
		for _, r := range rs {
			if r.Variant != "" {
				n++
			}
		}
	}
	fmt.Fprintf(d.Log, "gotune: resuming %s (seed %d): %d trials already measured\n", runDir, p.Options.Seed, n)
	j := &job{p: p, d: d, start: time.Now(), resumeDir: runDir, state: &st, replay: recs, elapsed: saved.Elapsed, source: src}
	return j.do(ctx)
}

// savedOptions are what the state file keeps to continue a run.
type savedOptions struct {
	Options   options.Options `json:"options"`
	Variants  []string        `json:"variants"`
	GoVersion string          `json:"go_version"`
	Elapsed   time.Duration   `json:"elapsed,omitempty"`
	// WorkDirGiven tells that --workdir was given, for the resume command.
	WorkDirGiven bool `json:"workdir_given,omitempty"`
}

func sameNames(vs []result.Variant, names []string) bool {
	if len(vs) != len(names) {
		return false
	}
	for i, v := range vs {
		if v.Name != names[i] {
			return false
		}
	}
	return true
}

// do runs the stages, then the analysis.
func (j *job) do(ctx context.Context) (*result.Run, error) {
	p := j.p
	o := p.Options
	unlock, err := rundir.Lock(o.WorkDir, fmt.Sprintf("run of %s, seed %d", p.Target.Module, o.Seed))
	if err != nil {
		return nil, err
	}
	defer unlock()
	tg := p.Target
	run := &result.Run{
		GotuneVersion: j.d.Version,
		GoVersion:     tg.GoVersion,
		Host:          p.Host,
		Module:        tg.Module,
		Dir:           tg.Dir,
		Started:       time.Now().UTC().Truncate(time.Second),
		Options:       o,
		Baseline:      p.Variants[0].Name,
		Variants:      append([]result.Variant(nil), p.Variants...),
		Benchmarks:    append([]result.Benchmark(nil), p.Benchmarks...),
		Search:        &result.Search{Mode: p.Search},
		Warnings:      append([]string(nil), p.Warnings...),
		Toolchains:    p.Toolchains,
	}
	for _, pk := range tg.Packages {
		run.Packages = append(run.Packages, pk.ImportPath)
	}
	j.run = run
	if j.source == "" {
		if j.source, err = sourceHash(context.WithoutCancel(ctx), j.d.Runner, p); err != nil {
			return nil, err
		}
	}
	if p.Shard != nil {
		sh := *p.Shard
		sh.Plan.Revision = shardRevision(j.source + revisionsKey(p))
		run.Shard = &sh
	}
	key := j.resultKey()
	if j.state == nil && !o.Fresh && !p.MeasureAgain && key != "" {
		if prev, ok := j.reuse(key); ok {
			return prev, nil
		}
	}
	if err := j.openRun(); err != nil {
		return nil, err
	}
	defer j.dir.Close()
	j.maker = binaries.New(binaries.Options{
		Runner: j.d.Runner, Target: tg, Targets: p.Sources, Packages: run.Packages, RunDir: j.dir.Path,
		CacheDir: filepath.Join(o.WorkDir, "cache"), Fresh: o.Fresh, NoDedupe: o.NoDedupe,
		Source: j.source, Host: p.Host, Version: j.d.Version, Log: j.d.Log, Builds: j.d.Progress.Builds,
		Main: o.Service != nil,
	})

	if o.Service != nil {
		fmt.Fprintf(j.d.Log, "gotune: %s, service mode: %d variants of %s under %.4g req/s (warm-up %s, %s measured per trial), verdicts on %s, measuring for at most %s, seed %d (replay with --seed %d)\n",
			tg.Module, len(run.Variants), o.Service.Main, o.Service.Load.Rate, o.Service.Warmup, o.Service.Duration, o.MetricUnit(), o.Budget, o.Seed, o.Seed)
	} else {
		fmt.Fprintf(j.d.Log, "gotune: %s, %d variants, %d benchmark(s) in %d package(s), measuring for at most %s, seed %d (replay with --seed %d)\n",
			tg.Module, len(run.Variants), len(run.Benchmarks), len(run.Packages), o.Budget, o.Seed, o.Seed)
	}
	for _, v := range run.Variants {
		if v.Status == result.StatusSkipped {
			fmt.Fprintf(j.d.Log, "gotune: skipping %s: %s\n", v.Name, v.Reason)
		}
	}
	err = j.collect(ctx)
	if err == nil {
		if p.Search == result.SearchScreen {
			err = j.screen(ctx)
		} else {
			err = j.grid(ctx)
		}
	}
	if err != nil && !isCanceled(err) && !errors.Is(err, errLost) {
		return nil, err
	}
	return j.finish(key, err)
}

// errLost stops the measuring of a run whose folder was removed or
// replaced while it ran (job.lost says how).
var errLost = errors.New("the run folder is gone")

// lostError is the error of a run whose folder was removed or replaced
// while it ran: what happened, where what was measured is, what to do.
func lostError(lost error) error {
	return fmt.Errorf("%v (something else writes into the work dir): what was measured is in the report (and in --json FILE, when given) but not in the work dir, and the run cannot be resumed: run again with a --workdir that nothing else uses", lost)
}

// isCanceled reports whether err comes from a cancelled context.
func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// collectBenchtime is how long each benchmark runs in a round of profile
// collection, unless --benchtime says otherwise: long enough for a few
// hundred CPU samples per benchmark.
const collectBenchtime = "500ms"

// collect takes the profile of pgo=collect variants, or on a resume reuses
// the one the interrupted run took.
func (j *job) collect(ctx context.Context) error {
	var reuse *result.PGOCollection
	if j.resumeDir != "" {
		if prev, err := result.ReadFile(filepath.Join(j.dir.Path, rundir.ResultFile)); err == nil {
			reuse = prev.PGOCollected
		}
	}
	o := j.p.Options
	bt := o.Benchtime
	if bt == "" {
		bt = collectBenchtime
	}
	co := binaries.CollectOptions{Bench: o.Bench, Benchtime: bt, Timeout: o.Timeout, Reuse: reuse}
	if o.Service != nil {
		cfg := *o.Service
		co.Endpoint = cfg.ProfileEndpoint()
		co.ProfileServer = func(ctx context.Context, bin, dir string, env []string, out string, seconds int) (binaries.ServerProfile, error) {
			res, err := measure.ProfileServer(ctx, cfg, bin, dir, env, out, seconds)
			return binaries.ServerProfile{Samples: res.Samples, Requests: res.Metrics.Requests, Rate: res.Metrics.TargetRate, ErrorRate: res.Metrics.ErrorRate}, err
		}
	}
	return j.maker.Collect(ctx, j.run, co)
}

// grid builds and measures every variant.
func (j *job) grid(ctx context.Context) error {
	var names []string
	for _, v := range j.run.Variants {
		names = append(names, v.Name)
	}
	if err := j.maker.Build(ctx, j.run, names); err != nil {
		return err
	}
	if err := j.maker.BuildLayouts(ctx, j.run, names, j.p.Options.Layouts); err != nil {
		return err
	}
	return j.measure(ctx, "grid", names, j.p.Options.Budget, stats.DefaultAlpha)
}

// finish analyses the run, writes result.json, and either marks the run
// complete (and caches its result) or tells how to continue it.
func (j *job) finish(key string, measureErr error) (*result.Run, error) {
	run := j.run
	if err := j.dir.CloseRaw(); err != nil {
		// The samples are in the run, and result.json keeps them.
		run.Warnings = append(run.Warnings, err.Error())
	}
	markFailed(run)
	lost := j.dir.Lost()
	if lost == nil {
		lost = j.lost
	}
	if measureErr != nil && lost == nil {
		run.Warnings = append(run.Warnings, fmt.Sprintf("interrupted after %d trials: the report covers what was measured", run.Search.Trials))
	}
	run.Finished = time.Now().UTC().Truncate(time.Second)
	run.Analysis = stats.Analyze(run, stats.Options{Equivalence: run.Options.Equivalence})
	binaries.ProfileNotes(j.d.Runner, j.p.Target, run)
	elapsed := j.elapsed + time.Since(j.start)
	run.Search.WallSeconds = elapsed.Seconds()
	run.Search.MeasureSeconds = j.measured.Seconds()
	run.Search.SelfCPUSeconds = selfCPU().Seconds()
	run.Search.Builds, run.Search.CachedBuilds = j.maker.Built, j.maker.Cached
	run.Search.Disturbed = disturbed(run.Blocks)
	if err := j.dir.Journal.Err(); err != nil {
		run.Warnings = append(run.Warnings, "the journal could not be written, so this run cannot be resumed: "+err.Error())
	}
	if lost != nil {
		run.Warnings = append(run.Warnings, lost.Error()+": nothing of this run is saved in the work dir")
		return run, lostError(lost)
	}
	resultPath := filepath.Join(j.dir.Path, rundir.ResultFile)
	if err := result.WriteFile(resultPath, run); err != nil {
		return run, fmt.Errorf("writing %s: %v: the samples are in %s", resultPath, err, run.RawFile)
	}
	st := j.dir.State
	if measureErr != nil {
		st.Interrupted++
		var saved savedOptions
		if json.Unmarshal(st.Options, &saved) == nil {
			saved.Elapsed = elapsed
			if data, err := json.Marshal(saved); err == nil {
				st.Options = data
			}
		}
		if err := rundir.WriteState(j.dir.Path, st); err != nil {
			fmt.Fprintf(j.d.Log, "gotune: writing the run's state: %v\n", err)
		}
		fmt.Fprintf(j.d.Notice, "gotune: interrupted: %d trials are saved in %s; continue with:\n  %s\n", run.Search.Trials, j.dir.Path, st.Resume)
		return run, measureErr
	}
	st.Complete = true
	if err := rundir.WriteState(j.dir.Path, st); err != nil {
		fmt.Fprintf(j.d.Log, "gotune: writing the run's state: %v\n", err)
	}
	j.store(key, resultPath)
	fmt.Fprintf(j.d.Log, "gotune: raw results in %s, result in %s\n", run.RawFile, resultPath)
	return run, nil
}

// markFailed marks the variants that were to be measured but have no
// sample: every trial failed. The reason quotes the variant's first
// failure, so that the one line that ends a run says what went wrong.
func markFailed(run *result.Run) {
	has := map[string]bool{}
	for _, s := range run.Samples {
		has[s.Variant] = true
	}
	first := map[string]string{}
	for _, f := range run.Failures {
		if _, ok := first[f.Variant]; !ok {
			first[f.Variant] = f.Error
		}
	}
	for i := range run.Variants {
		v := &run.Variants[i]
		if v.Measured() && !has[v.Name] && len(v.Builds) > 0 {
			v.Status, v.Reason = result.StatusFailed, "every trial failed"
			if e := first[v.Name]; e != "" {
				v.Reason += ", the first with: " + firstLine(e)
			}
		}
	}
	for i := range run.Variants {
		v := &run.Variants[i]
		if twin := run.Variant(v.SameCodeAs); twin != nil && v.Status == result.StatusOK && twin.Status != result.StatusOK {
			v.Status, v.Reason = twin.Status, twin.Reason
		}
	}
}

// disturbed is the share of blocks during which other processes used
// more than a quarter of the machine.
func disturbed(bs []result.Block) float64 {
	n, busy := 0, 0
	for _, b := range bs {
		if b.Load == nil {
			continue
		}
		n++
		if b.Load.Others > 0.25 {
			busy++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(busy) / float64(n)
}

// firstLine returns the first line of s, trimmed.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
