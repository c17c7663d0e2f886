package plan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// revFacts returns facts with two revisions: old (an export whose package
// has BenchmarkQuote and BenchmarkGone, no default.pgo) and worktree (the
// target: BenchmarkQuote, BenchmarkDecode, a default.pgo).
func revFacts(dir string) Facts {
	f := facts(dir)
	exp := filepath.Join(dir, "src", "t1")
	old := &target.Target{
		Dir: exp, ModuleRoot: exp, Module: "example.com/m", GoVersion: "go1.26.8",
		Packages: []target.Package{{ImportPath: "example.com/m/p", Dir: filepath.Join(exp, "p"), Benchmarks: []string{"BenchmarkGone", "BenchmarkQuote"}}},
		Mains:    []target.Main{{ImportPath: "example.com/m/cmd/x", Dir: filepath.Join(exp, "cmd/x")}},
	}
	f.Sources = map[string]Source{
		"old":      {Target: old, Revision: result.Revision{Rev: "old", Commit: "c1", Short: "c1", Subject: "before", Tree: "t1", Dir: exp}},
		"worktree": {Target: f.Target, Revision: result.Revision{Rev: "worktree", Commit: "c2", Short: "c2", Subject: "after", Dir: dir}},
	}
	return f
}

func TestMakeRevisions(t *testing.T) {
	dir := t.TempDir()
	p, err := Make(options.Options{Axes: axis.Values{"rev": {"old", "worktree"}, "pgo": {"off", "auto"}}}, revFacts(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(p), " "); got != "baseline pgo=off rev=worktree,pgo=off rev=worktree" {
		t.Errorf("variants %q: the revision and pgo axes crossed, the first revision the baseline's", got)
	}
	for _, v := range p.Variants {
		want := "old"
		if strings.HasPrefix(v.Name, "rev=worktree") {
			want = "worktree"
		}
		if v.Revision == nil || v.Revision.Rev != want || v.Settings.Get(axis.Rev) != want {
			t.Errorf("%s: revision %+v, want %s", v.Name, v.Revision, want)
		}
	}
	// pgo=auto is each revision's own default.pgo: the old one has none.
	if v := p.Variants[0]; v.Profile != "" || v.Revision.Dir != filepath.Join(dir, "src", "t1") {
		t.Errorf("baseline: profile %q, dir %s", v.Profile, v.Revision.Dir)
	}
	if v := p.Variants[3]; v.Profile != filepath.Join(dir, "cmd/x/default.pgo") {
		t.Errorf("rev=worktree: profile %q", v.Profile)
	}
	// Only the benchmarks of every revision are measured; the others are
	// reported.
	if len(p.Benchmarks) != 1 || p.Benchmarks[0].Name != "BenchmarkQuote" {
		t.Errorf("benchmarks %+v", p.Benchmarks)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "2 benchmark(s) not in every revision, so not compared: ./p.BenchmarkGone (only in old), ./p.BenchmarkDecode (only in worktree)") {
		t.Errorf("warnings %q", p.Warnings)
	}
	if got := p.TargetOf(&p.Variants[0]); got.Dir != filepath.Join(dir, "src", "t1") || len(got.Packages[0].Benchmarks) != 1 {
		t.Errorf("TargetOf(baseline) = %+v", got)
	}
	if got := p.TargetOf(&p.Variants[3]); got.Dir != dir || len(got.Packages[0].Benchmarks) != 1 {
		t.Errorf("TargetOf(rev=worktree) = %+v", got)
	}
	if p.Target.Dir != dir {
		t.Errorf("the run's target is in %s, want the user's %s", p.Target.Dir, dir)
	}
}

func TestMakeBase(t *testing.T) {
	dir := t.TempDir()
	f := revFacts(dir)
	f.Config = matrix.Config{Axes: axis.Values{"goamd64": {"v1", "v3"}}, Variants: []matrix.NamedVariant{{Name: "release"}}, Count: 9}
	p, err := Make(options.Options{Base: "old"}, f)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(p), " "); got != "baseline rev=worktree" {
		t.Errorf("variants %q: check --base measures the two revisions alone", got)
	}
	if p.Options.MinBlocks != 9 || !p.Options.Axes.Empty() || p.Options.Base != "old" {
		t.Errorf("options %+v: gotune.yaml's measuring settings stay, its axes do not", p.Options)
	}
	_, err = Make(options.Options{Base: "old", Axes: axis.Values{"ldflags": {"-s -w"}}}, revFacts(dir))
	if !errors.As(err, new(options.InputError)) || !strings.Contains(err.Error(), "drop the axis flags") {
		t.Errorf("--base with an axis flag: %v", err)
	}
}

func TestMakeRevisionsWithoutCommonBenchmarks(t *testing.T) {
	dir := t.TempDir()
	f := revFacts(dir)
	f.Sources["old"].Target.Packages[0].Benchmarks = []string{"BenchmarkGone"}
	_, err := Make(options.Options{Axes: axis.Values{"rev": {"old", "worktree"}}}, f)
	if !errors.As(err, new(options.InputError)) || !strings.Contains(err.Error(), `no benchmark is in every revision compared (old (c1 "before"), worktree (c2 "after"))`) {
		t.Errorf("err = %v", err)
	}
}

func TestLoadRevisionsOutsideGit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.21\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "m_test.go"), []byte("package m\n\nimport \"testing\"\n\nfunc BenchmarkX(b *testing.B) {}\n"), 0o644)
	work := filepath.Join(t.TempDir(), "w")
	fake := &gotool.Fake{}
	fake.On("git ", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{}, &gotool.Error{Cmd: c, ExitCode: 128, Stderr: "fatal: not a git repository (or any of the parent directories): .git\n"}
	})
	fake.On("go ", func(c gotool.Cmd) (gotool.Result, error) { return gotool.Exec{}.Run(context.Background(), c) })
	_, err := Load(context.Background(), options.Options{Dir: dir, WorkDir: work, Axes: axis.Values{"rev": {"HEAD~1", "HEAD"}}}, fake)
	if !errors.As(err, new(options.InputError)) || !strings.Contains(err.Error(), "--rev: "+dir+" is not in a git repository") {
		t.Errorf("err = %v", err)
	}
	for _, c := range fake.Calls {
		if strings.Contains(strings.Join(c.Args, " "), "go build") {
			t.Errorf("built before the revisions were checked: %s", c)
		}
	}
}
