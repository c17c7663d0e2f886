package shard

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// Input is one shard's result and the file it was read from.
type Input struct {
	File string
	Run  *result.Run
}

// Error is a refusal of Merge: shards that are not the N parts of one
// plan (exit status 2).
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func refuse(format string, args ...any) error { return &Error{fmt.Sprintf(format, args...)} }

// Check returns why the inputs are not the shards 1..N of one plan, or
// nil: a result that is not a shard, shards of different plans (module,
// matrix, seed, target revision or split of the benchmarks differ, each
// named), a shard given twice, a shard missing.
func Check(in []Input) error {
	if len(in) == 0 {
		return refuse("no shards: give the result files of every shard (gotune run --shard K/N --json FILE)")
	}
	for _, x := range in {
		if x.Run.Shard == nil {
			return refuse("%s is not a shard: it was not measured with gotune run --shard K/N", x.File)
		}
	}
	first := in[0]
	a := first.Run.Shard
	for _, x := range in[1:] {
		b := x.Run.Shard
		differ := func(what, va, vb string) error {
			return refuse("shards of different plans: %s %s %s, %s %s %s: run every shard of one plan (same commit, flags, gotune.yaml and --seed)", first.File, what, va, x.File, what, vb)
		}
		switch {
		case a.Count != b.Count:
			return refuse("shards of different plans: %s is shard %s, %s is shard %s: give the shards of one --shard K/N split", first.File, a, x.File, b)
		case a.Plan.Module != b.Plan.Module:
			return differ("measured module", a.Plan.Module, b.Plan.Module)
		case a.Plan.Seed != b.Plan.Seed:
			return differ("has seed", fmt.Sprint(a.Plan.Seed), fmt.Sprint(b.Plan.Seed))
		case a.Plan.Matrix != b.Plan.Matrix:
			return differ("has matrix", a.Plan.Matrix+" "+variantNames(first.Run), b.Plan.Matrix+" "+variantNames(x.Run))
		case a.Plan.Revision != b.Plan.Revision:
			return differ("measured target revision", a.Plan.Revision, b.Plan.Revision)
		case a.Plan.Split != b.Plan.Split:
			return differ(fmt.Sprintf("split %d benchmarks as", a.Plan.Benchmarks), a.Plan.Split+" ("+a.Balance+")", b.Plan.Split+" ("+b.Balance+")")
		}
	}
	seen := map[int]string{}
	for _, x := range in {
		k := x.Run.Shard.Index
		if f, ok := seen[k]; ok {
			return refuse("shard %s given twice: %s and %s", x.Run.Shard, f, x.File)
		}
		seen[k] = x.File
	}
	var missing []string
	for k := 1; k <= a.Count; k++ {
		if _, ok := seen[k]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", k, a.Count))
		}
	}
	if len(missing) > 0 {
		return refuse("shard %s missing: give all %d shards of the plan (have %d)", strings.Join(missing, ", "), a.Count, len(in))
	}
	return nil
}

func variantNames(run *result.Run) string {
	var ns []string
	for _, v := range run.Variants {
		ns = append(ns, v.Name)
	}
	return "(" + strings.Join(ns, ", ") + ")"
}

