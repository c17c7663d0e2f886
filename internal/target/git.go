package target

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/gotune/gotune/internal/gotool"
)

// The revisions of a target: its git repository, the commits a run
// compares (--rev, check --base), and their source, exported with git
// archive into the work dir (export.go). The repository is only read:
// no checkout, worktree, stash or ref is made, and every git command runs
// with GIT_OPTIONAL_LOCKS=0, so that not even git status refreshes the
// index.

// Repo is the git repository that holds a target module.
type Repo struct {
	// Root is the repository's top level; Prefix the module root's path
	// inside it, slash-separated ("examples/quotes", "" at the top); Sub
	// the target directory relative to the module root ("." when -C
	// names the module root).
	Root, Prefix, Sub string
	// dir is where git runs: the module root.
	dir string
}

// Revision is a revision of the target resolved in its repository.
type Revision struct {
	Rev     string // as given
	Commit  string // the full hash; for the worktree HEAD's, "" before the first commit
	Short   string // the abbreviated hash
	Subject string // the first line of the commit message
	// Tree is the hash of the tree to export: the module root's directory
	// in the commit, or the whole repository's tree when the module reads
	// files outside its directory (a replace directive with a path
	// leading out of it, or a go.work above it). "" for the worktree.
	Tree      string
	WholeRepo bool
	Dirty     bool // the worktree has uncommitted changes in the module
	// Prefix is the module root inside the exported tree: the repository
	// prefix when WholeRepo, else "".
	Prefix string
}

// GitCmd returns the git command with args run in dir, as data: git with
// optional locks off (git status does not refresh the index) and no
// prompt for credentials.
func GitCmd(dir string, args ...string) gotool.Cmd {
	return gotool.Cmd{Args: append([]string{"git"}, args...), Dir: dir, Env: []string{"GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0"}}
}

// git runs a git command in dir and returns its stdout without the final
// newline.
func git(ctx context.Context, r gotool.Runner, dir string, args ...string) (string, error) {
	res, err := r.Run(ctx, GitCmd(dir, args...))
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(res.Stdout), "\n"), nil
}

// gitMessage is the one line git said on stderr when a command failed.
func gitMessage(err error) string {
	var ge *gotool.Error
	if errors.As(err, &ge) {
		if s := strings.TrimSpace(ge.Stderr); s != "" {
			s = strings.TrimPrefix(firstLine(s), "fatal: ")
			return s
		}
	}
	return err.Error()
}

// FindRepo finds the git repository of t. Its errors are input problems
// (*Error): git missing, or t not in a repository.
func FindRepo(ctx context.Context, r gotool.Runner, t *Target) (*Repo, error) {
	if r == nil {
		r = gotool.Exec{}
	}
	out, err := git(ctx, r, t.ModuleRoot, "rev-parse", "--show-toplevel", "--show-prefix")
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, errorf("git is not installed (or not in PATH): comparing revisions reads them from the target's repository with git; install git")
		}
		msg := gitMessage(err)
		if strings.Contains(msg, "not a git repository") {
			return nil, errorf("%s is not in a git repository: comparing revisions needs the target's commits; run gotune in a git checkout of it", t.ModuleRoot)
		}
		return nil, errorf("reading the target's git repository: %s", msg)
	}
	lines := strings.Split(out, "\n")
	repo := &Repo{Root: lines[0], dir: t.ModuleRoot, Sub: "."}
	if len(lines) > 1 {
		repo.Prefix = strings.TrimSuffix(lines[1], "/")
	}
	if sub, err := filepath.Rel(t.ModuleRoot, t.Dir); err == nil {
		repo.Sub = sub
	}
	return repo, nil
}

