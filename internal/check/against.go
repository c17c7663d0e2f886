package check

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// benchKey names a top-level benchmark of a package, in one code layout.
type benchKey struct {
	pkg, name string
	layout    int
}

// Names of the two variants of a run joined by Against.
const (
	SavedName   = "saved"   // the baseline of the saved result
	CurrentName = "current" // the baseline of this run
)

// NotTogether is the warning every comparison with a saved result
// carries.
const NotTogether = "the two sides were not measured together: this machine's speed can change 2× within a minute, so a difference may be the machine's, not the code's; gotune check --base REF builds that commit and this one and measures both in one run"

// Against joins the baseline of saved, a result from an earlier commit,
// and the baseline of current into one analysed two-variant run: saved's
// baseline becomes the baseline, named SavedName, and current's the
// candidate, named CurrentName. The two were measured apart, so their
// blocks cannot be paired by time: the k-th block of each benchmark and
// code layout on one side is paired with the k-th on the other. Under no change such pairs
// are exchangeable, so the paired tests stay valid; they lose the drift
// cancellation, which the NotTogether warning says.
//
// The warnings also name what differs between the two runs besides the
// code: the host CPU, the Go version, the baseline's build settings and
// the benchmarks measured. Against fails when either run has no measured
// baseline.
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
	warns := append([]string{NotTogether}, differences(saved, current, sb, cb)...)
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
		Options:       current.Options,
		Started:       current.Started,
		Finished:      current.Finished,
		WorkDir:       current.WorkDir,
		Baseline:      SavedName,
		Variants:      []result.Variant{old, cur},
		Benchmarks:    current.Benchmarks,
		Warnings:      slices.Clone(current.Warnings),
	}
	// The k-th block of a benchmark on each side becomes block k of a
	// pseudo-pair.
	blocks := func(r *result.Run) map[benchKey][]int {
		out := map[benchKey][]int{}
		for _, b := range r.Blocks {
			k := benchKey{b.Package, b.Benchmark, b.Layout}
			out[k] = append(out[k], b.Index)
		}
		return out
	}
	sbl, cbl := blocks(saved), blocks(current)
	index := map[[2]int]int{} // side and original block → joined block
	n := 0
	var keys []benchKey
	for k := range sbl {
		if _, ok := cbl[k]; ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b benchKey) int {
		if c := strings.Compare(a.pkg+"\x00"+a.name, b.pkg+"\x00"+b.name); c != 0 {
			return c
		}
		return a.layout - b.layout
	})
	// Pseudo-cycle i of layout L holds the i-th pair of every benchmark
	// in L: cycles of different layouts stay apart, since a cycle's mean
	// is taken within one layout. They are numbered 1, 2, … by layout,
	// then i.
	var cycles [][2]int
	for _, k := range keys {
		for i := range min(len(sbl[k]), len(cbl[k])) {
			if c := [2]int{k.layout, i}; !slices.Contains(cycles, c) {
				cycles = append(cycles, c)
			}
		}
	}
	slices.SortFunc(cycles, func(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) })
	for _, k := range keys {
		s, c := sbl[k], cbl[k]
		for i := 0; i < min(len(s), len(c)); i++ {
			n++
			index[[2]int{0, s[i]}], index[[2]int{1, c[i]}] = n, n
			cycle := slices.Index(cycles, [2]int{k.layout, i}) + 1
			run.Blocks = append(run.Blocks, result.Block{Index: n, Cycle: cycle, Package: k.pkg, Benchmark: k.name, Layout: k.layout, Order: []string{SavedName, CurrentName}})
		}
	}
	add := func(side int, r *result.Run, from, to string) {
		for _, s := range r.Samples {
			if b, ok := index[[2]int{side, s.Block}]; ok && s.Variant == from {
				s.Variant, s.Block = to, b
				run.Samples = append(run.Samples, s)
			}
		}
	}
	add(0, saved, sb.Name, SavedName)
	add(1, current, cb.Name, CurrentName)
	for _, f := range current.Failures {
		if f.Variant == cb.Name {
			f.Variant = CurrentName
			run.Failures = append(run.Failures, f)
		}
	}
	warns = append(warns, onlyOnOneSide(run.Module, sbl, cbl)...)
	run.Analysis = stats.Analyze(run, stats.Options{Equivalence: current.Options.Equivalence})
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

// renamed returns a copy of v under a new name.
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
		fa[x.Package] = x.Fingerprint
	}
	for _, x := range b {
		if x.Fingerprint == "" || fa[x.Package] != x.Fingerprint {
			return false
		}
	}
	return true
}

// onlyOnOneSide warns about benchmarks measured in only one of the joined
// runs: they cannot be compared.
func onlyOnOneSide(module string, saved, current map[benchKey][]int) []string {
	var w []string
	for _, side := range []struct {
		has, other map[benchKey][]int
		phrase     string
	}{{saved, current, "only in the saved result"}, {current, saved, "only in this run"}} {
		var names []string
		for k := range side.has {
			if _, ok := side.other[k]; !ok && !slices.Contains(names, BenchLabel(module, k.pkg, k.name)) {
				names = append(names, BenchLabel(module, k.pkg, k.name))
			}
		}
		slices.Sort(names)
		if len(names) > 0 {
			w = append(w, fmt.Sprintf("%s %s, so not compared: %s", plural(len(names), "benchmark"), side.phrase, listNames(names)))
		}
	}
	return w
}
