package axis

import (
	"fmt"
	"go/version"
	"strings"
)

// Toolchain is a build axis: the Go release that builds the variant. A
// value is a release such as go1.27.3; the go command fetches it from the
// module proxy and caches it (GOTOOLCHAIN=go1.27.3). The empty value is
// the go command as the user runs it. Its flag is --go.
var Toolchain = &Axis{
	Name:  "toolchain",
	Flag:  "go",
	Kind:  Build,
	List:  true,
	Usage: "Go `releases` to build with, e.g. go1.26.8,go1.27.3: each is fetched by the go command (GOTOOLCHAIN) and checked with go version",
	Parse: ParseToolchain,
	Apply: envApply("GOTOOLCHAIN="),
}

// GOEXPERIMENT is a build axis: the experiments the toolchain compiles
// the variant with, e.g. greenteagc or greenteagc,jsonv2. A value may
// hold commas, so every --goexperiment gives one value.
var GOEXPERIMENT = &Axis{
	Name:  "goexperiment",
	Kind:  Build,
	Usage: "a GOEXPERIMENT `value` to build with, e.g. greenteagc or 'jsonv2,nogreenteagc'; repeat for more; '' = the toolchain's default; checked against each toolchain",
	Parse: ParseGOEXPERIMENT,
	Apply: envApply("GOEXPERIMENT="),
}

// GOEXPERIMENTPresets are the experiments people ask about for speed, as
// "value\tdescription" (shell completion of --goexperiment). Whether a
// toolchain knows one is checked against it before any build.
var GOEXPERIMENTPresets = []string{
	"nogreenteagc\tthe GC before Green Tea (Green Tea is the default from Go 1.26)",
	"greenteagc\tthe Green Tea GC (an experiment before Go 1.26)",
	"sizespecializedmalloc\tmalloc specialised per size class (the default from Go 1.27)",
	"nosizespecializedmalloc\tthe malloc before size specialisation",
	"runtimefreegc\tthe runtime frees memory more eagerly, with the compiler's help",
	"mapsplitgroup\tmaps store keys and values apart in a group (Go 1.27)",
	"norandomizedheapbase64\tno heap base randomisation (on by default from Go 1.26)",
}

// ParseToolchain checks a toolchain value and returns its normal form,
// go1.27.3: a Go release, with or without the go prefix. A language
// version such as go1.27 is refused from Go 1.21 on, where it names no
// release (the first is go1.21.0).
func ParseToolchain(s string) (string, error) {
	s = strings.TrimSpace(s)
	v := s
	if !strings.HasPrefix(v, "go") {
		v = "go" + v
	}
	switch {
	case s == "":
		return "", fmt.Errorf("empty toolchain: want a Go release such as go1.27.3")
	case !version.IsValid(v):
		return "", fmt.Errorf("%q is not a Go release: want one such as go1.27.3 or go1.28rc1 (as GOTOOLCHAIN takes it)", s)
	case version.Lang(v) == v && version.Compare(v, "go1.21") >= 0:
		return "", fmt.Errorf("%q is a language version, not a release: name a release such as %s.0", s, v)
	}
	return v, nil
}

// ParseGOEXPERIMENT checks the form of a GOEXPERIMENT value: experiment
// names (lower-case letters and digits, each may start with no to turn a
// default experiment off, or none) separated by commas. Whether a
// toolchain knows them is checked against the toolchain itself. "" is
// the toolchain's default.
func ParseGOEXPERIMENT(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var names []string
	for n := range strings.SplitSeq(s, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			return "", fmt.Errorf("%q: an empty experiment name between commas", s)
		}
		for _, c := range n {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				return "", fmt.Errorf("%q: %q is not an experiment name (lower-case letters and digits, e.g. greenteagc or nogreenteagc)", s, n)
			}
		}
		names = append(names, n)
	}
	return strings.Join(names, ","), nil
}

// GOEXPERIMENTOf returns the GOEXPERIMENT a variant with settings s
// builds with, from the goexperiment axis or its env, and where it comes
// from ("goexperiment" or "env"); "" when it sets none. Both at once is
// an error: one would silently win over the other.
func (s Settings) GOEXPERIMENTOf() (value, from string, err error) {
	inEnv := ""
	for _, kv := range strings.Fields(s.Get(Env)) {
		if v, ok := strings.CutPrefix(kv, "GOEXPERIMENT="); ok {
			inEnv = v
		}
	}
	ax := s.Get(GOEXPERIMENT)
	switch {
	case ax != "" && inEnv != "":
		return "", "", fmt.Errorf("GOEXPERIMENT is set twice, by goexperiment %q and by env GOEXPERIMENT=%s: set it one way", ax, inEnv)
	case ax != "":
		return ax, GOEXPERIMENT.Name, nil
	case inEnv != "":
		return inEnv, Env.Name, nil
	}
	return "", "", nil
}
