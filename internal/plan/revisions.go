package plan

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// A run that compares revisions (--rev, revisions: in gotune.yaml, check
// --base) builds each one from its own source: Load resolves them in the
// target's git repository before anything is built, exports each commit
// with git archive into <work dir>/src/<tree> (the repository is only
// read) and reads its module and benchmarks there; the worktree is the
// target itself. Make measures the benchmarks every revision has and
// reports the others.

// Source is one revision of a run and the target read from its source.
type Source struct {
	Target   *target.Target
	Revision result.Revision
}

// keepExports is how many exported source trees the work dir keeps, at
// least (a run keeps all of its own).
const keepExports = 8

// Revisions returns the revisions a run compares, normalised, without
// repeats, the baseline's first: check --base's two (the base, then the
// worktree), else those of --rev or, when it is not given, gotune.yaml's.
// None for a run of the baseline alone.
func Revisions(o options.Options, cfg matrix.Config) []string {
	if o.Base != "" {
		return []string{o.Base, axis.Worktree}
	}
	if o.BaselineOnly {
		return nil
	}
	var out []string
	for _, s := range cfg.Axes.Override(o.Axes).Get(axis.Rev) {
		if r, err := axis.ParseRev(s); err == nil && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// revisionsFlag names where the revisions came from, for errors.
func revisionsFlag(o options.Options) string {
	switch {
	case o.Base != "":
		return "--base"
	case len(o.Axes.Get(axis.Rev)) > 0:
		return "--rev"
	}
	return "revisions (gotune.yaml)"
}

// loadSources resolves the revisions in the repository of tg (all of
// them, before any is exported), exports each commit into srcDir and
// reads its target there. Its errors are input problems unless they wrap
// a context error.
func loadSources(ctx context.Context, r gotool.Runner, tg *target.Target, o options.Options, revs []string) (map[string]Source, error) {
	what := revisionsFlag(o)
	inputErr := func(err error) error {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return options.Inputf("%s: %v", what, err)
	}
	repo, err := target.FindRepo(ctx, r, tg)
	if err != nil {
		return nil, inputErr(err)
	}
	resolved := make([]target.Revision, len(revs))
	for i, rev := range revs {
		if rev == axis.Worktree {
			resolved[i], err = repo.Worktree(ctx, r, rev)
		} else {
			resolved[i], err = repo.Resolve(ctx, r, rev)
		}
		if err != nil {
			return nil, inputErr(err)
		}
	}
	srcDir := filepath.Join(o.WorkDir, "src")
	out := map[string]Source{}
	for _, rv := range resolved {
		s := Source{Target: tg, Revision: result.Revision{
			Rev: rv.Rev, Commit: rv.Commit, Short: rv.Short, Subject: rv.Subject, Tree: rv.Tree, Dirty: rv.Dirty, Dir: tg.Dir,
		}}
		if rv.Tree != "" {
			root, err := repo.Export(ctx, r, rv, srcDir)
			if err != nil {
				return nil, inputErr(err)
			}
			s.Target, err = target.Load(ctx, target.Options{Dir: filepath.Join(root, repo.Sub), Patterns: o.Packages, Runner: r})
			if err != nil {
				var te *target.Error
				if errors.As(err, &te) {
					return nil, options.Inputf("%s: revision %s: %v", what, s.Revision.Label(), err)
				}
				return nil, err
			}
			s.Revision.Dir = s.Target.Dir
		}
		out[rv.Rev] = s
	}
	if err := target.PruneExports(srcDir, max(keepExports, len(revs))); err != nil {
		return out, fmt.Errorf("pruning old source trees in %s: %v", srcDir, err)
	}
	return out, nil
}

// TargetOf returns the target a variant builds: its revision's, or the
// plan's.
func (p *Plan) TargetOf(v *result.Variant) *target.Target {
	if t := p.Sources[v.Settings.Get(axis.Rev)]; t != nil {
		return t
	}
	return p.Target
}

// common returns the target of a run that compares revs: tg with the
// packages and benchmarks every revision has (taken from the first
// revision's source), each source's target cut to those packages, and
// the warnings that say what is not compared.
func common(tg *target.Target, sources map[string]Source, revs []string) (*target.Target, map[string]*target.Target, []string, error) {
	type bench struct{ pkg, name string }
	has := map[bench][]string{} // benchmark → the revisions that have it
	var order []bench
	for _, rev := range revs {
		for _, pk := range sources[rev].Target.Packages {
			for _, b := range pk.Benchmarks {
				k := bench{pk.ImportPath, b}
				if _, ok := has[k]; !ok {
					order = append(order, k)
				}
				has[k] = append(has[k], rev)
			}
		}
	}
	keep := map[bench]bool{}
	var partial []string
	for _, k := range order {
		if len(has[k]) == len(revs) {
			keep[k] = true
			continue
		}
		label := benchLabel(tg.Module, k.pkg, k.name)
		if len(has[k]) == 1 {
			partial = append(partial, fmt.Sprintf("%s (only in %s)", label, has[k][0]))
		} else {
			partial = append(partial, fmt.Sprintf("%s (only in %s)", label, strings.Join(has[k], ", ")))
		}
	}
	cut := func(t *target.Target) *target.Target {
		c := *t
		c.Packages = nil
		for _, pk := range t.Packages {
			var bs []string
			for _, b := range pk.Benchmarks {
				if keep[bench{pk.ImportPath, b}] {
					bs = append(bs, b)
				}
			}
			if len(bs) > 0 {
				pk.Benchmarks = bs
				c.Packages = append(c.Packages, pk)
			}
		}
		return &c
	}
	var labels []string
	for _, rev := range revs {
		r := sources[rev].Revision
		labels = append(labels, r.Label())
	}
	if len(keep) == 0 {
		return nil, nil, nil, options.Inputf("no benchmark is in every revision compared (%s): compare revisions that share benchmarks", strings.Join(labels, ", "))
	}
	targets := map[string]*target.Target{}
	for _, rev := range revs {
		targets[rev] = cut(sources[rev].Target)
	}
	run := *tg
	run.Packages = targets[revs[0]].Packages
	var warns []string
	if len(partial) > 0 {
		warns = append(warns, fmt.Sprintf("%d benchmark(s) not in every revision, so not compared: %s", len(partial), listed(partial, 6)))
	}
	var versions []string
	for _, rev := range revs {
		if v := sources[rev].Target.GoVersion; v != "" && v != sources[revs[0]].Target.GoVersion {
			versions = append(versions, rev+" "+v)
		}
	}
	if len(versions) > 0 {
		warns = append(warns, fmt.Sprintf("the revisions build with different Go toolchains (%s %s, %s): the comparison includes the compiler's change", revs[0], sources[revs[0]].Target.GoVersion, strings.Join(versions, ", ")))
	}
	return &run, targets, warns, nil
}

// benchLabel names a benchmark for people: ./pkg.BenchmarkX, or
// BenchmarkX in the module's root package.
func benchLabel(module, pkg, name string) string {
	switch {
	case pkg == module:
		return name
	case strings.HasPrefix(pkg, module+"/"):
		return "./" + strings.TrimPrefix(pkg, module+"/") + "." + name
	}
	return pkg + "." + name
}

// listed joins up to n items and counts the rest.
func listed(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}
