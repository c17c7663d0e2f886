package target

import (
	"archive/tar"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/gotool"
)

// gitRepo makes a repository in a temporary folder whose commits are the
// given file sets, in order (a nil content deletes the file), and returns
// its folder.
func gitRepo(t *testing.T, commits ...map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git in PATH")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("init", "-q", "-b", "main")
	for i, files := range commits {
		for name, content := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if content == "\x00" {
				os.Remove(p)
				continue
			}
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run("add", "-A")
		run("commit", "-q", "-m", "commit "+string(rune('A'+i))+"\n\nbody")
	}
	return dir
}

const modFile = "module example.com/m\n\ngo 1.21\n"

func repoOf(t *testing.T, moduleRoot, dir string) *Repo {
	t.Helper()
	repo, err := FindRepo(context.Background(), gotool.Exec{}, &Target{ModuleRoot: moduleRoot, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

func TestResolveAndExport(t *testing.T) {
	dir := gitRepo(t,
		map[string]string{"README": "top\n", "mod/go.mod": modFile, "mod/a.go": "package m\n\nconst V = 1\n", "mod/cmd/x/main.go": "package main\n"},
		map[string]string{"mod/a.go": "package m\n\nconst V = 2\n", "README": "changed\n"},
	)
	ctx := context.Background()
	repo := repoOf(t, filepath.Join(dir, "mod"), filepath.Join(dir, "mod", "cmd", "x"))
	if repo.Prefix != "mod" || repo.Sub != filepath.Join("cmd", "x") {
		t.Errorf("repo = %+v, want prefix mod, sub cmd/x", repo)
	}
	old, err := repo.Resolve(ctx, nil, "HEAD~1")
	if err != nil {
		t.Fatal(err)
	}
	head, err := repo.Resolve(ctx, nil, "main")
	if err != nil {
		t.Fatal(err)
	}
	if old.Subject != "commit A" || head.Subject != "commit B" || old.WholeRepo || old.Tree == head.Tree || len(old.Commit) < 40 || !strings.HasPrefix(old.Commit, old.Short) {
		t.Errorf("revisions: %+v, %+v", old, head)
	}
	// The tree is the module's directory: a change elsewhere in the
	// repository does not change it.
	readme, err := repo.Resolve(ctx, nil, "HEAD")
	if err != nil || readme.Tree != head.Tree {
		t.Errorf("HEAD: %+v, %v", readme, err)
	}

	src := t.TempDir()
	root, err := repo.Export(ctx, nil, old, src)
	if err != nil {
		t.Fatal(err)
	}
	if root != filepath.Join(src, old.Tree) {
		t.Errorf("module root %s, want %s", root, filepath.Join(src, old.Tree))
	}
	if b, err := os.ReadFile(filepath.Join(root, "a.go")); err != nil || !strings.Contains(string(b), "V = 1") {
		t.Errorf("exported a.go = %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "x", "main.go")); err != nil {
		t.Error(err)
	}
	// A second export reuses the folder: git is not run again.
	fake := &gotool.Fake{}
	if again, err := repo.Export(ctx, fake, old, src); err != nil || again != root || len(fake.Calls) != 0 {
		t.Errorf("second export: %s, %v, %d git commands", again, err, len(fake.Calls))
	}
	if leftovers, _ := filepath.Glob(filepath.Join(src, "*tmp*")); len(leftovers) > 0 {
		t.Errorf("left behind: %v", leftovers)
	}
}

func TestResolveWholeRepo(t *testing.T) {
	dir := gitRepo(t, map[string]string{
		"lib/go.mod":  "module example.com/lib\n\ngo 1.21\n",
		"app/go.mod":  modFile + "\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n",
		"ws/a/go.mod": modFile, "ws/go.work": "go 1.21\n\nuse ./a\n",
		"plain/go.mod": modFile,
	})
	ctx := context.Background()
	for _, tt := range []struct {
		mod   string
		whole bool
	}{{"app", true}, {"ws/a", true}, {"plain", false}} {
		repo := repoOf(t, filepath.Join(dir, tt.mod), filepath.Join(dir, tt.mod))
		rv, err := repo.Resolve(ctx, nil, "HEAD")
		if err != nil {
			t.Fatal(err)
		}
		if rv.WholeRepo != tt.whole {
			t.Errorf("%s: WholeRepo = %v, want %v", tt.mod, rv.WholeRepo, tt.whole)
		}
		if !tt.whole {
			continue
		}
		root, err := repo.Export(ctx, nil, rv, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(root) != filepath.Base(tt.mod) {
			t.Errorf("%s: module root %s", tt.mod, root)
		}
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
			t.Error(err)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	dir := gitRepo(t,
		map[string]string{"README": "x\n"},
		map[string]string{"mod/go.mod": modFile},
	)
	ctx := context.Background()
	repo := repoOf(t, filepath.Join(dir, "mod"), filepath.Join(dir, "mod"))
	_, err := repo.Resolve(ctx, nil, "nosuch")
	if err == nil || !strings.Contains(err.Error(), `"nosuch" is not a commit of the repository`) {
		t.Errorf("unknown revision: %v", err)
	}
	if _, ok := err.(*Error); !ok {
		t.Errorf("unknown revision: %T, want an input error", err)
	}
	_, err = repo.Resolve(ctx, nil, "HEAD~1")
	if err == nil || !strings.Contains(err.Error(), "has no mod/go.mod: the module was not there in that commit") {
		t.Errorf("revision without the module: %v", err)
	}

	notRepo := t.TempDir()
	_, err = FindRepo(ctx, nil, &Target{ModuleRoot: notRepo, Dir: notRepo})
	if err == nil || !strings.Contains(err.Error(), "is not in a git repository") || strings.Contains(err.Error(), "\n") {
		t.Errorf("not a repository: %v", err)
	}
}

func TestWorktreeAndMergeBase(t *testing.T) {
	dir := gitRepo(t, map[string]string{"go.mod": modFile, "a.go": "package m\n"}, map[string]string{"a.go": "package m\n\n// B\n"})
	ctx := context.Background()
	repo := repoOf(t, dir, dir)
	wt, err := repo.Worktree(ctx, nil, "worktree")
	if err != nil || wt.Dirty || wt.Subject != "commit B" || wt.Tree != "" {
		t.Errorf("clean worktree: %+v, %v", wt, err)
	}
	index, _ := os.ReadFile(filepath.Join(dir, ".git", "index"))
	os.WriteFile(filepath.Join(dir, "a.go"), []byte("package m\n\n// C\n"), 0o644)
	if wt, err := repo.Worktree(ctx, nil, "worktree"); err != nil || !wt.Dirty {
		t.Errorf("changed worktree: %+v, %v", wt, err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, ".git", "index")); string(after) != string(index) {
		t.Error("git status rewrote the index")
	}
	mb, err := MergeBase(ctx, nil, dir, "HEAD", "HEAD~1")
	head1, _ := repo.Resolve(ctx, nil, "HEAD~1")
	if err != nil || mb != head1.Commit {
		t.Errorf("merge-base = %s, %v; want %s", mb, err, head1.Commit)
	}
	if _, err := MergeBase(ctx, nil, dir, "HEAD", "origin/nosuch"); err == nil || !strings.HasPrefix(err.Error(), "git merge-base HEAD origin/nosuch: ") {
		t.Errorf("merge-base of an unknown branch: %v", err)
	}
}

func TestUntarRefusesEscapes(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"../evil", "/abs"} {
		f := filepath.Join(dir, "x.tar")
		out, _ := os.Create(f)
		tw := tar.NewWriter(out)
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("x"))
		tw.Close()
		out.Close()
		if err := Untar(f, filepath.Join(dir, "out")); err == nil || !strings.Contains(err.Error(), "leads outside its folder") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPruneExports(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	for i, name := range []string{"a", "b", "c", "d.tmp-1"} {
		os.MkdirAll(filepath.Join(dir, name), 0o755)
		at := now.Add(-time.Duration(i) * 2 * time.Hour)
		os.Chtimes(filepath.Join(dir, name), at, at)
	}
	if err := PruneExports(dir, 2); err != nil {
		t.Fatal(err)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if !slices.Equal(left, []string{"a", "b"}) {
		t.Errorf("left %v, want the two most recent, [a b]", left)
	}
}

func TestArchiveArgs(t *testing.T) {
	if got := ArchiveArgs("abc123", "/w/src/x.tar"); !slices.Equal(got, []string{"git", "archive", "--format=tar", "-o", "/w/src/x.tar", "abc123"}) {
		t.Errorf("ArchiveArgs = %q", got)
	}
	if c := GitCmd("/d", "status"); !slices.Contains(c.Env, "GIT_OPTIONAL_LOCKS=0") || c.Dir != "/d" {
		t.Errorf("GitCmd = %+v", c)
	}
}
