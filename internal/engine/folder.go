package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gotune/gotune/internal/binaries"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/measure"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/rundir"
)

// openRun creates the run folder (or reopens the interrupted one), with
// its state, journal and raw results file.
func (j *job) openRun() error {
	run, o := j.run, j.p.Options
	var err error
	if j.resumeDir != "" {
		j.dir, err = rundir.Reopen(j.resumeDir, *j.state)
		if err == nil {
			run.Started = j.state.Started
			run.Search.Resumed = j.state.Interrupted
		}
	} else {
		saved := savedOptions{Options: o, GoVersion: j.p.Target.GoVersion, WorkDirGiven: j.p.WorkDirGiven}
		for _, v := range j.p.Variants {
			saved.Variants = append(saved.Variants, v.Name)
		}
		data, merr := json.Marshal(saved)
		if merr != nil {
			return merr
		}
		st := rundir.State{Started: run.Started, Source: j.source + revisionsKey(j.p), Options: data, Resume: j.resumeCommand()}
		j.dir, err = rundir.Create(o.WorkDir, run.Started, o.Seed, st)
	}
	if err != nil {
		return err
	}
	run.WorkDir = j.dir.Path
	run.RawFile = filepath.Join(j.dir.Path, rundir.RawFile)
	if j.resumeDir == "" {
		if err := j.adopt(); err != nil {
			return err
		}
		j.dir.PruneEarlier()
	}
	return nil
}

// adopt moves the binaries of variants that came built (an earlier run's
// baseline, measured again by a check against it) into this run's folder,
// before the binaries of earlier runs are pruned.
func (j *job) adopt() error {
	for i := range j.run.Variants {
		v := &j.run.Variants[i]
		v.Builds = slices.Clone(v.Builds) // the plan's stay as they were
		for k := range v.Builds {
			b := &v.Builds[k]
			p, err := j.dir.Adopt(b.Binary, filepath.Join(strconv.Itoa(i), strconv.Itoa(b.Layout), filepath.Base(b.Binary)))
			if err != nil {
				return fmt.Errorf("keeping the binaries of %s: %v", v.Name, err)
			}
			b.Binary = p
		}
	}
	return nil
}

// resumeCommand is how a person continues this run.
func (j *job) resumeCommand() string {
	cmd := "gotune run -C " + gotool.Quote(j.p.Target.Dir) + " --resume"
	if j.p.WorkDirGiven {
		cmd += " --workdir " + gotool.Quote(j.p.Options.WorkDir)
	}
	return cmd
}

// record appends a measure record of stage to the journal.
func (j *job) record(stage string) func(measure.Record) {
	return func(r measure.Record) { j.dir.Journal.Append(stage, r) }
}

// sourceHash hashes the source of every module the build reads.
func sourceHash(ctx context.Context, r gotool.Runner, p *plan.Plan) (string, error) {
	return binaries.SourceHash(ctx, r, p.Target)
}

// revisionsKey names the commits of the revisions a run compares, for
// the state of a run: a resumed run whose revisions now name other
// commits (HEAD moved) would mix two versions of the code. "" without
// revisions.
func revisionsKey(p *plan.Plan) string {
	var b strings.Builder
	for _, v := range p.Variants {
		if r := v.Revision; r != nil && r.Tree != "" {
			fmt.Fprintf(&b, " %s=%s", r.Rev, r.Tree)
		}
	}
	return b.String()
}

// resultKey returns the key of this run's result in the cache, or "" when
// it cannot be reused (a profile collected at run time).
func (j *job) resultKey() string {
	var keys []string
	for i := range j.p.Variants {
		v := &j.p.Variants[i]
		if v.Settings.PGO().Collect() {
			return ""
		}
		k := binaries.BuildKey(j.source, j.p.TargetOf(v), j.p.Host, v)
		if k == "" {
			return ""
		}
		keys = append(keys, v.Name+"="+v.Status+"="+k)
	}
	return rundir.Key(keys, j.p.Host, j.p.Options.Key(!j.p.SeedGiven))
}

// reuse returns the cached result of an identical run.
func (j *job) reuse(key string) (*result.Run, bool) {
	prev, ok := rundir.NewResults(j.p.Options.WorkDir).Load(key)
	if !ok {
		return nil, false
	}
	if prev.Search == nil {
		prev.Search = &result.Search{}
	}
	prev.Search.ReusedFrom = prev.WorkDir
	when := prev.Started.Local().Format("2006-01-02 15:04")
	prev.Warnings = append(prev.Warnings, fmt.Sprintf("reused the result of the identical run of %s in %s (same target source, Go version, settings and host): --fresh measures again", when, prev.WorkDir))
	fmt.Fprintf(j.d.Log, "gotune: nothing changed since the run of %s: reusing its result (%s); --fresh measures again\n", when, prev.WorkDir)
	return prev, true
}

// store keeps a finished run's result for reuse.
func (j *job) store(key, path string) {
	if key == "" {
		return
	}
	if err := rundir.NewResults(j.p.Options.WorkDir).Store(key, path); err != nil {
		fmt.Fprintf(j.d.Log, "gotune: caching the result: %v\n", err)
	}
}
