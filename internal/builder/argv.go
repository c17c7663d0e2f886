// Package builder is the build stage of gotune: it turns each variant's
// settings into go command lines (pure functions, tested as slices), builds
// one test binary per variant and package with `go test -c` (in service
// mode, the server's main package with `go build`), and fingerprints
// the compiled code so that variants whose code is identical are measured
// once.
package builder

import (
	"sort"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
)

// CollectedProfile stands for the profile of a pgo=collect variant in its
// settings until the run has collected it.
const CollectedProfile = "<the collected profile>"

// The functions below take resolved settings (result.Variant.Build): pgo
// is off or a profile path.

// buildFlags returns the go build flags for s, in table order.
func buildFlags(s axis.Settings) []string {
	return s.Spec(axis.Build).Flags
}

// Env returns the environment a build of s runs with: GOAMD64 explicitly,
// then the variant's extra variables.
func Env(s axis.Settings) []string {
	return append([]string{}, s.Spec(axis.Build).Env...)
}

// TestArgs returns the argv that builds the test binary of pkg for s into
// out, with extra go flags (such as -overlay) after the settings' own.
func TestArgs(s axis.Settings, pkg, out string, extra ...string) []string {
	args := []string{"go", "test", "-c", "-o", out}
	args = append(args, buildFlags(s)...)
	args = append(args, extra...)
	return append(args, pkg)
}

// MainArgs returns the argv that builds the main package pkg for s into
// out with go build (service mode), extra go flags after the settings'.
func MainArgs(s axis.Settings, pkg, out string, extra ...string) []string {
	args := []string{"go", "build", "-o", out}
	args = append(args, buildFlags(s)...)
	args = append(args, extra...)
	return append(args, pkg)
}

// MainListArgs is ListArgs for a main package built with go build: the
// dependencies of the program, not of its test binary.
func MainListArgs(s axis.Settings, pkg string) []string {
	args := []string{"go", "list", "-export", "-deps", "-f", "{{if .Export}}{{.ImportPath}} {{.BuildID}}{{end}}"}
	args = append(args, buildFlags(s)...)
	return append(args, pkg)
}

// ListArgs returns the argv that compiles pkg's test binary dependencies for s
// and prints the build ID of every compiled package: the fingerprint input.
func ListArgs(s axis.Settings, pkg string) []string {
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
func DecisionArgs(s axis.Settings, pkg, module, out string) []string {
	const debug = "-m -d=pgodebug=1"
	modPat := module + "/..."
	var gc []string
	gcflags := s.Get(axis.GCFlags)
	pattern, flags := splitPattern(gcflags)
	switch {
	case gcflags == "":
		gc = []string{modPat + "=" + debug}
	case pattern == "all":
		gc = []string{gcflags, modPat + "=" + flags + " " + debug}
	case pattern == "":
		gc = []string{modPat + "=" + debug, flags + " " + debug}
	default:
		gc = []string{modPat + "=" + debug, pattern + "=" + flags + " " + debug}
	}
	args := []string{"go", "test", "-c", "-o", out}
	args = append(args, buildFlags(s.With(axis.GCFlags, ""))...)
	for _, g := range gc {
		args = append(args, "-gcflags="+g)
	}
	return append(args, pkg)
}

// MainDecisionArgs is DecisionArgs for a main package built with go build
// (service mode).
func MainDecisionArgs(s axis.Settings, pkg, module, out string) []string {
	args := DecisionArgs(s, pkg, module, out)
	return append([]string{"go", "build"}, args[3:]...)
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

// BuildLine returns the `go build` command a user types to get a variant
// with settings s (as written) and resolved profile for target: the
// environment, then only the flags that differ from a plain build.
// pgoDefault says whether `-pgo=auto` would find a default.pgo, so that
// "-pgo=off" is only printed when it changes something.
func BuildLine(s axis.Settings, profile, target string, pgoDefault bool) string {
	var parts []string
	sp := s.With(axis.PGO, "").Spec(axis.Build)
	for _, e := range sp.Env {
		if e == "GOAMD64=v1" {
			continue // the default
		}
		parts = append(parts, gotool.Quote(e))
	}
	parts = append(parts, "go", "build")
	for _, f := range sp.Flags {
		if f == "-pgo=off" {
			continue // the placeholder of the empty pgo above
		}
		parts = append(parts, gotool.Quote(f))
	}
	switch p := s.PGO(); p.Mode {
	case axis.PGOModeAuto:
		// The default since Go 1.21.
	case axis.PGOModeCollect:
		if profile == "" {
			profile = CollectedProfile
		}
		parts = append(parts, gotool.Quote("-pgo="+profile))
	case axis.PGOModeOff:
		if pgoDefault {
			parts = append(parts, "-pgo=off")
		}
	default:
		parts = append(parts, gotool.Quote("-pgo="+p.Path))
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
