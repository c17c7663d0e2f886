package target

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/gotool"
)

// ArchiveArgs returns the argv that writes the tree of a revision to the
// tar file out: git archive, which reads objects only.
func ArchiveArgs(tree, out string) []string {
	return []string{"git", "archive", "--format=tar", "-o", out, tree}
}

// Export makes the source of rv available under srcDir, in a folder named
// after its tree hash, and returns the module root inside it: git archive
// writes the tree to a tar file, which is unpacked into a temporary
// folder and renamed into place, so that a folder of that name is always
// complete. A tree exported before is reused as it is. The repository is
// only read.
func (repo *Repo) Export(ctx context.Context, r gotool.Runner, rv Revision, srcDir string) (string, error) {
	if r == nil {
		r = gotool.Exec{}
	}
	if rv.Tree == "" {
		return "", errors.New("export: the worktree is not exported")
	}
	dest := filepath.Join(srcDir, rv.Tree)
	root := filepath.Join(dest, filepath.FromSlash(rv.Prefix))
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		now := time.Now()
		_ = os.Chtimes(dest, now, now) // recently used: kept by Prune
		return root, nil
	}
	if err := os.MkdirAll(srcDir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(srcDir, rv.Tree+".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	archive := tmp + ".tar"
	defer os.Remove(archive)
	// From the top level: in a folder below it, git archive would keep
	// only that folder's part of the tree.
	cmd := GitCmd(repo.Root)
	cmd.Args = ArchiveArgs(rv.Tree, archive)
	if _, err := r.Run(ctx, cmd); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("exporting %s with git archive: %s", rv.Rev, gitMessage(err))
	}
	if err := Untar(archive, tmp); err != nil {
		return "", fmt.Errorf("exporting %s: %v", rv.Rev, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		if fi, serr := os.Stat(dest); serr == nil && fi.IsDir() {
			return root, nil // another run exported it first
		}
		return "", err
	}
	return root, nil
}

// Untar unpacks the tar file at file into dir: directories, regular files
// with their executable bit, and symbolic links, as git archive writes
// them. A name that leads outside dir is an error.
func Untar(file, dir string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if name == "." && h.Typeflag == tar.TypeDir {
			continue
		}
		if !fs.ValidPath(name) {
			return fmt.Errorf("the archive holds %q, which leads outside its folder", h.Name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeReg:
			err = writeFile(p, tr, h.FileInfo().Mode().Perm()|0o600)
		case tar.TypeSymlink:
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = os.Symlink(h.Linkname, p)
			}
		default:
			// Global headers (the commit id) and anything git does not
			// write.
		}
		if err != nil {
			return err
		}
	}
}

// writeFile writes what r holds to a new file p with mode perm.
func writeFile(p string, r io.Reader, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// PruneExports removes the exported trees of srcDir beyond the keep most
// recently used, and the leftovers of interrupted exports.
func PruneExports(srcDir string, keep int) error {
	entries, err := os.ReadDir(srcDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	type tree struct {
		name string
		used time.Time
	}
	var trees []tree
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if strings.Contains(e.Name(), ".tmp-") {
			if time.Since(fi.ModTime()) > time.Hour {
				os.RemoveAll(filepath.Join(srcDir, e.Name()))
			}
			continue
		}
		if e.IsDir() {
			trees = append(trees, tree{e.Name(), fi.ModTime()})
		}
	}
	slices.SortFunc(trees, func(a, b tree) int { return b.used.Compare(a.used) })
	var errs []error
	for _, t := range trees[min(keep, len(trees)):] {
		if err := os.RemoveAll(filepath.Join(srcDir, t.name)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
