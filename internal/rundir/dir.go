package rundir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/gotune/gotune/internal/cache"
	"github.com/gotune/gotune/internal/result"
)

// File names inside a run folder, besides the state and the journal.
const (
	RawFile    = "results.txt" // every trial in the Go benchmark format
	ResultFile = "result.json"
)

// Dir is the folder of one run, open for writing.
type Dir struct {
	Path    string
	State   State
	Journal *Journal
	Raw     *os.File    // RawFile, appended to
	info    os.FileInfo // of Path when opened, to notice it replaced
}

// Create makes the folder of a new run in workDir,
// runs/<started>-seed<seed>, writes its state, and opens its journal and
// raw results file, and points workDir/last at the new folder. The
// binaries of earlier runs stay until PruneEarlier.
func Create(workDir string, started time.Time, seed int64, st State) (*Dir, error) {
	path := filepath.Join(workDir, "runs", fmt.Sprintf("%s-seed%d", started.Format("20060102-150405"), seed))
	if _, err := os.Stat(path); err == nil {
		// Two runs of one seed in one second: keep both.
		path += "-" + strconv.FormatInt(time.Now().UnixNano()%1e6, 10)
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("creating the run folder: %v", err)
	}
	linkLast(workDir, path)
	if err := WriteState(path, st); err != nil {
		return nil, fmt.Errorf("writing the run's state: %v", err)
	}
	return open(path, st)
}

// Reopen opens the folder of an interrupted run to continue it.
func Reopen(path string, st State) (*Dir, error) {
	linkLast(filepath.Dir(filepath.Dir(path)), path)
	return open(path, st)
}

func open(path string, st State) (*Dir, error) {
	j, err := OpenJournal(path)
	if err != nil {
		return nil, fmt.Errorf("opening the run's journal: %v", err)
	}
	raw, err := os.OpenFile(filepath.Join(path, RawFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		j.Close()
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		j.Close()
		raw.Close()
		return nil, err
	}
	return &Dir{Path: path, State: st, Journal: j, Raw: raw, info: info}, nil
}

// Lost returns an error when d's folder is no longer the one opened: it
// was removed, renamed, or replaced (by a file, or by another folder)
// while the run went on. Nothing written there since is kept.
func (d *Dir) Lost() error {
	fi, err := os.Stat(d.Path)
	switch {
	case err == nil && os.SameFile(fi, d.info):
		return nil
	case err == nil && !fi.IsDir():
		return fmt.Errorf("the run folder %s was replaced by a file during the run", d.Path)
	case err == nil:
		return fmt.Errorf("the run folder %s was replaced by another folder during the run", d.Path)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("the run folder %s was removed during the run", d.Path)
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("the run folder %s was removed during the run: a folder above it is now a file", d.Path)
	}
	return fmt.Errorf("the run folder %s became unreadable during the run (%v)", d.Path, err)
}

// CloseRaw closes the raw results file, once.
func (d *Dir) CloseRaw() error {
	if d.Raw == nil {
		return nil
	}
	err := d.Raw.Close()
	d.Raw = nil
	if err != nil {
		return fmt.Errorf("writing %s: %v", filepath.Join(d.Path, RawFile), err)
	}
	return nil
}

// Close closes the journal and the raw file.
func (d *Dir) Close() {
	d.CloseRaw()
	d.Journal.Close()
}

// PruneEarlier removes the test binaries of the earlier runs of d's work
// dir: only the newest run keeps them (for `go version -m`, and for a
// check against it). Every run keeps its results.
func (d *Dir) PruneEarlier() {
	runs, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(d.Path)), "runs", "*", "bin"))
	for _, b := range runs {
		if filepath.Dir(b) != d.Path {
			os.RemoveAll(b)
		}
	}
}

// Adopt makes the binary at src, built by an earlier run, part of this
// run: it hard-links it (or copies it, across file systems) to
// bin/adopted/<rel> in the run folder, so that pruning the earlier run
// does not remove it, and returns the new path.
func (d *Dir) Adopt(src, rel string) (string, error) {
	dst := filepath.Join(d.Path, "bin", "adopted", rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	if err := os.Link(src, dst); err == nil {
		return dst, nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	return dst, os.WriteFile(dst, data, 0o755)
}

// linkLast points workDir/last at the newest run folder.
func linkLast(workDir, runDir string) {
	last := filepath.Join(workDir, "last")
	tmp := last + ".tmp"
	os.Remove(tmp)
	if err := os.Symlink(filepath.Join("runs", filepath.Base(runDir)), tmp); err == nil {
		os.Rename(tmp, last)
	}
}

// Results is gotune's cache of finished results, keyed by everything
// that decides what a run measures: reusing one answers an identical run
// at once.
type Results struct{ c cache.Cache }

// NewResults returns the result cache of a work dir.
func NewResults(workDir string) Results {
	return Results{c: cache.Cache{Dir: filepath.Join(workDir, "cache")}}
}

// Key returns the key of a run's result: its builds' keys, the host and
// the options that decide what it measures.
func Key(buildKeys []string, host result.Host, opts string) string {
	hostname, _ := os.Hostname()
	return cache.ResultKey(buildKeys, cache.HostFingerprint(host, hostname), opts)
}

// Load returns the cached result of key; false when there is none or it
// cannot be read.
func (r Results) Load(key string) (*result.Run, bool) {
	path, ok := r.c.LoadResult(key)
	if !ok {
		return nil, false
	}
	prev, err := result.ReadFile(path)
	if err != nil {
		return nil, false
	}
	return prev, true
}

// Store keeps the result file at path under key.
func (r Results) Store(key, path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return r.c.StoreResult(key, data)
}