// Resolve resolves a revision given to --rev or check --base to its
// commit and the tree to export. An unknown revision, or one that does
// not hold the module, is an input problem (*Error).
func (repo *Repo) Resolve(ctx context.Context, r gotool.Runner, rev string) (Revision, error) {
	if r == nil {
		r = gotool.Exec{}
	}
	rv := Revision{Rev: rev}
	commit, err := git(ctx, r, repo.dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		if ctx.Err() != nil {
			return rv, ctx.Err()
		}
		return rv, errorf("%q is not a commit of the repository %s: check its name (git log --oneline), or fetch it (git fetch origin %s)", rev, repo.Root, rev)
	}
	rv.Commit = commit
	if err := repo.describe(ctx, r, &rv); err != nil {
		return rv, err
	}
	gomod := path.Join(repo.Prefix, "go.mod")
	data, err := git(ctx, r, repo.dir, "cat-file", "blob", commit+":"+gomod)
	if err != nil {
		if ctx.Err() != nil {
			return rv, ctx.Err()
		}
		return rv, errorf("%s (%s %q) has no %s: the module was not there in that commit; compare revisions that hold it", rev, rv.Short, rv.Subject, gomod)
	}
	rv.WholeRepo = repo.Prefix == "" || readsOutside([]byte(data))
	if !rv.WholeRepo {
		// A go.work above the module puts it in a workspace: build the
		// revision as the repository does.
		var works []string
		for d := path.Dir(repo.Prefix); ; d = path.Dir(d) {
			works = append(works, path.Join(d, "go.work"))
			if d == "." {
				break
			}
		}
		found, err := git(ctx, r, repo.dir, append([]string{"ls-tree", "--full-tree", "--name-only", commit, "--"}, works...)...)
		if err != nil {
			return rv, fmt.Errorf("listing %s: %s", rev, gitMessage(err))
		}
		rv.WholeRepo = found != ""
	}
	spec := commit + ":" + repo.Prefix
	if rv.WholeRepo {
		spec = commit + "^{tree}"
		rv.Prefix = repo.Prefix
	}
	if rv.Tree, err = git(ctx, r, repo.dir, "rev-parse", "--verify", "--quiet", spec); err != nil {
		return rv, fmt.Errorf("finding the tree of %s: %s", rev, gitMessage(err))
	}
	return rv, nil
}

// Worktree describes the current files: HEAD's commit (none before the
// first commit) and whether the module has uncommitted changes.
func (repo *Repo) Worktree(ctx context.Context, r gotool.Runner, name string) (Revision, error) {
	if r == nil {
		r = gotool.Exec{}
	}
	rv := Revision{Rev: name}
	if commit, err := git(ctx, r, repo.dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err == nil {
		rv.Commit = commit
		if err := repo.describe(ctx, r, &rv); err != nil {
			return rv, err
		}
	}
	st, err := git(ctx, r, repo.dir, "status", "--porcelain", "--untracked-files=normal", "--", ".")
	if err != nil {
		return rv, fmt.Errorf("git status: %s", gitMessage(err))
	}
	rv.Dirty = st != ""
	return rv, nil
}

// describe fills the short hash and the subject of rv's commit.
func (repo *Repo) describe(ctx context.Context, r gotool.Runner, rv *Revision) error {
	short, err := git(ctx, r, repo.dir, "rev-parse", "--short", rv.Commit)
	if err != nil {
		return fmt.Errorf("reading commit %s: %s", rv.Commit, gitMessage(err))
	}
	rv.Short = short
	obj, err := git(ctx, r, repo.dir, "cat-file", "commit", rv.Commit)
	if err != nil {
		return fmt.Errorf("reading commit %s: %s", rv.Commit, gitMessage(err))
	}
	if _, msg, ok := strings.Cut(obj, "\n\n"); ok {
		rv.Subject = firstLine(msg)
	}
	return nil
}

// readsOutside reports whether a go.mod replaces a module with a directory
// outside the module's own (replace x => ../x, or an absolute path).
func readsOutside(gomod []byte) bool {
	mf, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		return true // the export must hold whatever it reads
	}
	for _, r := range mf.Replace {
		p := r.New.Path
		if r.New.Version != "" || !modfile.IsDirectoryPath(p) {
			continue
		}
		if filepath.IsAbs(p) || path.IsAbs(p) || p == ".." || strings.HasPrefix(filepath.ToSlash(p), "../") {
			return true
		}
	}
	return false
}

// MergeBase returns the best common ancestor of two revisions, as git
// merge-base prints it, run in dir.
func MergeBase(ctx context.Context, r gotool.Runner, dir, a, b string) (string, error) {
	if r == nil {
		r = gotool.Exec{}
	}
	out, err := git(ctx, r, dir, "merge-base", a, b)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", errorf("git is not installed (or not in PATH)")
		}
		msg := gitMessage(err)
		if msg == "" || strings.HasPrefix(msg, "git: exit status") {
			msg = "no common ancestor"
		}
		return "", errorf("git merge-base %s %s: %s", a, b, msg)
	}
	return firstLine(out), nil
}
