package pgo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/gotune/gotune/internal/atomicfile"
	"github.com/gotune/gotune/internal/gotool"
)

// ApplyOptions configure Apply.
type ApplyOptions struct {
	Profile string   // path of the profile to apply
	Mains   []string // directories of the main packages that get a default.pgo
	Force   bool     // replace an existing default.pgo that differs
	// ProfilesDir keeps a copy of the profile and its provenance, as
	// Name.pprof and Name.provenance.json; "" keeps none.
	ProfilesDir string
	// Name is the kept profile's file name without extension: a plain
	// name, no folder; "" = "default".
	Name string
	// RepoRoot is the repository's top directory: paths in the provenance
	// are relative to it, and Apply refuses to write anywhere that
	// resolves, symbolic links followed, outside it. "" checks nothing.
	RepoRoot string
}

// Change is one file Apply wrote or left as it was.
type Change struct {
	Path   string
	Action string // "created", "replaced" or "unchanged"
}

// Apply validates the profile and writes it as default.pgo into every main
// package directory, each atomically (a temporary file, then a rename), so
// that `go build` (whose -pgo=auto is the default) uses it. It refuses,
// before writing anything, to replace a default.pgo that differs unless
// opts.Force is set, or to write anywhere outside opts.RepoRoot once
// symbolic links are followed (a committed profiles -> /elsewhere link, a
// default.pgo linked out of the repository, a --name with a folder in
// it). It also keeps the profile and its provenance (read from the
// profile's own provenance file when there is one) under
// opts.ProfilesDir. Every file is written or none is: when one write
// fails (a read-only or full file system), the files already written get
// their old contents back and the folders created are removed, and the
// error is returned without changes.
func Apply(opts ApplyOptions) ([]Change, error) {
	if _, err := os.Stat(opts.Profile); errors.Is(err, os.ErrNotExist) {
		return nil, inputErrorf("%s: no such file: give the path of the merged profile (gotune pgo merge -o FILE)", opts.Profile)
	}
	data, p, err := readProfile(opts.Profile)
	if err != nil {
		return nil, err
	}
	if err := Validate(opts.Profile, p); err != nil {
		return nil, err
	}
	if len(opts.Mains) == 0 {
		return nil, inputErrorf("no main package to apply the profile to: PGO applies to main packages; pass --main ./cmd/yourapp")
	}
	name := opts.Name
	if name == "" {
		name = "default"
	}
	if name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return nil, inputErrorf("--name %s: want a plain file name without a folder, e.g. api: the profile is kept as NAME.pprof in the profiles folder", opts.Name)
	}
	var writes []string
	for _, dir := range opts.Mains {
		writes = append(writes, filepath.Join(dir, "default.pgo"))
	}
	if opts.ProfilesDir != "" {
		keep := filepath.Join(opts.ProfilesDir, name+".pprof")
		writes = append(writes, keep, ProvenancePath(keep))
	}
	if err := inside(opts.RepoRoot, writes); err != nil {
		return nil, err
	}
	var changes []Change
	var conflicts []string
	for _, dir := range opts.Mains {
		dst := filepath.Join(dir, "default.pgo")
		old, err := os.ReadFile(dst)
		switch {
		case errors.Is(err, os.ErrNotExist):
			changes = append(changes, Change{Path: dst, Action: "created"})
		case err != nil:
			return nil, err
		case bytes.Equal(old, data):
			changes = append(changes, Change{Path: dst, Action: "unchanged"})
		case !opts.Force:
			conflicts = append(conflicts, rel(opts.RepoRoot, dst))
		default:
			changes = append(changes, Change{Path: dst, Action: "replaced"})
		}
	}
	if len(conflicts) > 0 {
		return nil, inputErrorf("%s already holds a different profile: pass --force to replace it (its history is in git)", strings.Join(conflicts, ", "))
	}
	var applied []string
	for _, c := range changes {
		applied = append(applied, rel(opts.RepoRoot, c.Path))
	}
	tx := &transaction{}
	for _, c := range changes {
		if c.Action != "unchanged" {
			tx.add(c.Path, data)
		}
	}
	if opts.ProfilesDir != "" {
		keep := filepath.Join(opts.ProfilesDir, name+".pprof")
		pv := ReadProvenance(opts.Profile, data)
		pv.AppliedTo = applied
		pvData, err := encodeProvenance(keep, data, pv)
		if err != nil {
			return nil, err
		}
		pvPath := ProvenancePath(keep)
		changes = append(changes, Change{Path: keep, Action: tx.add(keep, data)}, Change{Path: pvPath, Action: tx.add(pvPath, pvData)})
		if err := tx.mkdir(opts.ProfilesDir); err != nil {
			return nil, err
		}
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return changes, nil
}