// Merge checks the inputs (Check) and joins them into one analysed result:
// every shard's blocks, cycles and samples renumbered after the previous
// shard's and tagged with the shard, so that blocks of different shards
// never pair; variants measured where any shard measured them; the
// analysis with the shards as strata (stats.Analyze of a run with Shards).
// Notes say where the shards ran; hosts that differ are accepted with a
// note, since each shard's variants are compared only with its own
// baseline.
func Merge(in []Input) (*result.Run, error) {
	if err := Check(in); err != nil {
		return nil, err
	}
	in = slices.Clone(in)
	slices.SortFunc(in, func(a, b Input) int { return a.Run.Shard.Index - b.Run.Shard.Index })
	first := in[0].Run
	m := &result.Run{
		GotuneVersion: first.GotuneVersion,
		GoVersion:     first.GoVersion,
		Host:          first.Host,
		Module:        first.Module,
		Dir:           first.Dir,
		Started:       first.Started,
		Options:       first.Options,
		Baseline:      first.Baseline,
		Search:        &result.Search{Mode: result.SearchGrid},
	}
	m.Options.Shard, m.Options.ShardFrom = "", ""
	for _, v := range first.Variants {
		v.Builds, v.SameCodeAs, v.Status, v.Reason = nil, "", result.StatusSkipped, ""
		m.Variants = append(m.Variants, v)
	}
	blocks, cycles := 0, 0
	var budget time.Duration
	for _, x := range in {
		r := x.Run
		k := r.Shard.Index
		sr := result.ShardRun{Index: k, File: x.File, Host: r.Host, Benchmarks: len(r.Benchmarks), First: blocks + 1, Started: r.Started.Format(time.RFC3339)}
		if sr.Host.GoVersion == "" {
			sr.Host.GoVersion = r.GoVersion
		}
		if r.Search != nil {
			sr.Seconds = r.Search.WallSeconds
			m.Search.Trials += r.Search.Trials
			m.Search.Builds += r.Search.Builds
			m.Search.CachedBuilds += r.Search.CachedBuilds
			m.Search.MeasureSeconds += r.Search.MeasureSeconds
			m.Search.WallSeconds = max(m.Search.WallSeconds, r.Search.WallSeconds)
			for _, st := range r.Search.Stages {
				st.FirstBlock += blocks
				st.Name = fmt.Sprintf("%s (shard %s)", st.Name, r.Shard)
				m.Search.Stages = append(m.Search.Stages, st)
			}
		}
		budget += r.Options.Budget
		if r.Started.Before(m.Started) {
			m.Started = r.Started
		}
		if r.Finished.After(m.Finished) {
			m.Finished = r.Finished
		}
		for _, p := range r.Packages {
			if !slices.Contains(m.Packages, p) {
				m.Packages = append(m.Packages, p)
			}
		}
		m.Benchmarks = append(m.Benchmarks, r.Benchmarks...)
		twins := joinVariants(m, r, x.File)
		maxCycle := 0
		for _, b := range r.Blocks {
			b.Index += blocks
			b.Cycle += cycles
			b.Shard = k
			maxCycle = max(maxCycle, b.Cycle)
			m.Blocks = append(m.Blocks, b)
		}
		for _, s := range r.Samples {
			s.Block += blocks
			m.Samples = append(m.Samples, s)
			for _, twin := range twins[s.Variant] {
				s.Variant = twin // identical code on this runner: its samples
				m.Samples = append(m.Samples, s)
			}
		}
		for _, f := range r.Failures {
			f.Block += blocks
			m.Failures = append(m.Failures, f)
		}
		for _, w := range r.Warnings {
			if strings.HasPrefix(w, "shard "+r.Shard.String()+": ") {
				continue // the plan's note of the shard: the merge says more
			}
			m.Warnings = append(m.Warnings, fmt.Sprintf("shard %s: %s", r.Shard, w))
		}
		if n := len(r.Blocks); n > 0 {
			blocks = m.Blocks[len(m.Blocks)-1].Index
			sr.Cycles = maxCycle - cycles
			cycles = maxCycle
		}
		sr.Last = blocks
		m.Shards = append(m.Shards, sr)
	}
	m.Options.Budget = budget
	// A twin on every runner is measured once, as in one run.
	m.Samples = slices.DeleteFunc(m.Samples, func(s result.Sample) bool {
		v := m.Variant(s.Variant)
		return v == nil || v.SameCodeAs != ""
	})
	m.Warnings = append(notes(m, in), m.Warnings...)
	m.Analysis = stats.Analyze(m, stats.Options{Equivalence: m.Options.Equivalence})
	strata := stats.ShardStrata(m)
	for i := range m.Shards {
		m.Shards[i].Variants = strata[m.Shards[i].Index]
	}
	return m, nil
}

