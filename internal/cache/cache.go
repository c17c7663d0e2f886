// Package cache keeps what gotune built and measured, so that a rerun on an
// unchanged target does not build (or measure) again. It sits beside the
// builder in the pipeline:
//
//	variants ──► cache.BuildKey ──► hit: link the cached binaries ─┐
//	                               miss: builder ──► cache.StoreBuild ┴──► measure ──► stats ──► cache.StoreResult
//
// A build is keyed by the target's source hash (BuildListHash: every module
// of the build that is not in the module cache), the Go version, the
// variant's settings, the PGO profile's hash and the build environment; a
// result by the keys of all its builds, the run's settings and a host
// fingerprint. Entries are written to a temporary name and renamed, so that
// an interrupted write never leaves half an entry.
package cache

import (
	"github.com/gotune/gotune/internal/axis"

	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/atomicfile"
	"github.com/gotune/gotune/internal/result"
)

// version changes whenever the layout or the meaning of a key changes.
const version = "gotune-cache-1"

// DefaultKeep is how many build entries Prune keeps.
const DefaultKeep = 64

// Key returns the hex SHA-256 of kind and fields, each length-prefixed so
// that no two lists of fields collide.
func Key(kind string, fields ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", version, kind)
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// BuildInputs is everything that decides what `go test -c` produces for
// one variant.
type BuildInputs struct {
	Source    string // SourceHash of the target module
	GoVersion string // e.g. go1.26.8
	GOOS      string
	GOARCH    string
	Settings  axis.Settings // resolved (result.Variant.Build)
	// Profile is the hash of the PGO profile's content; "" without one.
	Profile  string
	Packages []string // import paths built, in order
	// Env is the build environment inherited from the user (GOFLAGS,
	// GOEXPERIMENT, CGO_ENABLED, CC, …) as KEY=VALUE.
	Env []string
}

// BuildKey returns the key of a build. Flags are compared as the go
// command splits them, and environment lists in any order; the profile is
// keyed by content, not by path.
func BuildKey(in BuildInputs) string {
	procEnv := slices.Clone(in.Env)
	slices.Sort(procEnv)
	pgo := axis.PGOOff
	if p := in.Settings.PGO(); p.File() {
		pgo = "profile:" + in.Profile
	}
	return Key("build", in.Source, in.GoVersion, in.GOOS, in.GOARCH,
		in.Settings.With(axis.PGO, pgo).Key(axis.Build),
		"packages="+strings.Join(in.Packages, " "),
		"procenv="+strings.Join(procEnv, "\x00"))
}

// HostFingerprint identifies the machine results were measured on.
func HostFingerprint(h result.Host, hostname string) string {
	return Key("host", hostname, h.GOOS, h.GOARCH, h.CPU, strconv.Itoa(h.NumCPU), h.GOAMD64Max)
}

// ResultKey returns the key of a run's result: its builds, how it was run
// (count, bench, benchtime, search, …, as fields) and the host.
func ResultKey(buildKeys []string, host string, settings ...string) string {
	return Key("result", append([]string{host, strings.Join(buildKeys, " ")}, settings...)...)
}

// SourceHash hashes every file of the module rooted at root: the path,
// executable bit and content of each regular file, the target of each
// symbolic link. Version-control folders and nested modules (folders with
// their own go.mod) are left out. It sees one module only: a build that
// also reads a directory replacement (replace … => ../lib) or the other
// modules of a go.work is keyed by BuildListHash, which hashes each of
// them this way.
func SourceHash(root string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".hg", ".svn", ".bzr":
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "link %q %q\n", rel, target)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "file %q %d %t\n", rel, info.Size(), info.Mode()&0o111 != 0)
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing the target's source: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// FileHash returns the hex SHA-256 of a file's content.
func FileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Cache is a folder of cached builds and results.
type Cache struct {
	Dir string
}

func (c Cache) buildDir(key string) string   { return filepath.Join(c.Dir, "builds", key) }
func (c Cache) resultPath(key string) string { return filepath.Join(c.Dir, "results", key+".json") }

// buildMeta is the meta.json of a cached build.
type buildMeta struct {
	Builds []result.Build `json:"builds"` // Binary holds the file name inside the entry
	Stored time.Time      `json:"stored"`
}

