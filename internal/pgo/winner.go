package pgo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// ToApply returns the profile the recommended build of run needs committed
// as default.pgo, with the main packages it goes into and the one command
// that writes it there with its provenance; nil when the recommendation is
// not to use a build (keep, measure longer), or when the build to use
// needs no profile the target does not commit already (pgo auto or off,
// or a profile file identical to every covered default.pgo).
//
// The main packages are those the build line covers: the module's one
// main package, else every main package under the target's directory
// (the build line builds ./...). Mains are relative to run.Dir, as
// `gotune pgo apply --main` takes them; the command names them only when
// they are not every main package of the module, and passes --force when
// one of them holds a different default.pgo, which the measured winner
// replaces.
func ToApply(run *result.Run, tg *target.Target) *result.ProfileToApply {
	if run == nil || run.Analysis == nil || tg == nil {
		return nil
	}
	rec := run.Analysis.Recommendation
	if rec.Action != result.ActionUse {
		return nil
	}
	v := run.Variant(rec.Variant)
	if v == nil || v.Profile == "" {
		return nil
	}
	if p := v.Settings.PGO(); !p.Collect() && !p.File() {
		return nil
	}
	data, err := os.ReadFile(v.Profile)
	if err != nil {
		return nil
	}
	mains := coveredMains(tg)
	if len(mains) == 0 {
		return nil
	}
	force, needed := false, false
	for _, m := range mains {
		if m.DefaultPGO == "" {
			needed = true
			continue
		}
		if old, err := os.ReadFile(m.DefaultPGO); err != nil || !bytes.Equal(old, data) {
			needed, force = true, true
		}
	}
	if !needed {
		return nil
	}
	pa := &result.ProfileToApply{Path: v.Profile}
	args := []string{"gotune", "pgo", "apply", v.Profile, "-C", tg.Dir}
	for _, m := range mains {
		r := "./" + filepath.ToSlash(relTo(tg.Dir, m.Dir))
		pa.Mains = append(pa.Mains, r)
		if len(mains) != len(tg.Mains) {
			args = append(args, "--main", r)
		}
	}
	if force {
		args = append(args, "--force")
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = gotool.Quote(a)
	}
	pa.Command = strings.Join(quoted, " ")
	return pa
}

// coveredMains returns the main packages the target's build line builds:
// its one main package, else those under its directory.
func coveredMains(tg *target.Target) []target.Main {
	if len(tg.Mains) == 1 {
		return tg.Mains
	}
	var out []target.Main
	for _, m := range tg.Mains {
		if lexicallyInside(tg.Dir, m.Dir) {
			out = append(out, m)
		}
	}
	return out
}

// relTo returns p relative to dir, "." for dir itself; p when it is not
// below dir.
func relTo(dir, p string) string {
	r, err := filepath.Rel(dir, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return p
	}
	return r
}

// Committed is a default.pgo the target commits, with how stale it is.
type Committed struct {
	Path  string   // the default.pgo
	Mains []string // the main packages' directories that hold this same profile
	// Staleness is measured against the module's current source; nil
	// when it could not be (Err says why).
	Staleness *Staleness
	Err       error
}

// CommittedStaleness measures every distinct default.pgo of tg's main
// packages against the module's current source, as `gotune pgo inspect`
// does: the share of the module's profiled CPU that runs through
// functions which no longer exist or moved.
func CommittedStaleness(ctx context.Context, r gotool.Runner, tg *target.Target) []Committed {
	if r == nil {
		r = gotool.Exec{}
	}
	var out []Committed
	seen := map[string]int{}
	var src *Source
	var srcErr error
	loaded := false
	for _, m := range tg.Mains {
		if m.DefaultPGO == "" {
			continue
		}
		data, err := os.ReadFile(m.DefaultPGO)
		if err != nil {
			out = append(out, Committed{Path: m.DefaultPGO, Mains: []string{m.Dir}, Err: err})
			continue
		}
		key := string(data)
		if i, ok := seen[key]; ok {
			out[i].Mains = append(out[i].Mains, m.Dir)
			continue
		}
		seen[key] = len(out)
		c := Committed{Path: m.DefaultPGO, Mains: []string{m.Dir}}
		p, err := Parse(m.DefaultPGO, data)
		if err == nil {
			err = CheckCPU(m.DefaultPGO, p)
		}
		if err == nil && !loaded {
			loaded = true
			src, srcErr = ModuleSource(ctx, r, tg.ModuleRoot, tg.Module)
		}
		switch {
		case err != nil:
			c.Err = err
		case srcErr != nil:
			c.Err = srcErr
		default:
			st := Stale(p, src, 3)
			c.Staleness = &st
		}
		out = append(out, c)
	}
	return out
}

// ModuleSource indexes the functions of the current source of the module
// at root, whose path is module.
func ModuleSource(ctx context.Context, r gotool.Runner, root, module string) (*Source, error) {
	pkgs, err := ListPackages(ctx, r, root)
	if err != nil {
		return nil, err
	}
	src, err := LoadSource(module, pkgs)
	if err != nil {
		return nil, InputError{err}
	}
	return src, nil
}

// StaleWarnings returns one warning for each default.pgo of tg whose
// staleness passes StaleThreshold: a run shows them among its warnings,
// so that every report says when the committed profile needs a refresh.
func StaleWarnings(ctx context.Context, r gotool.Runner, tg *target.Target) []string {
	var out []string
	for _, c := range CommittedStaleness(ctx, r, tg) {
		if c.Staleness == nil || c.Staleness.Stale() <= StaleThreshold {
			continue
		}
		out = append(out, StaleWarning(relTo(tg.Dir, c.Path), tg.Dir, *c.Staleness))
	}
	return out
}

// StaleWarning is the warning about the stale profile at path (as shown)
// of the target in dir.
func StaleWarning(path, dir string, st Staleness) string {
	worst := ""
	if fs := append(append([]Func(nil), st.MissingFuncs...), st.MovedFuncs...); len(fs) > 0 {
		what := "missing"
		if len(st.MissingFuncs) == 0 {
			what = "moved"
		}
		worst = fmt.Sprintf(", e.g. %s %s", what, fs[0].Name)
	}
	return fmt.Sprintf("%s is stale: %.1f%% of the module's profiled CPU runs through functions that no longer exist (%.1f%% of the profile) or moved (%.1f%%)%s; PGO loses those call sites (refresh above %.0f%%): gotune pgo refresh -C %s --collect",
		path, 100*st.Stale(), 100*st.Missing, 100*st.Moved, worst, 100*StaleThreshold, gotool.Quote(dir))
}
