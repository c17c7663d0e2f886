package check

import (
	"github.com/gotune/gotune/internal/axis"

	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// Names of the two variants of a run joined by Against.
const (
	SavedName   = "saved"   // the baseline of the saved result
	CurrentName = "current" // the baseline of this run
)

// Against joins the baseline of saved, a result from an earlier commit,
// and the baseline of current into one analysed two-variant run: saved's
// baseline becomes the baseline, named SavedName, and current's the
// candidate, named CurrentName, each with its own settings, builds and
// samples. The joined run takes everything else (host, versions, seed,
// rounds) from current and is analysed with stats.Analyze seeded by
// current.Seed, so Evaluate can decide on it.
//
// The warnings name what differs between the two runs besides the code
// and could explain a difference: the host CPU, the Go version, the
// baseline's build settings, the benchtime and the benchmarks measured.
// Against fails when either run has no measured baseline.
func Against(saved, current *result.Run) (*result.Run, []string, error) {
	if saved == nil || current == nil {
		return nil, nil, errors.New("check: no run to compare")
	}
	sb, err := measuredBaseline(saved, "the saved result")
	if err != nil {
		return nil, nil, err
	}
	cb, err := measuredBaseline(current, "this run")
	if err != nil {
		return nil, nil, err
	}
	warns := differences(saved, current, sb, cb)

	old := renamed(sb, SavedName)
	cur := renamed(cb, CurrentName)
	cur.Complexity = 1
	run := &result.Run{
		GotuneVersion: current.GotuneVersion,
		GoVersion:     current.GoVersion,
		Host:          current.Host,
		Module:        current.Module,
		Dir:           current.Dir,
		Packages:      current.Packages,
		Seed:          current.Seed,
		Count:         current.Count,
		Bench:         current.Bench,
		Benchtime:     current.Benchtime,
		Started:       current.Started,
		Finished:      current.Finished,
		WorkDir:       current.WorkDir,
		Baseline:      SavedName,
		Variants:      []result.Variant{old, cur},
		Warnings:      slices.Clone(current.Warnings),
	}
	for _, s := range saved.Samples {
		if s.Variant == sb.Name {
			s.Variant = SavedName
			run.Samples = append(run.Samples, s)
		}
	}
	for _, s := range current.Samples {
		if s.Variant == cb.Name {
			s.Variant = CurrentName
			run.Samples = append(run.Samples, s)
		}
	}
	for _, f := range current.Failures {
		if f.Variant == cb.Name {
			f.Variant = CurrentName
			run.Failures = append(run.Failures, f)
		}
	}
	warns = append(warns, onlyOnOneSide(run)...)
	stats.Analyze(run, stats.Options{Seed: current.Seed})
	return run, warns, nil
}

// measuredBaseline returns the baseline of run, or an error naming what
// the run is when it has none that was measured.
func measuredBaseline(run *result.Run, what string) (*result.Variant, error) {
	b := run.Variant(run.Baseline)
	switch {
	case b == nil:
		return nil, fmt.Errorf("%s has no baseline variant %q: save the result of a complete gotune run", what, run.Baseline)
	case b.Status != result.StatusOK:
		return nil, fmt.Errorf("the baseline of %s was not measured (%s): compare with a run whose baseline was measured", what, statusPhrase(b))
	}
	for _, s := range run.Samples {
		if s.Variant == b.Name {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s has no samples of its baseline %s: compare with a run whose baseline was measured", what, b.Name)
}

// renamed returns a copy of v under a new name with the statistics that
// Analyze fills cleared.
func renamed(v *result.Variant, name string) result.Variant {
	c := *v
	c.Name = name
	c.SameCodeAs = ""
	c.Settings = v.Settings.Clone()
	c.Builds = slices.Clone(v.Builds)
	return c
}

// differences lists what differs between the saved and the current run
// besides the code.
func differences(saved, current *result.Run, sb, cb *result.Variant) []string {
	var w []string
	diff := func(what, old, cur string) {
		if old != cur && old != "" && cur != "" {
			w = append(w, fmt.Sprintf("the saved result was measured with %s %s, this run with %s: a difference may come from that, not from the code", what, old, cur))
		}
	}
	diff("host CPU", quote(saved.Host.CPU), quote(current.Host.CPU))
	if saved.Host.NumCPU > 0 && current.Host.NumCPU > 0 && saved.Host.NumCPU != current.Host.NumCPU {
		diff("CPU count", fmt.Sprint(saved.Host.NumCPU), fmt.Sprint(current.Host.NumCPU))
	}
	diff("Go version", saved.GoVersion, current.GoVersion)
	diff("baseline build", settingsLine(sb.Settings), settingsLine(cb.Settings))
	diff("benchtime", saved.Benchtime, current.Benchtime)
	if saved.Module != "" && current.Module != "" && saved.Module != current.Module {
		w = append(w, fmt.Sprintf("the saved result is of module %s, this run of %s: only benchmarks with the same package and name are compared", saved.Module, current.Module))
	}
	if sameFingerprints(sb.Builds, cb.Builds) {
		w = append(w, "the compiled code is identical to the saved result's (same fingerprints): any difference comes from the machine, not the code")
	}
	return w
}

// quote quotes s unless it is empty.
func quote(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("%q", s)
}

// settingsLine describes build settings in one comparable line.
func settingsLine(s axis.Settings) string {
	var parts []string
	for _, a := range axis.All {
		if v := s.Get(a); v != "" {
			parts = append(parts, a.Name+"="+axis.QuoteIfNeeded(v))
		}
	}
	return strings.Join(parts, " ")
}

// sameFingerprints reports whether two variants built the same packages
// into the same compiled code.
func sameFingerprints(a, b []result.Build) bool {
	if len(a) == 0 || len(a) != len(b) {
		return false
	}
	fa := map[string]string{}
	for _, x := range a {
		if x.Fingerprint == "" {
			return false
		}
		fa[x.Package] = x.Fingerprint
	}
	for _, x := range b {
		if fa[x.Package] != x.Fingerprint {
			return false
		}
	}
	return true
}

// onlyOnOneSide warns about sec/op benchmarks measured in only one of the
// joined runs: they cannot be compared.
func onlyOnOneSide(run *result.Run) []string {
	type key struct{ pkg, bench string }
	has := map[string]map[key]bool{SavedName: {}, CurrentName: {}}
	var order []key
	seen := map[key]bool{}
	for _, s := range run.Samples {
		if !isTime(s.Unit) {
			continue
		}
		k := key{s.Package, s.Benchmark}
		has[s.Variant][k] = true
		if !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
	}
	var w []string
	for _, side := range []struct{ name, other, phrase string }{
		{SavedName, CurrentName, "only in the saved result"},
		{CurrentName, SavedName, "only in this run"},
	} {
		var names []string
		for _, k := range order {
			if has[side.name][k] && !has[side.other][k] {
				names = append(names, BenchLabel(run.Module, k.pkg, k.bench))
			}
		}
		if len(names) > 0 {
			w = append(w, fmt.Sprintf("%s %s, so not compared: %s", plural(len(names), "benchmark"), side.phrase, listNames(names)))
		}
	}
	return w
}