// LoadBuild returns the builds stored under key, with Binary pointing into
// the cache, and false when there is no complete entry.
func (c Cache) LoadBuild(key string) ([]result.Build, bool) {
	dir := c.buildDir(key)
	data, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		return nil, false
	}
	var m buildMeta
	if json.Unmarshal(data, &m) != nil || len(m.Builds) == 0 {
		return nil, false
	}
	for i := range m.Builds {
		b := &m.Builds[i]
		if b.Error != "" || b.Binary == "" || b.Binary != filepath.Base(b.Binary) {
			return nil, false
		}
		b.Binary = filepath.Join(dir, b.Binary)
		if _, err := os.Stat(b.Binary); err != nil {
			return nil, false
		}
	}
	now := time.Now()
	os.Chtimes(dir, now, now) // for Prune: recently used entries stay
	return m.Builds, true
}

// StoreBuild stores the binaries of a successful build under key: they are
// linked (or copied) into a temporary folder that is renamed into place.
// An entry already there is kept.
func (c Cache) StoreBuild(key string, builds []result.Build) error {
	if len(builds) == 0 {
		return errors.New("cache: no builds to store")
	}
	final := c.buildDir(key)
	if _, err := os.Stat(filepath.Join(final, "meta.json")); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), ".tmp-"+key[:min(len(key), 12)]+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	m := buildMeta{Stored: time.Now().UTC()}
	names := map[string]bool{}
	for _, b := range builds {
		if b.Error != "" {
			return fmt.Errorf("cache: build of %s failed; not stored", b.Package)
		}
		name := filepath.Base(b.Binary)
		if names[name] {
			return fmt.Errorf("cache: two binaries named %s", name)
		}
		names[name] = true
		if err := linkOrCopy(b.Binary, filepath.Join(tmp, name)); err != nil {
			return err
		}
		b.Binary, b.Cached = name, false
		m.Builds = append(m.Builds, b)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "meta.json"), data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		if _, serr := os.Stat(filepath.Join(final, "meta.json")); serr == nil {
			return nil // stored meanwhile by another run
		}
		return err
	}
	return nil
}

// Place links (or copies) cached binaries into dir and returns the builds
// with Binary in dir and Cached set.
func Place(builds []result.Build, dir string) ([]result.Build, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	out := make([]result.Build, len(builds))
	for i, b := range builds {
		dst := filepath.Join(dir, filepath.Base(b.Binary))
		os.Remove(dst)
		if err := linkOrCopy(b.Binary, dst); err != nil {
			return nil, err
		}
		b.Binary, b.Cached = dst, true
		out[i] = b
	}
	return out, nil
}

// linkOrCopy hard-links src to dst, or copies it when a link is not
// possible (another file system).
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// LoadResult returns the path of the result stored under key and whether
// there is one.
func (c Cache) LoadResult(key string) (string, bool) {
	p := c.resultPath(key)
	if _, err := os.Stat(p); err != nil {
		return "", false
	}
	return p, true
}

// StoreResult stores a finished run's result file under key, atomically.
func (c Cache) StoreResult(key string, data []byte) error {
	p := c.resultPath(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(p, data)
}

// Prune removes all but the keep most recently used build entries, and
// results older than the oldest build kept. It never fails a run: errors
// are ignored.
func (c Cache) Prune(keep int) {
	if keep <= 0 {
		keep = DefaultKeep
	}
	entries, err := os.ReadDir(filepath.Join(c.Dir, "builds"))
	if err != nil {
		return
	}
	type entry struct {
		name string
		mod  time.Time
	}
	var es []entry
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		es = append(es, entry{e.Name(), info.ModTime()})
	}
	if len(es) <= keep {
		return
	}
	slices.SortFunc(es, func(a, b entry) int { return b.mod.Compare(a.mod) })
	for _, e := range es[keep:] {
		os.RemoveAll(filepath.Join(c.Dir, "builds", e.name))
	}
	oldest := es[keep-1].mod
	results, _ := os.ReadDir(filepath.Join(c.Dir, "results"))
	for _, r := range results {
		if info, err := r.Info(); err == nil && info.ModTime().Before(oldest) {
			os.Remove(filepath.Join(c.Dir, "results", r.Name()))
		}
	}
}
