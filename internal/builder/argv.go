// Package builder is the build stage of gotune: it turns each variant's
// settings into go command lines (pure functions, tested as slices), builds
// one test binary per variant and package with `go test -c`, and fingerprints
// the compiled code so that variants whose code is identical are measured
// once.
package builder

import (
	"sort"
	"strings"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
)

// CollectedProfile stands for the profile of a pgo=collect variant in its
// settings until the run has collected it.
const CollectedProfile = "<the collected profile>"

// buildFlags returns the go build flags for s, in a fixed order.
func buildFlags(s result.Settings) []string {
	var args []string
	if s.LDFlags != "" {
		args = append(args, "-ldflags="+s.LDFlags)
	}
	if s.GCFlags != "" {
		args = append(args, "-gcflags="+s.GCFlags)
	}
	pgo := s.PGO
	if pgo == "" {
		pgo = "off"
	}
	return append(args, "-pgo="+pgo)
}

// Env returns the environment a build of s runs with: GOAMD64 explicitly,
// then the variant's extra variables.
func Env(s result.Settings) []string {
	env := []string{}
	if s.GOAMD64 != "" {
		env = append(env, "GOAMD64="+s.GOAMD64)
	}
	return append(env, s.Env...)
}

// TestArgs returns the argv that builds the test binary of pkg for s into out.
func TestArgs(s result.Settings, pkg, out string) []string {
	args := []string{"go", "test", "-c", "-o", out}
	args = append(args, buildFlags(s)...)
	return append(args, pkg)
}

// ListArgs returns the argv that compiles pkg's test binary dependencies for s
// and prints the build ID of every compiled package: the fingerprint input.
func ListArgs(s result.Settings, pkg string) []string {
	args := []string{"go", "list", "-export", "-deps", "-test", "-f", "{{if .Export}}{{.ImportPath}} {{.BuildID}}{{end}}"}
	args = append(args, buildFlags(s)...)
	return append(args, pkg)
}

// DecisionArgs returns the argv of a throwaway build of pkg's test binary
// for s, into out, that makes the compiler report its PGO decisions
// (-m -d=pgodebug=1) for the packages of module, and only those. The extra
// flags change the compile action IDs of the module's packages, so their
// compiles miss the build cache the first time (later the go command
// replays a cached compile's output), while every other package comes
// from the cache of the variant's own build. The variant's own gcflags are
// kept for every package they applied to: for a package matched by several
// -gcflags patterns, the last one wins.
func DecisionArgs(s result.Settings, pkg, module, out string) []string {
	const debug = "-m -d=pgodebug=1"
	modPat := module + "/..."
	var gc []string
	pattern, flags := splitPattern(s.GCFlags)
	switch {
	case s.GCFlags == "":
		gc = []string{modPat + "=" + debug}
	case pattern == "all":
		gc = []string{s.GCFlags, modPat + "=" + flags + " " + debug}
	case pattern == "":
		gc = []string{modPat + "=" + debug, flags + " " + debug}
	default:
		gc = []string{modPat + "=" + debug, pattern + "=" + flags + " " + debug}
	}
	args := []string{"go", "test", "-c", "-o", out}
	if s.LDFlags != "" {
		args = append(args, "-ldflags="+s.LDFlags)
	}
	for _, g := range gc {
		args = append(args, "-gcflags="+g)
	}
	pgo := s.PGO
	if pgo == "" {
		pgo = "off"
	}
	return append(args, "-pgo="+pgo, pkg)
}

// splitPattern splits a -gcflags value into its package pattern ("" when
// it has none) and its flags.
func splitPattern(v string) (pattern, flags string) {
	v = strings.TrimSpace(v)
	if v == "" || v[0] == '-' {
		return "", v
	}
	if p, f, ok := strings.Cut(v, "="); ok {
		return p, f
	}
	return "", v
}

// BuildLine returns the `go build` command a user types to get s for target:
// the environment, then only the flags that differ from a plain build.
// pgoDefault says whether `-pgo=auto` would find a default.pgo, so that
// "-pgo=off" is only printed when it changes something.
func BuildLine(s result.Settings, target string, pgoDefault bool) string {
	var parts []string
	if s.GOAMD64 != "" && s.GOAMD64 != "v1" {
		parts = append(parts, "GOAMD64="+s.GOAMD64)
	}
	for _, e := range s.Env {
		parts = append(parts, gotool.Quote(e))
	}
	parts = append(parts, "go", "build")
	if s.LDFlags != "" {
		parts = append(parts, gotool.Quote("-ldflags="+s.LDFlags))
	}
	if s.GCFlags != "" {
		parts = append(parts, gotool.Quote("-gcflags="+s.GCFlags))
	}
	switch s.PGOName {
	case "auto", "":
		// The default since Go 1.21.
	case "collect":
		p := s.PGO
		if p == "" || p == "off" {
			p = CollectedProfile
		}
		parts = append(parts, gotool.Quote("-pgo="+p))
	case "off":
		if pgoDefault {
			parts = append(parts, "-pgo=off")
		}
	default:
		parts = append(parts, gotool.Quote("-pgo="+s.PGOName))
	}
	return strings.Join(append(parts, target), " ")
}

// codeLDFlags returns the linker flags that can change what a binary does:
// all but -s and -w, which only strip the symbol table and DWARF. They are
// part of the fingerprint, since -X rewrites string variables.
func codeLDFlags(ldflags string) []string {
	var keep []string
	for _, f := range strings.Fields(ldflags) {
		switch f {
		case "-s", "-w", "--s", "--w", "-s=true", "-w=true":
			continue
		}
		keep = append(keep, f)
	}
	return keep
}

// sortedEnv returns env sorted, for fingerprints.
func sortedEnv(env []string) []string {
	out := append([]string(nil), env...)
	sort.Strings(out)
	return out
}
