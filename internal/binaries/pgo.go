package binaries

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/perf/benchunit"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/result"
)

// CollectRounds is how many rounds of the baseline's benchmarks a run
// profiles for its pgo=collect variants, before and apart from the
// measured rounds: a variant is never measured on the runs its profile
// was taken from.
const CollectRounds = 2

// CollectOptions say how the baseline's benchmarks are profiled.
type CollectOptions struct {
	Bench     string // -test.bench regexp
	Benchtime string // per run; "" = the test binary's default
	Timeout   time.Duration
	// Reuse is the merged profile an interrupted run collected: a new
	// profile would build different code than the samples it measured.
	Reuse *result.PGOCollection
	// ProfileServer, in service mode, profiles the built server bin
	// (started in dir with env) under the service load for seconds into
	// out; the profile then comes from the baseline server under that load
	// (collectService). Endpoint names where it fetches the profile, for
	// people. A nil ProfileServer profiles the baseline's benchmarks.
	ProfileServer func(ctx context.Context, bin, dir string, env []string, out string, seconds int) (ServerProfile, error)
	Endpoint      string
}

// Collect takes the profile of the run's pgo=collect variants from the
// baseline's benchmarks, merges it into <run>/pgo/collected.pprof and
// points the variants at it. When collecting fails, the variants fail
// with the reason and the run goes on; only a cancelled context is an
// error.
func (m *Maker) Collect(ctx context.Context, run *result.Run, co CollectOptions) error {
	var idx []int
	for i, v := range run.Variants {
		if v.Status == result.StatusOK && v.Settings.PGO().Collect() {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil
	}
	// The profile comes from the baseline's benchmarks, built from its
	// source.
	o, tg := m.o, m.target(&run.Variants[0])
	point := func(profile string) {
		for _, i := range idx {
			v := &run.Variants[i]
			v.Profile = profile
			vt := m.target(v)
			v.BuildLine = builder.BuildLine(v.Settings, v.Profile, vt.BuildTarget(), vt.DefaultPGO() != "")
		}
	}
	if r := co.Reuse; r != nil && r.Profile != "" {
		if _, err := os.Stat(r.Profile); err == nil {
			run.PGOCollected = r
			point(r.Profile)
			return nil
		}
	}
	if co.ProfileServer != nil {
		return m.collectService(ctx, run, co, idx, point)
	}
	base := run.Variants[0]
	outDir := filepath.Join(o.RunDir, "pgo")
	var pkgs []pgo.BenchPackage
	for _, pk := range tg.Packages {
		pkgs = append(pkgs, pgo.BenchPackage{ImportPath: pk.ImportPath, Dir: pk.Dir})
	}
	fmt.Fprintf(o.Log, "gotune: pgo=collect: profiling %d round(s) of the baseline's benchmarks, apart from the measured blocks\n", CollectRounds)
	col := &result.PGOCollection{Rounds: CollectRounds}
	run.PGOCollected = col
	prov := pgo.Provenance{
		Tool:      "gotune " + o.Version,
		GoVersion: toolchainOf(&base, tg.GoVersion), // the baseline's toolchain builds the profiled code
		Module:    tg.Module,
		Commit:    pgo.Commit(ctx, o.Runner, tg.ModuleRoot),
	}
	raws, err := pgo.Collect(ctx, pgo.CollectOptions{
		Runner: o.Runner, Dir: tg.Dir, Packages: pkgs, Settings: base.Build(),
		Bench: co.Bench, Benchtime: co.Benchtime, Count: CollectRounds, Timeout: co.Timeout,
		OutDir: outDir, Provenance: prov, Log: o.Log,
	})
	var merged string
	if err == nil {
		for _, r := range raws {
			col.Raw = append(col.Raw, r.Path)
		}
		merged = filepath.Join(outDir, "collected.pprof")
		err = mergeCollected(col, raws, merged, prov, "the baseline's benchmarks")
	}
	if err != nil {
		return m.collectFailed(ctx, run, idx, err)
	}
	col.Profile = merged
	point(merged)
	fmt.Fprintf(o.Log, "gotune: pgo=collect: %d profile(s) merged into %s (%d samples, %s, %.1f%% of CPU kept)\n",
		len(raws), merged, col.Samples, benchunit.Scale(float64(col.Bytes), benchunit.Binary)+"B", 100*col.KeptCPU)
	return nil
}

// collectFailed records that collecting the profile failed: the
// pgo=collect variants (idx) fail with the reason and the run goes on.
// Only a cancelled context is returned.
func (m *Maker) collectFailed(ctx context.Context, run *result.Run, idx []int, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	run.PGOCollected.Error = err.Error()
	for _, i := range idx {
		v := &run.Variants[i]
		v.Status, v.Reason = result.StatusFailed, "collecting its profile failed: "+err.Error()
	}
	run.Warnings = append(run.Warnings, "pgo=collect: "+err.Error())
	fmt.Fprintf(m.o.Log, "gotune: pgo=collect: %v\n", err)
	return nil
}

// mergeCollected merges the raw profiles with equal weights and the default
// trimming into out, with its provenance, and fills col.
func mergeCollected(col *result.PGOCollection, raws []pgo.Raw, out string, prov pgo.Provenance, what string) error {
	how := fmt.Sprintf("gotune run pgo=collect: %d profiles of %s, equal weights", len(raws), what)
	st, err := pgo.MergeRaw(raws, out, how, prov)
	col.Samples, col.Bytes, col.KeptCPU = st.Kept, st.BytesOut, st.KeptCPU
	return err
}

// provePGO checks that every variant just built with a profile used it:
// its compiled code must differ from the same build with -pgo=off. A
// variant whose code does not differ is skipped with the reason (measuring
// it would measure a -pgo=off build), but only when its profile is what
// the PGO axis made differ from the baseline: the baseline, and a variant
// with the baseline's own profile (goamd64=v3 with the repository's
// default.pgo), are measured all the same, with a warning. For the
// others it counts the decisions the compiler took because of the profile
// in the module's own packages. The evidence goes to each variant's
// PGOEffect. Only a cancelled context is an error.
func (m *Maker) provePGO(ctx context.Context, run *result.Run, fresh []string) error {
	o := m.o
	noEffect := map[string]bool{}
	baseProfile := ""
	if b := run.Variant(run.Baseline); b != nil {
		baseProfile = b.Profile
	}
	for i := range run.Variants {
		v := &run.Variants[i]
		if v.Status != result.StatusOK || v.Profile == "" || !slices.Contains(fresh, v.Name) {
			continue
		}
		eff := &result.PGOEffect{Profile: v.Profile}
		v.PGOEffect = eff
		tg := m.target(v)
		eff.Toolchain = toolchainOf(v, tg.GoVersion)
		var warn string
		if eff.ProfileGoVersion, warn = crossVersion(v, eff.Toolchain); warn != "" {
			run.Warnings = append(run.Warnings, warn)
			fmt.Fprintf(o.Log, "gotune: warning: %s\n", warn)
		}
		off := v.Build().With(axis.PGO, axis.PGOOff)
		off = off.With(axis.GCFlags, axis.StripPGOKnobs(off.Get(axis.GCFlags)))
		offFP := ""
		for _, w := range run.Variants {
			if w.Status == result.StatusOK && w.Name != v.Name && len(w.Builds) > 0 && w.Build().Same(off, axis.Build) {
				offFP, eff.OffVariant = builder.VariantFingerprint(w.Builds), w.Name
				break
			}
		}
		if offFP == "" {
			fingerprint := builder.Fingerprint
			if o.Main {
				fingerprint = builder.FingerprintMain
			}
			fp, err := fingerprint(ctx, o.Runner, tg.Dir, off, o.Packages)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				eff.Error = "fingerprinting the -pgo=off build: " + firstLine(err.Error())
				eff.CodeChanged = true // unproven either way: measure it
				continue
			}
			offFP = fp
		}
		eff.CodeChanged = builder.VariantFingerprint(v.Builds) != offFP
		if !eff.CodeChanged {
			reason := fmt.Sprintf("no PGO effect: the compiled code is identical to -pgo=off, so the compiler ignored %s (an empty profile, or none of its functions in this code)", filepath.Base(v.Profile))
			fmt.Fprintf(o.Log, "gotune: %s: %s\n", v.Name, reason)
			if v.Name == run.Baseline {
				run.Warnings = append(run.Warnings, "the baseline's default.pgo had no effect: "+reason)
				continue
			}
			if v.Profile == baseProfile {
				// Not the PGO axis's doing: the baseline's own profile.
				run.Warnings = append(run.Warnings, fmt.Sprintf("%s: %s; measured all the same: it is the baseline's own profile", v.Name, reason))
				continue
			}
			noEffect[v.Name] = true
			v.Status, v.Reason = result.StatusSkipped, reason
			continue
		}
		if twin := run.Variant(v.SameCodeAs); twin != nil && twin.PGOEffect != nil && twin.PGOEffect.Error == "" {
			eff.HotInlines, eff.HotFunctions, eff.Devirtualized = twin.PGOEffect.HotInlines, twin.PGOEffect.HotFunctions, twin.PGOEffect.Devirtualized
			continue
		}
		d, err := decisions(ctx, o.Runner, tg.Dir, tg.Module, v.Build(), o.Packages, o.RunDir, o.Main)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			eff.Error = "counting the PGO decisions: " + firstLine(err.Error())
		}
		eff.HotInlines, eff.Devirtualized, eff.HotFunctions = d.HotInlines, d.Devirtualized, d.HotFunctions
		fmt.Fprintf(o.Log, "gotune: %s: PGO took effect: code differs from -pgo=off; in %s's packages %d hot call sites inlined, %d call(s) devirtualized, %d hot functions\n",
			v.Name, tg.Module, eff.HotInlines, eff.Devirtualized, eff.HotFunctions)
	}
	// A variant measured in place of one that had no effect now stands for
	// itself; the next ones with its code point at it.
	rep := map[string]string{}
	for i := range run.Variants {
		w := &run.Variants[i]
		t := w.SameCodeAs
		if t == "" || !noEffect[t] || w.Status != result.StatusOK {
			continue
		}
		if r, ok := rep[t]; ok {
			w.SameCodeAs = r
		} else {
			rep[t], w.SameCodeAs = w.Name, ""
		}
	}
	return nil
}

// decisions builds each package's test binary once more for s, with the
// compiler reporting its PGO decisions for the module's packages, into a
// throwaway folder, and counts them.
func decisions(ctx context.Context, r gotool.Runner, dir, module string, s axis.Settings, pkgs []string, runDir string, main bool) (pgo.Decisions, error) {
	tmp, err := os.MkdirTemp(runDir, "pgodebug-")
	if err != nil {
		return pgo.Decisions{}, err
	}
	defer os.RemoveAll(tmp)
	var out []byte
	var errs []error
	for i, pkg := range pkgs {
		argv := builder.DecisionArgs
		if main {
			argv = builder.MainDecisionArgs
		}
		args := argv(s, pkg, module, filepath.Join(tmp, fmt.Sprintf("%d.test", i)))
		res, err := r.Run(ctx, gotool.Cmd{Args: args, Dir: dir, Env: builder.Env(s)})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s", pkg, builder.CompilerMessage(err)))
			continue
		}
		out = append(append(out, res.Stdout...), res.Stderr...)
	}
	return pgo.CountDecisions(out), errors.Join(errs...)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