// transaction is a set of files written together: either every one is
// written, or none is changed. Each file is written atomically; when one
// fails, those already written get their old contents back (or are
// removed), and so are the folders created for them.
type transaction struct {
	writes []txWrite
	dirs   []string // created by mkdir, outermost first
}

type txWrite struct {
	path    string
	data    []byte
	old     []byte
	existed bool
}

// add plans writing data to path and returns what it will do: "created",
// "replaced", or "unchanged" (then nothing is written).
func (tx *transaction) add(path string, data []byte) string {
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, data):
		return "unchanged"
	case err == nil:
		tx.writes = append(tx.writes, txWrite{path: path, data: data, old: old, existed: true})
		return "replaced"
	}
	tx.writes = append(tx.writes, txWrite{path: path, data: data})
	return "created"
}

// mkdir creates dir and its missing parents now, remembering them for a
// rollback.
func (tx *transaction) mkdir(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append([]string{d}, missing...)
	}
	for _, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			tx.rollback(0)
			return writeError(d, err)
		}
		tx.dirs = append(tx.dirs, d)
	}
	return nil
}

// commit writes every planned file, or on the first failure undoes what
// it wrote and returns the failure.
func (tx *transaction) commit() error {
	for i, w := range tx.writes {
		if err := atomicfile.Write(w.path, w.data); err != nil {
			tx.rollback(i)
			return writeError(w.path, err)
		}
	}
	return nil
}

// rollback restores the first n planned files and removes the folders
// created, innermost first.
func (tx *transaction) rollback(n int) {
	for i := n - 1; i >= 0; i-- {
		w := tx.writes[i]
		if w.existed {
			atomicfile.Write(w.path, w.old)
		} else {
			os.Remove(w.path)
		}
	}
	for i := len(tx.dirs) - 1; i >= 0; i-- {
		os.Remove(tx.dirs[i])
	}
}

// inside returns an InputError naming the first of paths that resolves,
// symbolic links followed, outside root; nil when every one is inside, or
// root is "".
func inside(root string, paths []string) error {
	if root == "" {
		return nil
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		real, err := resolveWrite(abs)
		if err != nil {
			return fmt.Errorf("resolving %s: %v", p, err)
		}
		if !lexicallyInside(realRoot, real) {
			fix := "pass --profiles with a folder inside it"
			if lexicallyInside(root, abs) || lexicallyInside(realRoot, abs) {
				fix = "a symbolic link leads out of it: remove the link, or pass --profiles with a folder inside the repository"
			}
			return inputErrorf("refusing to write %s: it resolves to %s, outside the repository %s: gotune pgo apply writes only inside the target; %s", p, real, root, fix)
		}
	}
	return nil
}

// lexicallyInside reports whether the absolute path p is root or below
// it, as written.
func lexicallyInside(root, p string) bool {
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// resolveWrite returns the real path a write to the absolute path p would
// reach: symbolic links followed, dangling ones and missing folders
// included.
func resolveWrite(p string) (string, error) {
	for range 255 {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return real, nil
		}
		fi, err := os.Lstat(p)
		switch {
		case err == nil && fi.Mode()&fs.ModeSymlink != 0:
			// A dangling link: the write creates its target.
			target, err := os.Readlink(p)
			if err != nil {
				return "", err
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(p), target)
			}
			p = target
			continue
		case err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return "", err
		}
		// Missing: resolve its folder.
		dir := filepath.Dir(p)
		if dir == p {
			return p, nil
		}
		realDir, err := resolveWrite(dir)
		if err != nil {
			return "", err
		}
		return filepath.Join(realDir, filepath.Base(p)), nil
	}
	return "", &fs.PathError{Op: "resolve", Path: p, Err: syscall.ELOOP}
}

