// Package rundir keeps the folder of one run and what lives in it, for
// the engine: a lock on the work dir, a state file that says how the run
// was started (to continue it), a journal of every trial and decision
// measure made, and the cache of finished results.
//
//	measure.Record ──► Journal.Append (one line, synced) ─┐
//	                                                        ├──► LoadJournal ──► measure.Options.Replay
//	run options    ──► WriteState (temporary file, rename) ┘
//
// The state file is replaced atomically; the journal only grows, one JSON
// line per record written with a single write and synced, so a kill can at
// worst cut its last line, which LoadJournal ignores.
package rundir

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gotune/gotune/internal/atomicfile"
	"github.com/gotune/gotune/internal/measure"
)

// stateVersion is the format of the state file and the journal.
const stateVersion = 1

// File names inside a run folder.
const (
	StateFile   = "state.json"
	JournalFile = "journal.jsonl"
)

// State describes a run that can be continued.
type State struct {
	Version int       `json:"version"`
	Started time.Time `json:"started"`
	Updated time.Time `json:"updated"`
	// Complete is set when the run finished: there is nothing to resume.
	Complete bool `json:"complete"`
	// Interrupted counts the times the run was stopped part way.
	Interrupted int `json:"interrupted,omitempty"`
	// Source is the target's source hash when the run started: a run is
	// not continued on changed code.
	Source string `json:"source"`
	// Options are the run's options, as the caller saved them.
	Options json.RawMessage `json:"options"`
	// Resume is the command that continues the run, for people.
	Resume string `json:"resume,omitempty"`
}

// WriteState writes the state file of runDir atomically.
func WriteState(runDir string, s State) error {
	s.Version = stateVersion
	s.Updated = time.Now().UTC().Truncate(time.Second)
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(runDir, StateFile), append(data, '\n'))
}

// ReadState reads the state file of runDir.
func ReadState(runDir string) (State, error) {
	var s State
	data, err := os.ReadFile(filepath.Join(runDir, StateFile))
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("%s: %v", filepath.Join(runDir, StateFile), err)
	}
	if s.Version != stateVersion {
		return s, fmt.Errorf("%s: format %d, this gotune reads %d", filepath.Join(runDir, StateFile), s.Version, stateVersion)
	}
	return s, nil
}

// ErrNothing is returned by Find when no run can be continued.
var ErrNothing = errors.New("no interrupted run to resume")

// FindInterrupted returns the newest run folder under workDir/runs whose state is not
// complete, with its state.
func FindInterrupted(workDir string) (string, State, error) {
	dirs, _ := filepath.Glob(filepath.Join(workDir, "runs", "*", StateFile))
	type cand struct {
		dir string
		s   State
	}
	var cs []cand
	for _, p := range dirs {
		dir := filepath.Dir(p)
		s, err := ReadState(dir)
		if err != nil || s.Complete {
			continue
		}
		cs = append(cs, cand{dir, s})
	}
	if len(cs) == 0 {
		return "", State{}, fmt.Errorf("%w in %s", ErrNothing, workDir)
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if c := b.s.Started.Compare(a.s.Started); c != 0 {
			return c
		}
		return bytes.Compare([]byte(b.dir), []byte(a.dir))
	})
	return cs[0].dir, cs[0].s, nil
}

// line is one journal line: a measure record and the stage it belongs to.
type line struct {
	Stage string `json:"stage"`
	measure.Record
}

// Journal appends records to a run's journal.
type Journal struct {
	mu  sync.Mutex
	f   *os.File
	err error
}

// OpenJournal opens the journal of runDir for appending, creating it.
func OpenJournal(runDir string) (*Journal, error) {
	f, err := os.OpenFile(filepath.Join(runDir, JournalFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &Journal{f: f}, nil
}

// Append writes one record of stage as one line and syncs it. The first
// error is kept (see Err) and later records are dropped: a journal with a
// gap would replay wrongly.
func (j *Journal) Append(stage string, r measure.Record) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return
	}
	data, err := json.Marshal(line{Stage: stage, Record: r})
	if err == nil {
		_, err = j.f.Write(append(data, '\n'))
	}
	if err == nil {
		err = j.f.Sync()
	}
	j.err = err
}

// Err returns the first error of Append.
func (j *Journal) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Close closes the journal.
func (j *Journal) Close() error {
	return j.f.Close()
}

// LoadJournal reads the journal of runDir and returns its records by stage, in
// order. A missing journal is empty; a last line cut by a kill is ignored,
// but a bad line before the last is an error.
func LoadJournal(runDir string) (map[string][]measure.Record, error) {
	f, err := os.Open(filepath.Join(runDir, JournalFile))
	if errors.Is(err, os.ErrNotExist) {
		return map[string][]measure.Record{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f)
}

func read(r io.Reader) (map[string][]measure.Record, error) {
	out := map[string][]measure.Record{}
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		data, err := br.ReadBytes('\n')
		if err == io.EOF {
			// A line without its newline was cut while being written.
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var l line
		if err := json.Unmarshal(data, &l); err != nil {
			if _, perr := br.Peek(1); perr == io.EOF {
				return out, nil // the last line, cut: ignore it
			}
			return nil, fmt.Errorf("journal line %d: %v", n, err)
		}
		out[l.Stage] = append(out[l.Stage], l.Record)
	}
}
