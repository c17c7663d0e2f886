package pgo

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/google/pprof/profile"
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