// rel returns path relative to root when it is inside it.
func rel(root, path string) string {
	if root == "" {
		return path
	}
	r, err := filepath.Rel(root, path)
	if err != nil || strings.HasPrefix(r, "..") {
		return path
	}
	return filepath.ToSlash(r)
}

// writeError explains a failed write of path. A target that cannot be
// written (read-only, or not the user's) is an InputError with the fix.
func writeError(path string, err error) error {
	if errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrPermission) {
		return inputErrorf("cannot write %s: %v: make the target writable, or copy the profile there yourself", path, errors.Unwrap(err))
	}
	return fmt.Errorf("writing %s: %v", path, err)
}

// ApplyModuleOptions configure ApplyModule.
type ApplyModuleOptions struct {
	Runner gotool.Runner // lists packages and asks git; nil = the real commands
	Dir    string        // -C: in the module; "" = the current directory
	// File is the profile; a relative path that does not exist here is
	// looked up in Dir.
	File string
	// Mains are main package directories, relative to Dir; nil = every
	// main package of the module.
	Mains []string
	Force bool
	// ProfilesDir keeps the profile and its provenance; "" = profiles/ at
	// the repository root (the module root outside git).
	ProfilesDir string
	// Name is the kept profile's file name without extension; "" = the
	// module path's last element.
	Name string
}

// Applied is what ApplyModule did.
type Applied struct {
	Module  Module
	Repo    string // the repository root: the changes' paths are shown relative to it
	Changes []Change
}

// ApplyModule applies a profile to the module at opts.Dir: it finds the
// module and its main packages (checking those given), the repository root
// and the defaults of ProfilesDir and Name, then calls Apply.
func ApplyModule(ctx context.Context, opts ApplyModuleOptions) (Applied, error) {
	if opts.Runner == nil {
		opts.Runner = gotool.Exec{}
	}
	dir := orDotDir(opts.Dir)
	m, err := FindModule(dir)
	if err != nil {
		return Applied{}, err
	}
	ap := Applied{Module: m}
	pkgs, err := ListPackages(ctx, opts.Runner, m.Root)
	if err != nil {
		return ap, err
	}
	mainDirs := map[string]bool{}
	var all []string
	for _, p := range pkgs {
		if p.Name == "main" {
			mainDirs[p.Dir] = true
			all = append(all, p.Dir)
		}
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return ap, err
	}
	var mains []string
	for _, md := range opts.Mains {
		d := md
		if !filepath.IsAbs(d) {
			d = filepath.Join(absDir, d)
		}
		d = filepath.Clean(d)
		if !mainDirs[d] {
			return ap, inputErrorf("--main %s: not a main package of module %s: give the directory of a package main (e.g. ./cmd/app)", md, m.Path)
		}
		mains = append(mains, d)
	}
	if opts.Mains == nil {
		if len(all) == 0 {
			return ap, inputErrorf("module %s has no main package: PGO applies to the main packages that go build links; pass --main", m.Path)
		}
		mains = all
	}
	ap.Repo = RepoRoot(ctx, opts.Runner, m.Root)
	if ap.Repo == "" {
		ap.Repo = m.Root
	}
	profilesDir := opts.ProfilesDir
	if profilesDir == "" {
		profilesDir = filepath.Join(ap.Repo, "profiles")
	}
	name := opts.Name
	if name == "" {
		name = path.Base(m.Path)
	}
	ap.Changes, err = Apply(ApplyOptions{Profile: resolveFile(opts.File, opts.Dir), Mains: mains, Force: opts.Force, ProfilesDir: profilesDir, Name: name, RepoRoot: ap.Repo})
	return ap, err
}
