// Package pgo is gotune's profile-guided optimization stage: it collects CPU
// profiles (from the target's benchmarks, with -test.cpuprofile, or from a
// live service's /debug/pprof/profile endpoint), merges them into one
// profile (CPU samples only, inputs weighted equally, labels dropped, the
// coldest samples trimmed), validates that the compiler can use it, inspects
// it (hot functions, staleness against the current source), and applies it
// as default.pgo with a provenance file:
//
//	collect | fetch | files ──► Merge (normalise, weight, trim, validate) ──► profiles/ ──► default.pgo
//
// Profiles are read and written with github.com/google/pprof/profile. The
// package starts processes only through a gotool.Runner and never writes
// into the target repository, except in Apply, whose job it is.
package pgo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/google/pprof/profile"
)

// InputError is a problem with what the user gave: a file that is not a
// usable CPU profile, a bad flag value. The CLI exits with status 2 on it.
type InputError struct{ Err error }

func (e InputError) Error() string { return e.Err.Error() }
func (e InputError) Unwrap() error { return e.Err }

func inputErrorf(format string, args ...any) error {
	return InputError{fmt.Errorf(format, args...)}
}

// The sample types of a Go CPU profile. The compiler reads either.
const (
	cpuType     = "cpu"
	cpuUnit     = "nanoseconds"
	samplesType = "samples"
	samplesUnit = "count"
)

// Read reads and parses the profile at path. Its errors are one line naming
// the file and what to do; a missing, empty or corrupt file is an InputError.
func Read(path string) (*profile.Profile, int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, 0, inputErrorf("%s: no such file: give the path of a CPU profile", path)
		}
		return nil, 0, inputErrorf("%s: %v", path, err)
	}
	p, err := Parse(path, data)
	return p, int64(len(data)), err
}

// Parse parses a profile read from name (a path or URL, for messages).
func Parse(name string, data []byte) (*profile.Profile, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, inputErrorf("%s: empty file, not a profile: collect one again (gotune pgo collect, or pgo fetch from a service under load)", name)
	}
	p, err := profile.ParseData(data)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "parsing profile: ")
		return nil, inputErrorf("%s: not a pprof profile (%s): give a CPU profile written by go test -cpuprofile, runtime/pprof or /debug/pprof/profile", name, msg)
	}
	return p, nil
}

// cpuIndex returns the index of the CPU sample type of p: cpu/nanoseconds
// when present, else samples/count; -1 when p has neither.
func cpuIndex(p *profile.Profile) int {
	idx := -1
	for i, st := range p.SampleType {
		switch {
		case st.Type == cpuType && st.Unit == cpuUnit:
			return i
		case st.Type == samplesType && st.Unit == samplesUnit && idx < 0:
			idx = i
		}
	}
	return idx
}

// sampleTypes returns p's sample types as "type/unit" joined by ", ".
func sampleTypes(p *profile.Profile) string {
	var s []string
	for _, st := range p.SampleType {
		s = append(s, st.Type+"/"+st.Unit)
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// kind names the profile type for messages: "heap", "mutex", ….
func kind(p *profile.Profile) string {
	for _, st := range p.SampleType {
		switch st.Type {
		case "alloc_objects", "alloc_space", "inuse_objects", "inuse_space":
			return "a heap profile"
		case "contentions", "delay":
			return "a mutex or block profile"
		case "goroutine":
			return "a goroutine profile"
		}
	}
	return "not a CPU profile"
}

// CheckCPU returns an InputError when p has no CPU sample type, naming what
// it is instead.
func CheckCPU(name string, p *profile.Profile) error {
	if cpuIndex(p) >= 0 {
		return nil
	}
	return inputErrorf("%s is %s (sample types: %s): PGO needs a CPU profile (go test -cpuprofile, /debug/pprof/profile)", name, kind(p), sampleTypes(p))
}

// Validate checks that the compiler can use p for PGO: it has a CPU sample
// type, CPU samples, call edges (samples with a caller), and function start
// lines (the compiler keys call sites by their line offset from the start
// of the function, and rejects a profile that has none). name is used in
// messages.
func Validate(name string, p *profile.Profile) error {
	if err := CheckCPU(name, p); err != nil {
		return err
	}
	i := cpuIndex(p)
	var total, withStart, withCaller int64
	for _, s := range p.Sample {
		v := s.Value[i]
		if v <= 0 {
			continue
		}
		total += v
		if f := leaf(s); f != nil && f.StartLine != 0 {
			withStart += v
		}
		if frames(s) > 1 {
			withCaller += v
		}
	}
	switch {
	case total == 0:
		return inputErrorf("%s: empty profile: no CPU samples (was the program idle, or the profile stopped at once?): collect again under load", name)
	case withStart == 0:
		return inputErrorf("%s: no function start lines: the compiler rejects this profile; it was written by Go before 1.20 or by a tool that drops them: collect it again with a current Go", name)
	case withCaller == 0:
		return inputErrorf("%s: no call stacks (every sample is a single frame): PGO works on call edges, so the compiler would ignore it: collect a real CPU profile", name)
	}
	return nil
}

// leaf returns the innermost function of s, nil when unknown.
func leaf(s *profile.Sample) *profile.Function {
	if len(s.Location) == 0 || len(s.Location[0].Line) == 0 {
		return nil
	}
	return s.Location[0].Line[0].Function
}

// frames returns the number of frames of s, inlined ones included.
func frames(s *profile.Sample) int {
	n := 0
	for _, l := range s.Location {
		n += max(1, len(l.Line))
	}
	return n
}

// encode returns p written as a gzip-compressed profile.
func encode(p *profile.Profile) ([]byte, error) {
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
