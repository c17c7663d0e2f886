package pgo

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"time"

	"github.com/google/pprof/profile"
)

// DefaultKeep is the share of CPU Merge keeps when it trims the coldest
// samples: the compiler's own hot-call-site threshold keeps the call edges
// that make up 99% of the profile's weight, so the coldest half percent
// changes no inlining decision, while in a long profile it holds many of
// the distinct stacks.
const DefaultKeep = 0.995

// MergeOptions configure Merge. The zero value weights the inputs equally
// and keeps DefaultKeep of the CPU.
type MergeOptions struct {
	// Weights gives each input's relative weight, in input order; nil
	// weights every input equally, whatever its duration: each input then
	// holds the same share of the merged CPU.
	Weights []float64
	// Keep is the share of CPU to keep, in (0, 1]: the coldest samples
	// beyond it are dropped. 0 means DefaultKeep; 1 keeps every sample.
	Keep float64
	// Ignore drops every sample with a frame whose function matches it, as
	// pprof's -ignore does, e.g. setup code that benchmarks repeat far more
	// often than production does. nil drops nothing.
	Ignore *regexp.Regexp
}

// Input is one profile to merge.
type Input struct {
	Name    string // path or URL, for messages
	Profile *profile.Profile
	Bytes   int64 // size of the file it was read from
}

// InputStats describes one input of a merge.
type InputStats struct {
	Name     string        `json:"name"`
	Bytes    int64         `json:"bytes"`
	Duration time.Duration `json:"duration_ns"` // as recorded by the profiler
	Samples  int           `json:"samples"`     // distinct stacks with CPU
	CPU      time.Duration `json:"cpu_ns"`      // CPU time of its samples, before --ignore
	Ignored  float64       `json:"ignored"`     // share of its CPU dropped by Ignore
	Weight   float64       `json:"weight"`      // its share of the merged CPU, 0..1
}

// MergeStats describes what Merge did.
type MergeStats struct {
	Inputs   []InputStats `json:"inputs"`
	Samples  int          `json:"samples"`   // distinct stacks after merging, before trimming
	Kept     int          `json:"kept"`      // distinct stacks after trimming
	KeptCPU  float64      `json:"kept_cpu"`  // share of the merged CPU kept by trimming
	Keep     float64      `json:"keep"`      // the trimming target
	Ignore   string       `json:"ignore"`    // the Ignore pattern, "" for none
	BytesIn  int64        `json:"bytes_in"`  // sizes of the inputs, added up
	BytesOut int64        `json:"bytes_out"` // size of the merged profile
}

// Merge merges CPU profiles into one that the compiler can use for PGO, and
// returns it with its gzip-compressed encoding. It keeps the CPU sample type
// only (as cpu/nanoseconds), drops labels, addresses and columns (the
// compiler reads functions, lines and start lines), drops samples matching
// opts.Ignore, scales each input so that it holds its weight's share of the
// CPU, merges, trims the coldest samples beyond opts.Keep of the CPU, and
// validates the result. The inputs are modified.
func Merge(inputs []Input, opts MergeOptions) (*profile.Profile, []byte, MergeStats, error) {
	st := MergeStats{Keep: opts.Keep}
	if st.Keep == 0 {
		st.Keep = DefaultKeep
	}
	if opts.Ignore != nil {
		st.Ignore = opts.Ignore.String()
	}
	switch {
	case len(inputs) == 0:
		return nil, nil, st, inputErrorf("no profiles to merge: give one or more CPU profile files")
	case st.Keep <= 0 || st.Keep > 1 || math.IsNaN(st.Keep):
		return nil, nil, st, inputErrorf("--keep %g: want a share of CPU in (0, 1], e.g. 0.995 (1 keeps every sample)", st.Keep)
	case opts.Weights != nil && len(opts.Weights) != len(inputs):
		return nil, nil, st, inputErrorf("--weight: %d weights for %d profiles: give one weight per profile, in order", len(opts.Weights), len(inputs))
	}
	weights := make([]float64, len(inputs))
	var wsum, wmax float64
	for i := range inputs {
		w := 1.0
		if opts.Weights != nil {
			w = opts.Weights[i]
		}
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, nil, st, inputErrorf("--weight %g for %s: want a positive number", w, inputs[i].Name)
		}
		weights[i], wsum, wmax = w, wsum+w, max(wmax, w)
	}

	totals := make([]int64, len(inputs))
	var tmax int64
	for i, in := range inputs {
		p := in.Profile
		if err := Validate(in.Name, p); err != nil {
			return nil, nil, st, err
		}
		is := InputStats{Name: in.Name, Bytes: in.Bytes, Duration: time.Duration(p.DurationNanos), Weight: weights[i] / wsum}
		if err := normalise(p); err != nil {
			return nil, nil, st, fmt.Errorf("%s: %v", in.Name, err)
		}
		before := total(p)
		is.CPU = time.Duration(before)
		if opts.Ignore != nil {
			p.FilterSamplesByName(nil, opts.Ignore, nil, nil)
		}
		totals[i] = total(p)
		is.Samples = len(p.Sample)
		if totals[i] == 0 {
			return nil, nil, st, inputErrorf("%s: no CPU samples left after --ignore %q: loosen the pattern or drop this profile", in.Name, st.Ignore)
		}
		is.Ignored = 1 - float64(totals[i])/float64(before)
		tmax = max(tmax, totals[i])
		st.BytesIn += in.Bytes
		st.Inputs = append(st.Inputs, is)
	}
	// Scale every input to its weight's share. The heaviest input of the
	// largest weight keeps its values, so nothing is rounded to zero that
	// the profiler recorded.
	var profs []*profile.Profile
	for i, in := range inputs {
		in.Profile.Scale(weights[i] / wmax * float64(tmax) / float64(totals[i]))
		profs = append(profs, in.Profile)
	}
	merged, err := profile.Merge(profs)
	if err != nil {
		return nil, nil, st, inputErrorf("merging: %v", err)
	}
	st.Samples = len(merged.Sample)
	merged, st.KeptCPU = trim(merged, st.Keep)
	st.Kept = len(merged.Sample)
	if err := Validate("the merged profile", merged); err != nil {
		return nil, nil, st, err
	}
	data, err := encode(merged)
	if err != nil {
		return nil, nil, st, err
	}
	st.BytesOut = int64(len(data))
	return merged, data, st, nil
}

