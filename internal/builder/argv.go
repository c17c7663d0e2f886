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
