package pgo

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"

	"github.com/gotune/gotune/internal/atomicfile"
)

// MergeFilesOptions configure MergeFiles.
type MergeFilesOptions struct {
	MergeOptions
	Files  []string // the profiles to merge, in order
	Output string   // where the merged profile goes
	Tool   string   // for the provenance: "gotune v1.2.3"
}

// MergeResult is what MergeFiles wrote.
type MergeResult struct {
	Profile    *profile.Profile
	Stats      MergeStats
	Provenance Provenance
	Output     string
	// ProvenancePath is where the provenance was written.
	ProvenancePath string
}

// MergeFiles reads the profiles in opts.Files, merges them with Merge, and
// writes the result to opts.Output (creating its folders) with a
// provenance file beside it that records the inputs' own provenance. The
// inputs' Go version, module and commit are passed on when they all share
// them.
func MergeFiles(opts MergeFilesOptions) (*MergeResult, error) {
	var inputs []Input
	var provs []Provenance
	for _, file := range opts.Files {
		data, p, err := readProfile(file)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, Input{Name: file, Profile: p, Bytes: int64(len(data))})
		provs = append(provs, ReadProvenance(file, data))
	}
	merged, data, st, err := Merge(inputs, opts.MergeOptions)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(opts.Output), 0o755); err != nil {
		return nil, inputErrorf("-o %s: %v", opts.Output, err)
	}
	if err := atomicfile.Write(opts.Output, data); err != nil {
		return nil, fmt.Errorf("writing %s: %v", opts.Output, err)
	}
	sm := Summarize(merged, 0)
	weights := "equal weights"
	if opts.Weights != nil {
		weights = "weights " + formatWeights(opts.Weights)
	}
	pv := Provenance{
		Tool: opts.Tool, Created: time.Now().UTC().Truncate(time.Second), Source: "merge",
		How:     fmt.Sprintf("gotune pgo merge of %d profile(s), %s, %.1f%% of CPU kept", len(inputs), weights, 100*st.KeptCPU),
		Command: mergeCommand(opts),
		Samples: sm.Samples, CPU: sm.CPU, Duration: sm.Duration, Merge: &st, Inputs: provs,
	}
	if opts.Ignore != nil {
		pv.How += ", ignoring " + opts.Ignore.String()
	}
	// Inputs made from one commit and toolchain pass them on.
	pv.GoVersion = common(provs, func(p Provenance) string { return p.GoVersion })
	pv.Module = common(provs, func(p Provenance) string { return p.Module })
	pv.Commit = common(provs, func(p Provenance) string { return p.Commit })
	if err := WriteProvenance(opts.Output, data, pv); err != nil {
		return nil, err
	}
	return &MergeResult{Profile: merged, Stats: st, Provenance: pv, Output: opts.Output, ProvenancePath: ProvenancePath(opts.Output)}, nil
}

// mergeCommand returns the gotune pgo merge command line of opts.
func mergeCommand(opts MergeFilesOptions) []string {
	args := []string{"gotune", "pgo", "merge", "-o", opts.Output}
	if opts.Weights != nil {
		args = append(args, "--weight", formatWeights(opts.Weights))
	}
	if opts.Keep != DefaultKeep && opts.Keep != 0 {
		args = append(args, "--keep", strconv.FormatFloat(opts.Keep, 'g', -1, 64))
	}
	if opts.Ignore != nil {
		args = append(args, "--ignore", opts.Ignore.String())
	}
	return append(args, opts.Files...)
}

// formatWeights returns weights as --weight takes them: 3,1.
func formatWeights(weights []float64) string {
	var w []string
	for _, x := range weights {
		w = append(w, strconv.FormatFloat(x, 'g', -1, 64))
	}
	return strings.Join(w, ",")
}

// common returns the value get gives every provenance, or "" when they
// differ.
func common(provs []Provenance, get func(Provenance) string) string {
	v := ""
	for i, p := range provs {
		if i == 0 {
			v = get(p)
		} else if get(p) != v {
			return ""
		}
	}
	return v
}
