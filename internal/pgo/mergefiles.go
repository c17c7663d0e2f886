package pgo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
	// ProvenancePath is where the provenance was written; "" when Output
	// is a device, a pipe or /dev/stdout, beside which nothing is written.
	ProvenancePath string
}

// MergeFiles reads the profiles in opts.Files, merges them with Merge, and
// writes the result to opts.Output (creating its folders) with a
// provenance file beside it that records the inputs' own provenance. The
// inputs' Go version, module and commit are passed on when they all share
// them. Output may be a device, a pipe or /dev/stdout: the profile is
// written through it, and no provenance is written.
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
	beside, err := writeOutput(opts.Output, data)
	if err != nil {
		return nil, err
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
	res := &MergeResult{Profile: merged, Stats: st, Provenance: pv, Output: opts.Output}
	if beside {
		if err := WriteProvenance(opts.Output, data, pv); err != nil {
			return nil, err
		}
		res.ProvenancePath = ProvenancePath(opts.Output)
	}
	return res, nil
}

// writeOutput writes data to the -o path through atomicfile.Write, and
// reports whether a provenance file goes beside it: not beside a device,
// a pipe or /dev/stdout. A failed write is an InputError naming the path,
// the reason and the fix.
func writeOutput(path string, data []byte) (beside bool, err error) {
	if err := atomicfile.Write(path, data); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		fix := "choose another -o"
		if errors.Is(err, syscall.ENOSPC) {
			fix = "free some space, or choose another -o"
		}
		return false, inputErrorf("cannot write %s: %v: %s", path, err, fix)
	}
	return !atomicfile.Special(path), nil
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

// MergeRaw merges the raw profiles of a collection (Collect's) with equal
// weights and the default trimming into out, written atomically, with its
// provenance: prov with Source merge, how (the merge for people) followed
// by the share of CPU kept, the merged profile's figures and the inputs'
// provenance. It returns the merge's figures.
func MergeRaw(raws []Raw, out, how string, prov Provenance) (MergeStats, error) {
	var inputs []Input
	var provs []Provenance
	for _, r := range raws {
		data, err := os.ReadFile(r.Path)
		if err != nil {
			return MergeStats{}, err
		}
		pp, err := Parse(r.Path, data)
		if err != nil {
			return MergeStats{}, err
		}
		inputs = append(inputs, Input{Name: r.Path, Profile: pp, Bytes: int64(len(data))})
		provs = append(provs, ReadProvenance(r.Path, data))
	}
	mp, data, st, err := Merge(inputs, MergeOptions{})
	if err != nil {
		return MergeStats{}, err
	}
	if err := atomicfile.Write(out, data); err != nil {
		return MergeStats{}, err
	}
	sm := Summarize(mp, 0)
	prov.Source = "merge"
	prov.How = fmt.Sprintf("%s, %.1f%% of CPU kept", how, 100*st.KeptCPU)
	prov.Created = time.Now().UTC().Truncate(time.Second)
	prov.Samples, prov.CPU, prov.Duration = sm.Samples, sm.CPU, sm.Duration
	prov.Merge, prov.Inputs = &st, provs
	return st, WriteProvenance(out, data, prov)
}