// joinVariants folds shard r's variants into m's: a variant is measured
// in the merge when any shard measured it, with the builds of the first
// shard that did. A variant that was measured as another's same-code
// twin on this runner but not on every runner gets its twin's samples of
// this shard: returned as twin name → the variants that take its samples.
func joinVariants(m, r *result.Run, file string) map[string][]string {
	twins := map[string][]string{}
	for i := range m.Variants {
		mv := &m.Variants[i]
		v := r.Variant(mv.Name)
		switch {
		case v == nil:
			continue
		case v.Status == result.StatusOK && mv.Status != result.StatusOK:
			mv.Status, mv.Reason, mv.Builds, mv.SameCodeAs, mv.PGOEffect = v.Status, "", v.Builds, v.SameCodeAs, v.PGOEffect
		case v.Status == result.StatusOK && mv.SameCodeAs != v.SameCodeAs:
			// Same code as a twin on one runner, not on another: measured.
			mv.SameCodeAs = ""
		case v.Status != result.StatusOK && mv.Status != result.StatusOK && mv.Reason == "":
			mv.Status, mv.Reason = v.Status, fmt.Sprintf("shard %s: %s", r.Shard, v.Reason)
		}
		if v.Status == result.StatusOK && v.SameCodeAs != "" {
			twins[v.SameCodeAs] = append(twins[v.SameCodeAs], v.Name)
		}
	}
	return twins
}

// notes say where the shards ran, and that hosts which differ are fine.
func notes(m *result.Run, in []Input) []string {
	var parts []string
	hosts := map[string][]string{}
	var order []string
	for _, s := range m.Shards {
		parts = append(parts, fmt.Sprintf("%d/%d (%d %s, %d cycles)", s.Index, len(m.Shards), s.Benchmarks, plural(s.Benchmarks, "benchmark", "benchmarks"), s.Cycles))
		h := Fingerprint(s.Host)
		if _, ok := hosts[h]; !ok {
			order = append(order, h)
		}
		hosts[h] = append(hosts[h], fmt.Sprint(s.Index))
	}
	out := []string{fmt.Sprintf("merged from %d shards, each measured on its own runner and compared only with its own baseline: %s", len(m.Shards), strings.Join(parts, ", "))}
	if len(order) == 1 {
		out = append(out, "every shard ran on "+order[0])
	} else {
		var on []string
		for _, h := range order {
			on = append(on, fmt.Sprintf("shard %s on %s", strings.Join(hosts[h], ", "), h))
		}
		out = append(out, fmt.Sprintf("the shards ran on %d different hosts (%s): accepted, since each shard's variants are compared only with the baseline measured on the same runner; the times of benchmarks of different shards are not comparable with each other", len(order), strings.Join(on, "; ")))
	}
	for i, v := range m.Variants {
		var not []string
		for _, x := range in {
			if w := x.Run.Variant(v.Name); w == nil || w.Status != result.StatusOK {
				not = append(not, x.Run.Shard.String())
			}
		}
		if v.Status == result.StatusOK && len(not) > 0 {
			out = append(out, fmt.Sprintf("%s was not measured on shard %s: its verdict covers the other shards' benchmarks", m.Variants[i].Name, strings.Join(not, ", ")))
		}
	}
	return out
}

// Fingerprint describes a host in one line: CPU, cores, GOAMD64 level, Go
// version, kernel.
func Fingerprint(h result.Host) string {
	s := fmt.Sprintf("%s, %d cores", h.CPU, h.NumCPU)
	if h.GOAMD64Max != "" {
		s += ", up to GOAMD64=" + h.GOAMD64Max
	}
	if h.GoVersion != "" {
		s += ", " + h.GoVersion
	}
	if h.Kernel != "" {
		s += ", " + h.GOOS + " " + h.Kernel
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
