package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
)

// Options configure Build.
type Options struct {
	Runner gotool.Runner
	// Dir is where the go command runs: the target directory; a variant
	// with a Revision builds in its revision's directory instead.
	Dir      string
	BinDir   string   // where test binaries go; outside the target
	Packages []string // import paths of the packages with benchmarks
	Dedupe   bool     // measure variants with identical compiled code once
	Log      io.Writer
	// Layout, when above 0, builds the variants in code layout Layout:
	// with Overlay, the -overlay file that pads the packages, into a
	// folder of their own; such builds are not fingerprinted (their code
	// is the layout-0 build's, moved).
	Layout  int
	Overlay string
	// Main builds each package as a program with go build (service mode)
	// instead of its test binary.
	Main bool
}

// Build builds every variant whose Status is StatusOK (or empty): one test
// binary per package. It fills Builds, marks variants whose build fails as
// StatusBuildFailed with the compiler's message, and, with Dedupe, sets
// SameCodeAs on each variant whose compiled code matches an earlier one's.
// One variant's failure never stops the others; only a cancelled context
// returns an error.
func Build(ctx context.Context, opts Options, variants []result.Variant) error {
	if opts.Runner == nil {
		opts.Runner = gotool.Exec{}
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	seen := map[string]string{} // variant fingerprint → first variant name
	slugs := map[string]bool{}
	n := 0
	for i := range variants {
		if variants[i].Status == "" || variants[i].Status == result.StatusOK {
			n++
		}
	}
	done := 0
	for i := range variants {
		v := &variants[i]
		if v.Status != "" && v.Status != result.StatusOK {
			continue
		}
		done++
		if opts.Layout > 0 {
			fmt.Fprintf(opts.Log, "build %d/%d %s (layout %d)\n", done, n, v.Name, opts.Layout)
		} else {
			fmt.Fprintf(opts.Log, "build %d/%d %s\n", done, n, v.Name)
		}
		v.Status = result.StatusOK
		v.Builds = v.Builds[:0]
		outDir := filepath.Join(opts.BinDir, Slug(v.Name))
		if opts.Layout > 0 {
			outDir = filepath.Join(outDir, fmt.Sprintf("layout-%d", opts.Layout))
		}
		if slugs[outDir] {
			outDir = fmt.Sprintf("%s-%d", outDir, i)
		}
		slugs[outDir] = true
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return err
		}
		for _, pkg := range opts.Packages {
			b, err := buildOne(ctx, opts, SourceDir(v, opts.Dir), v.Build(), pkg, outDir)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			v.Builds = append(v.Builds, b)
			if err != nil {
				v.Status = result.StatusBuildFailed
				v.Reason = err.Error()
				first, _, _ := strings.Cut(v.Reason, "\n")
				fmt.Fprintf(opts.Log, "  %s: build failed: %s\n", v.Name, first)
				break
			}
		}
		if v.Status != result.StatusOK || !opts.Dedupe {
			continue
		}
		fp := VariantFingerprint(v.Builds)
		if twin, ok := seen[fp]; ok {
			v.SameCodeAs = twin
			fmt.Fprintf(opts.Log, "  %s: same compiled code as %s: measured once\n", v.Name, twin)
		} else {
			seen[fp] = v.Name
		}
	}
	return nil
}

