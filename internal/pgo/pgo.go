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
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"unicode"

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

// MaxProfileBytes bounds the size of a profile gotune reads, uncompressed:
// a CPU profile for PGO is a few MiB, and a larger file or body (a gzip
// bomb, an endless stream) is refused before it fills the memory. A gzip
// stream is measured as it is decompressed, without keeping what it
// expands to.
const MaxProfileBytes = 256 << 20

// tooLarge is the error of a profile over limit bytes.
func tooLarge(name string, limit int64, what string) error {
	return inputErrorf("%s: profile too large (over %d MiB%s): a CPU profile for PGO is a few MiB: check that this is one, or profile for fewer seconds", name, limit>>20, what)
}

// Read reads and parses the profile at path. Its errors are one line naming
// the file and what to do; a missing, empty, corrupt or too large file (see
// MaxProfileBytes) is an InputError.
func Read(path string) (*profile.Profile, int64, error) {
	data, p, err := readProfile(path)
	return p, int64(len(data)), err
}

// readProfile reads and parses the profile at path, as Read, and returns
// its bytes too.
func readProfile(path string) ([]byte, *profile.Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, inputErrorf("%s: no such file: give the path of a CPU profile", path)
		}
		return nil, nil, inputErrorf("%s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, nil, inputErrorf("%s is a directory: give the path of a CPU profile", path)
	} else if err == nil && fi.Mode().IsRegular() && fi.Size() > MaxProfileBytes {
		return nil, nil, tooLarge(path, MaxProfileBytes, "")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxProfileBytes+1))
	if err != nil {
		return nil, nil, inputErrorf("%s: %v", path, errors.Unwrap(err))
	}
	if len(data) > MaxProfileBytes {
		return nil, nil, tooLarge(path, MaxProfileBytes, "")
	}
	p, err := Parse(path, data)
	return data, p, err
}

// CheckFile says at once, without building anything, whether the file at
// path is a CPU profile the compiler can use for PGO: it returns nil, or an
// InputError of one line naming the file, the problem and the fix, worded
// as the pgo commands word it (no such file, empty file, not a pprof
// profile, profile too large, a heap profile, no CPU samples, no function
// start lines, no call stacks).
func CheckFile(path string) error {
	p, _, err := Read(path)
	if err != nil {
		return err
	}
	return Validate(path, p)
}

// Parse parses a profile read from name (a path or URL, for messages). A
// gzip-compressed profile is decompressed up to MaxProfileBytes.
func Parse(name string, data []byte) (*profile.Profile, error) {
	return parse(name, data, MaxProfileBytes)
}

// parse parses data, refusing it when it holds more than limit bytes
// uncompressed.
func parse(name string, data []byte, limit int64) (*profile.Profile, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, inputErrorf("%s: empty file, not a profile: collect one again (gotune pgo collect, or pgo fetch from a service under load)", name)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(name, limit, "")
	}
	if isGzip(data) {
		var err error
		data, err = gunzip(data, limit)
		switch {
		case errors.Is(err, errTooLarge):
			return nil, tooLarge(name, limit, " uncompressed")
		case err != nil:
			return nil, notProfile(name, "decompressing profile: "+err.Error())
		case isGzip(data):
			return nil, notProfile(name, "compressed twice")
		}
	}
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, notProfile(name, strings.TrimPrefix(err.Error(), "parsing profile: "))
	}
	return p, nil
}

func notProfile(name, why string) error {
	return inputErrorf("%s: not a pprof profile (%s): give a CPU profile written by go test -cpuprofile, runtime/pprof or /debug/pprof/profile", name, printable(why, 200))
}

func isGzip(data []byte) bool { return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b }

var errTooLarge = errors.New("too large")

// gunzip returns data decompressed, or errTooLarge as soon as it expands to
// more than limit bytes. It measures first, keeping nothing, then
// decompresses into a buffer of the measured size: a gzip bomb costs CPU
// up to limit bytes of output, not memory.
func gunzip(data []byte, limit int64) ([]byte, error) {
	n, err := gunzipTo(io.Discard, data, limit)
	if err != nil {
		return nil, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, n))
	if _, err := gunzipTo(buf, data, limit); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzipTo(w io.Writer, data []byte, limit int64) (int64, error) {
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, io.LimitReader(gz, limit+1))
	if err != nil {
		return n, err
	}
	if n > limit {
		return n, errTooLarge
	}
	return n, gz.Close()
}

// printable returns s on one line of at most max runes, without control
// characters: terminal escape sequences are dropped, other control
// characters (a carriage return, a tab, a newline) become spaces, and runs
// of spaces one. Text a service or a file sent goes through it before it
// is printed.
func printable(s string, max int) string {
	s = ansiEscape.ReplaceAllString(s, "")
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.IsControl(r) || r == '\uFFFD' || unicode.Is(unicode.Bidi_Control, r) {
			r = ' '
		}
		if r == ' ' {
			if space || n == 0 {
				continue
			}
			space = true
		} else {
			space = false
		}
		if n == max {
			return strings.TrimRight(b.String(), " ") + "…"
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimRight(b.String(), " ")
}

// ansiEscape matches terminal escape sequences: CSI (ESC [ … final byte),
// OSC (ESC ] … BEL or ESC \), two-byte escapes, and the one-byte CSI.
var ansiEscape = regexp.MustCompile(`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]`)

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