// normalise rewrites p in place to hold one sample type, cpu/nanoseconds,
// without labels, addresses or columns.
func normalise(p *profile.Profile) error {
	i := cpuIndex(p)
	if i < 0 {
		return errors.New("no CPU sample type")
	}
	mult := int64(1)
	if st := p.SampleType[i]; st.Type == samplesType {
		// A sample count: one sample is one period of CPU.
		mult = p.Period
		if p.PeriodType == nil || p.PeriodType.Type != cpuType || p.PeriodType.Unit != cpuUnit || mult <= 0 {
			mult = int64(10 * time.Millisecond) // the Go runtime's 100 Hz
		}
	}
	keep := p.Sample[:0]
	for _, s := range p.Sample {
		v := s.Value[i] * mult
		if v <= 0 {
			continue
		}
		s.Value = []int64{v}
		s.Label, s.NumLabel, s.NumUnit = nil, nil, nil
		keep = append(keep, s)
	}
	p.Sample = keep
	p.SampleType = []*profile.ValueType{{Type: cpuType, Unit: cpuUnit}}
	p.DefaultSampleType = ""
	if p.PeriodType == nil || p.PeriodType.Type != cpuType || p.PeriodType.Unit != cpuUnit {
		p.PeriodType = &profile.ValueType{Type: cpuType, Unit: cpuUnit}
		p.Period = int64(10 * time.Millisecond)
	}
	return p.Aggregate(true, true, true, true, false, false)
}

// total returns the CPU of p's samples; p holds one sample type.
func total(p *profile.Profile) int64 {
	var t int64
	for _, s := range p.Sample {
		t += s.Value[0]
	}
	return t
}

// trim keeps the hottest samples of p that make up keep of its CPU (the
// sample that crosses the line is kept), drops the others and what only
// they referenced, and returns the result with the share of CPU kept.
func trim(p *profile.Profile, keep float64) (*profile.Profile, float64) {
	all := total(p)
	if keep >= 1 || all == 0 {
		return p, 1
	}
	order := make([]int, len(p.Sample))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		va, vb := p.Sample[a].Value[0], p.Sample[b].Value[0]
		switch {
		case va > vb:
			return -1
		case va < vb:
			return 1
		}
		return 0
	})
	want := int64(math.Ceil(keep * float64(all)))
	var cum int64
	n := 0
	for n < len(order) && cum < want {
		cum += p.Sample[order[n]].Value[0]
		n++
	}
	kept := make([]bool, len(p.Sample))
	for _, i := range order[:n] {
		kept[i] = true
	}
	var samples []*profile.Sample
	for i, s := range p.Sample {
		if kept[i] {
			samples = append(samples, s)
		}
	}
	p.Sample = samples
	return p.Compact(), float64(cum) / float64(all)
}
