package pgo

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// synth builds a Go-like CPU profile: sample types samples/count and
// cpu/nanoseconds, a 10 ms period, and one sample per stack with ticks
// samples. A stack is "leaf;caller;…;root"; every function starts on line
// 10 of <name>.go (0 with noStart) and calls on line 12.
type synth struct {
	duration time.Duration
	stacks   map[string]int64 // stack → ticks
	noStart  bool
	labels   map[string]string // labels on every sample
	startAt  map[string]int64  // start lines other than 10
}

func (s synth) profile() *profile.Profile {
	const period = int64(10 * time.Millisecond)
	p := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType:    &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:        period,
		DurationNanos: int64(s.duration),
		Mapping:       []*profile.Mapping{{ID: 1, Start: 0x400000, Limit: 0x800000, File: "/bin/x", HasFunctions: true, HasLineNumbers: true}},
	}
	funcs := map[string]*profile.Function{}
	locs := map[string]*profile.Location{}
	loc := func(name string) *profile.Location {
		if l := locs[name]; l != nil {
			return l
		}
		f := &profile.Function{ID: uint64(len(funcs) + 1), Name: name, SystemName: name, Filename: "/src/" + strings.ReplaceAll(name, "/", "_") + ".go", StartLine: 10}
		if v, ok := s.startAt[name]; ok {
			f.StartLine = v
		}
		if s.noStart {
			f.StartLine = 0
		}
		funcs[name] = f
		p.Function = append(p.Function, f)
		l := &profile.Location{ID: uint64(len(locs) + 1), Mapping: p.Mapping[0], Address: 0x400000 + uint64(len(locs))*16, Line: []profile.Line{{Function: f, Line: 12}}}
		locs[name] = l
		p.Location = append(p.Location, l)
		return l
	}
	for _, st := range sortedKeys(s.stacks) {
		smp := &profile.Sample{Value: []int64{s.stacks[st], s.stacks[st] * period}}
		for _, fn := range strings.Split(st, ";") {
			smp.Location = append(smp.Location, loc(fn))
		}
		if s.labels != nil {
			smp.Label = map[string][]string{}
			for k, v := range s.labels {
				smp.Label[k] = []string{v}
			}
		}
		p.Sample = append(p.Sample, smp)
	}
	return p
}

func sortedKeys(m map[string]int64) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// encoded returns p gzip-encoded.
func encoded(t *testing.T, p *profile.Profile) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// heap returns a heap profile, as /debug/pprof/heap serves.
func heap() *profile.Profile {
	f := &profile.Function{ID: 1, Name: "main.alloc", StartLine: 3}
	l := &profile.Location{ID: 1, Line: []profile.Line{{Function: f, Line: 4}}}
	return &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"}, {Type: "inuse_objects", Unit: "count"}, {Type: "inuse_space", Unit: "bytes"}},
		PeriodType: &profile.ValueType{Type: "space", Unit: "bytes"},
		Period:     512 * 1024,
		Sample:     []*profile.Sample{{Location: []*profile.Location{l}, Value: []int64{1, 64, 1, 64}}},
		Location:   []*profile.Location{l},
		Function:   []*profile.Function{f},
	}
}

// cpuShare returns the share of p's CPU whose stack holds fn.
func cpuShare(p *profile.Profile, fn string) float64 {
	i := cpuIndex(p)
	var all, in int64
	for _, s := range p.Sample {
		all += s.Value[i]
		for _, l := range s.Location {
			if l.Line[0].Function.Name == fn {
				in += s.Value[i]
				break
			}
		}
	}
	return float64(in) / float64(all)
}
