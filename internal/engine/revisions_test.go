package engine

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
)

// dirs records the directory of every command a runner starts.
type dirs struct {
	gotool.Runner
	mu   sync.Mutex
	cmds []gotool.Cmd
}

func (d *dirs) Run(ctx context.Context, c gotool.Cmd) (gotool.Result, error) {
	d.mu.Lock()
	d.cmds = append(d.cmds, c)
	d.mu.Unlock()
	return d.Runner.Run(ctx, c)
}

// commit commits every file of dir in its repository.
func commit(t *testing.T, dir, msg string) {
	t.Helper()
	for _, args := range [][]string{{"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "-m", msg}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestRevisions compares the fixture's previous commit with its current
// files: each revision builds and runs its benchmarks in its own source,
// a benchmark one revision lacks is reported and not measured, and a second
// run builds nothing.
func TestRevisions(t *testing.T) {
	skipShort(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git in PATH")
	}
	dir := fixture(t)
	if out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	commit(t, dir, "two benchmarks")
	test := filepath.Join(dir, "fx_test.go")
	data, _ := os.ReadFile(test)
	os.WriteFile(test, append(data, "\nfunc BenchmarkNew(b *testing.B) {\n\tfor b.Loop() {\n\t\tSum(300)\n\t}\n}\n"...), 0o644)
	commit(t, dir, "a third benchmark")
	os.WriteFile(filepath.Join(dir, "fx.go"), []byte("package fx\n\nvar Tag = \"uncommitted\"\n\nfunc Sum(n int) int { return n + len(Tag) }\n"), 0o644)

	work := t.TempDir()
	r := &dirs{Runner: &synth{real: gotool.Exec{}, factors: map[string]float64{"rev=worktree": 2}}}
	o := options.Options{Dir: dir, WorkDir: work, Seed: 3, Budget: time.Hour, MaxBlocks: 6, NoEarlyStop: true,
		Axes: axis.Values{"rev": {"HEAD~1", "worktree"}, "goamd64": {"v1"}}}
	run, err := start(t, context.Background(), r, o)
	if err != nil {
		t.Fatal(err)
	}
	base, head := run.Variant("baseline"), run.Variant("rev=worktree")
	if base == nil || head == nil || base.Revision == nil || head.Revision == nil {
		t.Fatalf("variants %+v", run.Variants)
	}
	if base.Revision.Subject != "two benchmarks" || base.Revision.Tree == "" || !head.Revision.Dirty || head.Revision.Subject != "a third benchmark" {
		t.Errorf("revisions %+v, %+v", base.Revision, head.Revision)
	}
	if !strings.HasPrefix(base.Revision.Dir, filepath.Join(work, "src")) || head.Revision.Dir != dir {
		t.Errorf("sources: baseline in %s, worktree in %s", base.Revision.Dir, head.Revision.Dir)
	}
	// Builds and trials ran in each revision's directory.
	ran := map[string]bool{}
	for _, c := range r.cmds {
		line := strings.Join(c.Args, " ")
		switch {
		case strings.Contains(line, "go test -c") && strings.Contains(line, "/baseline/"):
			ran["build baseline in "+c.Dir] = true
		case strings.Contains(line, "go test -c") && strings.Contains(line, "/rev=worktree/"):
			ran["build worktree in "+c.Dir] = true
		case strings.HasSuffix(c.Args[0], ".test") && strings.Contains(c.Args[0], "/baseline/"):
			ran["run baseline in "+c.Dir] = true
		case strings.HasSuffix(c.Args[0], ".test") && strings.Contains(c.Args[0], "/rev=worktree/"):
			ran["run worktree in "+c.Dir] = true
		}
	}
	for _, want := range []string{"build baseline in " + base.Revision.Dir, "run baseline in " + base.Revision.Dir, "build worktree in " + dir, "run worktree in " + dir} {
		if !ran[want] {
			t.Errorf("did not %s; ran: %v", want, ran)
		}
	}
	if len(run.Benchmarks) != 2 || !strings.Contains(strings.Join(run.Warnings, "\n"), "1 benchmark(s) not in every revision, so not compared: BenchmarkNew (only in worktree)") {
		t.Errorf("benchmarks %+v, warnings %q", run.Benchmarks, run.Warnings)
	}
	if s := run.Stats(head.Name); s == nil || s.Verdict != result.VerdictSlower {
		t.Errorf("the worktree, twice as slow: %+v", s)
	}

	// The same revisions again: every binary comes from the cache.
	o.Seed, o.Fresh = 4, false
	again, err := start(t, context.Background(), r, o)
	if err != nil {
		t.Fatal(err)
	}
	if again.Search.Builds != 0 || again.Search.CachedBuilds == 0 {
		t.Errorf("second run: %d builds, %d from the cache; want none built", again.Search.Builds, again.Search.CachedBuilds)
	}
	// The repository was only read: the worktree's change is still there,
	// uncommitted.
	if out, err := exec.Command("git", "-C", dir, "status", "--porcelain").Output(); err != nil || strings.TrimSpace(string(out)) != "M fx.go" {
		t.Errorf("git status: %q, %v", out, err)
	}
}

// TestResumeRevisionsMoved: a run of HEAD~1 against HEAD is interrupted,
// then HEAD moves: the revisions now name other commits, and resuming
// would mix two versions of the code, so it is refused; without the move
// it resumes.
func TestResumeRevisionsMoved(t *testing.T) {
	skipShort(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git in PATH")
	}
	dir := fixture(t)
	if out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	commit(t, dir, "one")
	os.WriteFile(filepath.Join(dir, "fx.go"), []byte("package fx\n\nfunc Sum(n int) int { return n }\n"), 0o644)
	commit(t, dir, "two")
	o := options.Options{Dir: dir, WorkDir: t.TempDir(), Seed: 9, Budget: time.Hour, MaxBlocks: 4, NoEarlyStop: true, Layouts: 0,
		Axes: axis.Values{"rev": {"HEAD~1", "HEAD"}, "goamd64": {"v1"}}}
	interrupted := func() {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		r := &synth{real: gotool.Exec{}, before: func(n int) {
			if n == 3 {
				cancel()
			}
		}}
		if _, err := start(t, ctx, r, o); err == nil {
			t.Fatal("the run was not interrupted")
		}
	}
	interrupted()
	os.WriteFile(filepath.Join(dir, "fx.go"), []byte("package fx\n\nfunc Sum(n int) int { return 2 * n }\n"), 0o644)
	commit(t, dir, "three")
	_, err := Resume(context.Background(), o.WorkDir, Deps{Runner: &synth{real: gotool.Exec{}}, Log: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "the target's source changed since the run") {
		t.Errorf("resume after HEAD moved: %v", err)
	}
	// Without a move, the same run resumes.
	o.WorkDir = t.TempDir()
	interrupted()
	if _, err := Resume(context.Background(), o.WorkDir, Deps{Runner: &synth{real: gotool.Exec{}}, Log: io.Discard}); err != nil {
		t.Errorf("resume: %v", err)
	}
}