// VariantFingerprint returns the fingerprint of a variant's compiled code
// from its builds, one per package: equal fingerprints mean identical code.
func VariantFingerprint(builds []result.Build) string {
	h := sha256.New()
	for _, b := range builds {
		fmt.Fprintf(h, "%s %s\n", b.Package, b.Fingerprint)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Fingerprint compiles (or finds in the build cache) the test binary
// dependencies of pkgs under s, without linking, and returns the variant
// fingerprint Build would give them: a way to compare a variant's code
// with a build the matrix does not hold, such as the same settings with
// -pgo=off. A profile in s must have been through a build first: go list
// does not preprocess a profile the build cache has not seen.
func Fingerprint(ctx context.Context, r gotool.Runner, dir string, s axis.Settings, pkgs []string) (string, error) {
	return fingerprintOf(ctx, r, dir, s, pkgs, ListArgs)
}

// FingerprintMain is Fingerprint for main packages built with go build.
func FingerprintMain(ctx context.Context, r gotool.Runner, dir string, s axis.Settings, pkgs []string) (string, error) {
	return fingerprintOf(ctx, r, dir, s, pkgs, MainListArgs)
}

func fingerprintOf(ctx context.Context, r gotool.Runner, dir string, s axis.Settings, pkgs []string, list func(axis.Settings, string) []string) (string, error) {
	if r == nil {
		r = gotool.Exec{}
	}
	var builds []result.Build
	for _, pkg := range pkgs {
		res, err := r.Run(ctx, gotool.Cmd{Args: list(s, pkg), Dir: dir, Env: Env(s)})
		if err != nil {
			return "", errors.New(compilerMessage(err))
		}
		builds = append(builds, result.Build{Package: pkg, Fingerprint: fingerprint(res.Stdout, s)})
	}
	return VariantFingerprint(builds), nil
}

// SourceDir returns the directory v builds in: its revision's, else dir.
func SourceDir(v *result.Variant, dir string) string {
	if v.Revision != nil && v.Revision.Dir != "" {
		return v.Revision.Dir
	}
	return dir
}

func buildOne(ctx context.Context, opts Options, dir string, s axis.Settings, pkg, outDir string) (result.Build, error) {
	b := result.Build{Package: pkg, Binary: filepath.Join(outDir, binaryName(pkg, opts.Packages)), Layout: opts.Layout}
	env := Env(s)
	var extra []string
	if opts.Overlay != "" {
		extra = []string{"-overlay=" + opts.Overlay}
	}
	// go test -c runs first: go list does not preprocess a PGO profile the
	// build cache has not seen (it compiles as if the profile were empty),
	// so its build IDs describe the variant's code only once a build has
	// preprocessed the profile.
	buildArgs, listArgs := TestArgs, ListArgs
	if opts.Main {
		buildArgs, listArgs = MainArgs, MainListArgs
		b.Binary = strings.TrimSuffix(b.Binary, ".test")
	}
	res, err := opts.Runner.Run(ctx, gotool.Cmd{Args: buildArgs(s, pkg, b.Binary, extra...), Dir: dir, Env: env})
	secs := res.Duration.Seconds()
	if err != nil {
		b.Error = compilerMessage(err)
		return b, errors.New(b.Error)
	}
	fi, err := os.Stat(b.Binary)
	if err != nil {
		b.Error = fmt.Sprintf("%s wrote no binary for %s (a package without test files?)", strings.Join(buildArgs(s, pkg, "")[:2], " "), pkg)
		return b, errors.New(b.Error)
	}
	b.Size = fi.Size()
	if opts.Layout > 0 {
		b.Seconds = secs
		return b, nil
	}
	res, err = opts.Runner.Run(ctx, gotool.Cmd{Args: listArgs(s, pkg), Dir: dir, Env: env})
	b.Seconds = secs + res.Duration.Seconds()
	if err != nil {
		b.Error = compilerMessage(err)
		return b, errors.New(b.Error)
	}
	b.Fingerprint = fingerprint(res.Stdout, s)
	return b, nil
}

// binaryName returns the file name of pkg's test binary: its last path
// element, as go test -c names it, unless another package of the run ends in
// the same element (a/util, b/util), in which case the whole import path.
func binaryName(pkg string, all []string) string {
	base := path.Base(pkg)
	for _, other := range all {
		if other != pkg && path.Base(other) == base {
			return Slug(pkg) + ".test"
		}
	}
	return base + ".test"
}

// Slug turns a name into a file or directory name: a variant's
// "goamd64=v3,ldflags=-s -w" becomes "goamd64=v3,ldflags=-s_-w", an import
// path's "example.com/a/b" becomes "example.com_a_b".
func Slug(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("=,.+-", r) {
			return r
		}
		return '_'
	}, name)
}

// fingerprint hashes what the compiler produced for every package of the test
// binary — the content half of each build ID, which the go command computes
// from the compiled output — plus the linker flags that can change behaviour
// and the variant's extra environment. Linker flags -s and -w, which move
// rodata and so change bytes of .text without changing an instruction, are
// left out on purpose.
func fingerprint(listOut []byte, s axis.Settings) string {
	h := sha256.New()
	for _, line := range strings.Split(strings.TrimSpace(string(listOut)), "\n") {
		// "path actionID/contentID", or "path [pkg.test] actionID/contentID"
		// for a package compiled for one test binary, as every package is
		// under -pgo. The qualifier is left out so that a PGO build that
		// compiled the same code as a -pgo=off build has its fingerprint.
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		imp, id := f[0], f[len(f)-1]
		if _, content, ok := strings.Cut(id, "/"); ok {
			id = content
		}
		fmt.Fprintf(h, "%s %s\n", imp, id)
	}
	fmt.Fprintf(h, "ldflags %q\n", codeLDFlags(s.Get(axis.LDFlags)))
	fmt.Fprintf(h, "env %q\n", sortedEnv(strings.Fields(s.Get(axis.Env))))
	// As GOEXPERIMENT in env: the goexperiment axis. Two toolchains are
	// told apart by the build IDs (an object file names its compiler), so
	// that a release named twice (go1.26.8 and the local go1.26.8) is
	// measured once.
	if v := s.Get(axis.GOEXPERIMENT); v != "" {
		fmt.Fprintf(h, "goexperiment %q\n", v)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// CompilerMessage returns the useful part of a failed go command: its
// stderr without the go command's package headers, at most 12 lines.
func CompilerMessage(err error) string { return compilerMessage(err) }

func compilerMessage(err error) string {
	var ge *gotool.Error
	if errors.As(err, &ge) && strings.TrimSpace(ge.Stderr) != "" {
		var keep []string
		for _, l := range strings.Split(strings.TrimSpace(ge.Stderr), "\n") {
			if !strings.HasPrefix(l, "# ") { // the go command's package headers
				keep = append(keep, l)
			}
		}
		return firstLines(strings.Join(keep, "\n"), 12)
	}
	return err.Error()
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("… (%d more lines)", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}
