package pgo

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/pprof/profile"

	"github.com/gotune/gotune/internal/gotool"
)

// Summary describes a profile for `gotune pgo inspect`.
type Summary struct {
	SampleTypes string        `json:"sample_types"` // "samples/count, cpu/nanoseconds"
	Period      time.Duration `json:"period_ns"`
	Duration    time.Duration `json:"duration_ns"` // as recorded by the profiler
	Samples     int           `json:"samples"`     // distinct stacks with CPU
	CPU         time.Duration `json:"cpu_ns"`      // CPU time of all samples
	Functions   int           `json:"functions"`
	// StartLines is the share of CPU whose innermost function has a start
	// line; the compiler needs them to match call sites.
	StartLines float64 `json:"start_lines"`
	Top        []Func  `json:"top"` // hottest functions by flat CPU
}

// Func is one function's CPU in a profile.
type Func struct {
	Name string        `json:"name"`
	Flat time.Duration `json:"flat_ns"` // CPU with the function innermost
	Cum  time.Duration `json:"cum_ns"`  // CPU with the function anywhere on the stack
}

// Summarize returns the summary of p with its top hottest functions. p must
// have a CPU sample type (see CheckCPU).
func Summarize(p *profile.Profile, top int) Summary {
	sm := Summary{
		SampleTypes: sampleTypes(p),
		Period:      time.Duration(p.Period),
		Duration:    time.Duration(p.DurationNanos),
		Functions:   len(p.Function),
	}
	i := cpuIndex(p)
	if i < 0 {
		return sm
	}
	mult := int64(1)
	if p.SampleType[i].Type == samplesType && p.Period > 0 {
		mult = p.Period
	}
	flat := map[string]int64{}
	cum := map[string]int64{}
	var all, withStart int64
	for _, s := range p.Sample {
		v := s.Value[i] * mult
		if v <= 0 {
			continue
		}
		sm.Samples++
		all += v
		if f := leaf(s); f != nil {
			flat[f.Name] += v
			if f.StartLine != 0 {
				withStart += v
			}
		}
		seen := map[string]bool{}
		for _, l := range s.Location {
			for _, ln := range l.Line {
				if ln.Function != nil && !seen[ln.Function.Name] {
					seen[ln.Function.Name] = true
					cum[ln.Function.Name] += v
				}
			}
		}
	}
	sm.CPU = time.Duration(all)
	if all > 0 {
		sm.StartLines = float64(withStart) / float64(all)
	}
	for name, v := range flat {
		sm.Top = append(sm.Top, Func{Name: name, Flat: time.Duration(v), Cum: time.Duration(cum[name])})
	}
	slices.SortFunc(sm.Top, func(a, b Func) int {
		if c := cmp.Compare(b.Flat, a.Flat); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	if len(sm.Top) > top {
		sm.Top = sm.Top[:top]
	}
	return sm
}

// InspectOptions configure Inspect.
type InspectOptions struct {
	Runner gotool.Runner // lists the module's packages; nil = the real go command
	// File is the profile; a relative path that does not exist here is
	// looked up in Dir.
	File string
	// Dir is where the module to check staleness against is (-C); "" =
	// the current directory.
	Dir string
	Top int // hottest functions to list
}

// Inspection is what Inspect found.
type Inspection struct {
	File    string // the profile's path, as found
	Size    int64  // bytes on disk
	Summary Summary
	// Unusable says why the compiler cannot use the profile; nil when it
	// can.
	Unusable error
	// Module is the module staleness was measured against; nil outside a
	// module, when Staleness is nil too.
	Module    *Module
	Staleness *Staleness
	// StaleErr is why staleness could not be measured in Module.
	StaleErr error
}

// Inspect reads a CPU profile, summarises it, checks that the compiler can
// use it, and, inside a module, measures how stale it is against the
// module's current source. It fails when the file is not a CPU profile;
// an unusable CPU profile (no samples, no start lines) is described, with
// the reason in Unusable.
func Inspect(ctx context.Context, opts InspectOptions) (*Inspection, error) {
	if opts.Runner == nil {
		opts.Runner = gotool.Exec{}
	}
	file := resolveFile(opts.File, opts.Dir)
	p, size, err := Read(file)
	if err != nil {
		return nil, err
	}
	if err := CheckCPU(file, p); err != nil {
		return nil, err
	}
	in := &Inspection{File: file, Size: size, Summary: Summarize(p, opts.Top), Unusable: Validate(file, p)}
	m, err := FindModule(orDotDir(opts.Dir))
	if err != nil {
		return in, nil
	}
	in.Module = &m
	src, err := ModuleSource(ctx, opts.Runner, m.Root, m.Path)
	if err != nil {
		in.StaleErr = err
		return in, nil
	}
	st := Stale(p, src, opts.Top)
	in.Staleness = &st
	return in, nil
}

// resolveFile returns file, or file in dir when file is relative, dir is
// given and file does not exist here.
func resolveFile(file, dir string) string {
	if filepath.IsAbs(file) || dir == "" {
		return file
	}
	if _, err := os.Stat(file); err != nil {
		return filepath.Join(dir, file)
	}
	return file
}

func orDotDir(d string) string {
	if d == "" {
		return "."
	}
	return d
}
