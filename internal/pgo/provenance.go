package pgo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/atomicfile"
	"github.com/gotune/gotune/internal/gotool"
)

// Provenance says where a profile came from: gotune writes one next to
// every profile it collects, fetches, merges or applies, as
// NAME.provenance.json beside NAME.pprof.
type Provenance struct {
	Profile   string    `json:"profile"` // file name of the profile it describes
	SHA256    string    `json:"sha256"`
	Bytes     int64     `json:"bytes"`
	Created   time.Time `json:"created"`
	Tool      string    `json:"tool"`                 // "gotune v1.2.3"
	GoVersion string    `json:"go_version,omitempty"` // the toolchain that built the profiled code
	Module    string    `json:"module,omitempty"`
	Commit    string    `json:"commit,omitempty"` // git HEAD of the profiled code; "+dirty" when it had changes
	// Source is how the profile was made: "collect" (benchmarks),
	// "fetch" (a live service), "merge", or "file" (given to gotune).
	Source  string   `json:"source"`
	How     string   `json:"how"`               // one line for people
	Command []string `json:"command,omitempty"` // the command or URL that produced it
	// Samples, CPU and Duration describe the profile's content.
	Samples  int           `json:"samples"`
	CPU      time.Duration `json:"cpu_ns"`
	Duration time.Duration `json:"duration_ns"`
	// Merge holds what a merge did; Inputs the provenance of its inputs.
	Merge     *MergeStats  `json:"merge,omitempty"`
	Inputs    []Provenance `json:"inputs,omitempty"`
	AppliedTo []string     `json:"applied_to,omitempty"` // default.pgo files written from it, relative to the repository
	// Refresh is the measurement that made `gotune pgo refresh` apply the
	// profile: its change against the profile it replaced, and why.
	Refresh *RefreshDecision `json:"refresh,omitempty"`
}

// ProvenancePath returns the provenance file of the profile at path:
// x.pprof → x.provenance.json.
func ProvenancePath(path string) string {
	ext := filepath.Ext(path)
	if ext != ".pprof" && ext != ".pgo" && ext != ".prof" && ext != ".pb" && ext != ".gz" {
		ext = ""
	}
	return strings.TrimSuffix(path, ext) + ".provenance.json"
}

// ReadProvenance reads the provenance file of the profile at path. A
// profile without one gets a minimal record (source "file"); data is the
// profile's bytes, for its hash.
func ReadProvenance(path string, data []byte) Provenance {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	if b, err := os.ReadFile(ProvenancePath(path)); err == nil {
		var pv Provenance
		if json.Unmarshal(b, &pv) == nil && pv.SHA256 == hash {
			return pv
		}
	}
	return Provenance{Profile: filepath.Base(path), SHA256: hash, Bytes: int64(len(data)), Source: "file", How: "given as " + path}
}

// WriteProvenance fills pv's file fields from data and writes it next to
// the profile at path. Every URL in its text fields and in those of its
// inputs is redacted (RedactURL) first: provenance files are committed,
// and a provenance written by an older gotune may hold a fetched URL's
// password or token.
func WriteProvenance(path string, data []byte, pv Provenance) error {
	b, err := encodeProvenance(path, data, pv)
	if err != nil {
		return err
	}
	return atomicfile.Write(ProvenancePath(path), b)
}

// encodeProvenance returns the provenance file WriteProvenance writes.
func encodeProvenance(path string, data []byte, pv Provenance) ([]byte, error) {
	pv = redactProvenance(pv)
	sum := sha256.Sum256(data)
	pv.Profile = filepath.Base(path)
	pv.SHA256 = hex.EncodeToString(sum[:])
	pv.Bytes = int64(len(data))
	b, err := json.MarshalIndent(pv, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// redactProvenance returns a copy of pv with the URLs in its text fields,
// its merge inputs' names and its inputs redacted.
func redactProvenance(pv Provenance) Provenance {
	pv.How = RedactText(pv.How)
	pv.Profile = RedactText(pv.Profile)
	if pv.Command != nil {
		cmd := make([]string, len(pv.Command))
		for i, a := range pv.Command {
			cmd[i] = RedactText(a)
		}
		pv.Command = cmd
	}
	if pv.Merge != nil {
		m := *pv.Merge
		m.Inputs = append([]InputStats(nil), m.Inputs...)
		for i := range m.Inputs {
			m.Inputs[i].Name = RedactText(m.Inputs[i].Name)
		}
		pv.Merge = &m
	}
	if pv.Inputs != nil {
		in := make([]Provenance, len(pv.Inputs))
		for i, p := range pv.Inputs {
			in[i] = redactProvenance(p)
		}
		pv.Inputs = in
	}
	return pv
}

// Commit returns the git commit of the repository holding dir, with
// "+dirty" when tracked files under dir (the profiled module) have
// uncommitted changes; "" when dir is not in a git repository or git is
// missing.
func Commit(ctx context.Context, r gotool.Runner, dir string) string {
	res, err := r.Run(ctx, gotool.Cmd{Args: []string{"git", "rev-parse", "HEAD"}, Dir: dir})
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(string(res.Stdout))
	if res, err := r.Run(ctx, gotool.Cmd{Args: []string{"git", "status", "--porcelain", "--untracked-files=no", "--", "."}, Dir: dir}); err == nil && len(strings.TrimSpace(string(res.Stdout))) > 0 {
		c += "+dirty"
	}
	return c
}

// RepoRoot returns the top directory of the git repository holding dir, or
// "" when there is none.
func RepoRoot(ctx context.Context, r gotool.Runner, dir string) string {
	res, err := r.Run(ctx, gotool.Cmd{Args: []string{"git", "rev-parse", "--show-toplevel"}, Dir: dir})
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(res.Stdout))
}
