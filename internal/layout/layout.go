// Package layout perturbs the code layout of the test binaries gotune builds,
// so that the engine can measure a build setting under several layouts rather
// than under the one its binaries happen to have. It sits beside the build
// stage: for a perturbation k ≥ 1 it generates, for each listed package, a Go
// file of k empty functions that sorts ahead of the package's own files, a
// file that keeps them in the binary and sorts after them, and the JSON file
// that `go test -c -overlay=FILE` takes to add both. The target's directory
// is never written: the overlay maps paths that do not exist in the
// package's directory to generated files in a directory gotune owns. k = 0
// is the unperturbed build and needs no overlay.
//
// The compiler emits a package's functions in the order of its files (sorted
// by name) and the linker lays packages out in dependency order, so the
// padding moves every function of the package by exactly k×Step bytes on
// amd64 (and every package laid out after it by that plus the keeper's few
// words), without reordering
// anything. It does not move code laid out before the package: the standard
// library and the runtime the package imports. docs/layout.md has the
// measurements.
package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/gotune/gotune/internal/atomicfile"
)

// Step is how many bytes each unit of k adds ahead of a padded package's
// functions on amd64: one empty function, rounded up to the linker's
// function alignment. StepFor gives it for other architectures.
const Step = 32

// StepFor returns the bytes each unit of k adds on goarch: the linker's
// function alignment (cmd/link/internal/*/l.go funcAlign), which an empty
// function fills. It reports false for an architecture it does not know.
func StepFor(goarch string) (int, bool) {
	switch goarch {
	case "amd64":
		return Step, true
	case "386", "arm64", "loong64", "ppc64", "ppc64le", "s390x":
		return 16, true
	case "mips64", "mips64le", "riscv64":
		return 8, true
	case "arm":
		return 4, true
	}
	return 0, false
}

// fileBase is the name the padding file takes in a package directory when no
// file of the package sorts before it. It starts with a digit so that it sorts
// ahead of the usual file names; it must not start with '_' or '.' (the go
// command ignores such files) nor end in a GOOS or GOARCH suffix.
const fileBase = "0_gotune_layout.go"

// Ident is the prefix of every identifier the padding file declares.
const Ident = "zzGotuneLayout"

// keepBase is the name the keeper file takes when no file of the package
// sorts after it; KeepFileName puts more 'z's in front as needed.
const keepBase = "zz_gotune_layout_keep.go"

// Package is one package to pad: the package whose code the benchmarks run,
// not its external _test package.
type Package struct {
	// ImportPath names the package in errors.
	ImportPath string
	// Dir is the package's source directory, absolute.
	Dir string
	// Name is the package clause of the non-test package (go list .Name):
	// "quotes", not "quotes_test".
	Name string
	// Files are the names of the Go files in Dir (go list .GoFiles, .CgoFiles,
	// .TestGoFiles, .XTestGoFiles, .IgnoredGoFiles; base names or paths). The
	// padding file gets a name that none of them has and that sorts before
	// all of them. Nil means the default name.
	Files []string
}

// File is one generated padding file.
type File struct {
	// Target is the path the file takes in the overlay: inside the package's
	// directory, where no file exists.
	Target string
	// Name is the file's base name in the overlay directory.
	Name string
	// Source is the Go source.
	Source []byte
}

// FileName returns the name of the padding file for a package whose Go files
// are files: fileBase, behind as many extra '0's (up to 8) as it takes to
// sort before every one of them, so that the compiler emits the padding
// ahead of the package's functions. It fails when no such name exists, as
// for a file whose name starts with a character below '0' (such as '-').
func FileName(files []string) (string, error) {
	first := ""
	for i, f := range files {
		if b := filepath.Base(f); i == 0 || b < first {
			first = b
		}
	}
	name := fileBase
	for i := 0; first != "" && name >= first; i++ {
		if i == 8 {
			return "", fmt.Errorf("layout: no padding file name sorts before %q", first)
		}
		name = "0" + name
	}
	return name, nil
}

// KeepFileName returns the name of the keeper file for a package whose Go
// files are files: keepBase, behind as many extra 'z's (up to 8) as it
// takes to sort after every one of them.
func KeepFileName(files []string) (string, error) {
	last := ""
	for _, f := range files {
		if b := filepath.Base(f); b > last {
			last = b
		}
	}
	name := keepBase
	for i := 0; name <= last; i++ {
		if i == 8 {
			return "", fmt.Errorf("layout: no file name sorts after %q", last)
		}
		name = "z" + name
	}
	return name, nil
}

// Source returns the padding file of package name for perturbation k ≥ 1: k
// empty functions, each taking Step bytes of code, and a table of them
// that the compiler initializes statically (no code). KeepSource is the
// file that keeps the table reachable; it must sort after the package's
// own files so that the padding is the only code ahead of them.
func Source(name string, k int) ([]byte, error) {
	if k < 1 {
		return nil, fmt.Errorf("layout: padding needs k ≥ 1, got %d", k)
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gotune (internal/layout); DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "// This file puts %d empty functions (%d bytes on amd64) ahead of the package's\n", k, k*Step)
	fmt.Fprintf(&b, "// other functions, to measure its benchmarks under another code layout.\n\n")
	fmt.Fprintf(&b, "package %s\n\n", name)
	fmt.Fprintf(&b, "var %sPad = [...]func(){\n", Ident)
	for i := 0; i < k; i++ {
		fmt.Fprintf(&b, "\t%sPad%d,\n", Ident, i)
	}
	fmt.Fprintf(&b, "}\n")
	for i := 0; i < k; i++ {
		fmt.Fprintf(&b, "\nfunc %sPad%d() {}\n", Ident, i)
	}
	return b.Bytes(), nil
}

// KeepSource returns the file that keeps the padding of package name in the
// binary (the linker drops unreachable functions): an init function that
// stores the padding table in a variable. Its file sorts after the
// package's own files, so that its code (an init function, the same for
// every k) comes after theirs and moves none of them: the padded
// functions move by exactly k×Step bytes, and consecutive k differ in
// their 64-byte parity. Being last, the init function also takes the
// highest init number, so the package's own init functions and their
// closures keep their names (pkg.init.0.func1 …), which PGO profiles
// refer to.
func KeepSource(name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gotune (internal/layout); DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "// This file keeps the padding functions of gotune's code layouts in the binary.\n\n")
	fmt.Fprintf(&b, "package %s\n\n", name)
	fmt.Fprintf(&b, "var %sKeep []func()\n\n", Ident)
	fmt.Fprintf(&b, "func init() { %sKeep = %sPad[:] }\n", Ident, Ident)
	return b.Bytes(), nil
}

func checkName(name string) error {
	if name == "" || strings.HasSuffix(name, "_test") {
		return fmt.Errorf("layout: padding goes into a non-test package, got package name %q", name)
	}
	return nil
}

// Plan returns the files of perturbation k for pkgs, two per package (the
// padding, then its keeper), in the order given; nil for k = 0. It is pure.
func Plan(pkgs []Package, k int) ([]File, error) {
	if k < 0 {
		return nil, fmt.Errorf("layout: negative perturbation %d", k)
	}
	if k == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	var files []File
	for i, p := range pkgs {
		if !filepath.IsAbs(p.Dir) {
			return nil, fmt.Errorf("layout: package %s: directory %q is not absolute", p.ImportPath, p.Dir)
		}
		dir := filepath.Clean(p.Dir)
		if seen[dir] {
			return nil, fmt.Errorf("layout: package %s: directory %s listed twice", p.ImportPath, dir)
		}
		seen[dir] = true
		name, err := FileName(p.Files)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", p.ImportPath, err)
		}
		keepName, err := KeepFileName(p.Files)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", p.ImportPath, err)
		}
		src, err := Source(p.Name, k)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", p.ImportPath, err)
		}
		keep, err := KeepSource(p.Name)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", p.ImportPath, err)
		}
		files = append(files, File{
			Target: filepath.Join(dir, name),
			Name:   fmt.Sprintf("pad%d_%s.go", i, p.Name),
			Source: src,
		}, File{
			Target: filepath.Join(dir, keepName),
			Name:   fmt.Sprintf("keep%d_%s.go", i, p.Name),
			Source: keep,
		})
	}
	return files, nil
}

// OverlayJSON returns the -overlay file that adds files, whose generated
// copies are in dir (absolute): {"Replace": {target: dir/name, ...}}.
func OverlayJSON(dir string, files []File) ([]byte, error) {
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("layout: overlay directory %q is not absolute", dir)
	}
	replace := map[string]string{}
	for _, f := range files {
		replace[f.Target] = filepath.Join(dir, f.Name)
	}
	b, err := json.MarshalIndent(struct {
		Replace map[string]string
	}{replace}, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Overlay writes the padding files of perturbation k for pkgs and their
// overlay file, overlay.json, into dir (absolute; created if missing), and
// returns the overlay file's path for `go test -c -overlay=PATH` (and for
// `go list`, so fingerprints see the same code). For k = 0 it writes nothing
// and returns "": the unperturbed build takes no overlay.
func Overlay(dir string, pkgs []Package, k int) (string, error) {
	files, err := Plan(pkgs, k)
	if err != nil || len(files) == 0 {
		return "", err
	}
	if !filepath.IsAbs(dir) {
		return "", fmt.Errorf("layout: overlay directory %q is not absolute", dir)
	}
	ov, err := OverlayJSON(dir, files)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, f := range files {
		if err := atomicfile.Write(filepath.Join(dir, f.Name), f.Source); err != nil {
			return "", err
		}
	}
	path := filepath.Join(dir, "overlay.json")
	if err := atomicfile.Write(path, ov); err != nil {
		return "", err
	}
	return path, nil
}

// BuildFlags returns the go command flags that apply an overlay written by
// Overlay: none for "".
func BuildFlags(overlay string) []string {
	if overlay == "" {
		return nil
	}
	return []string{"-overlay=" + overlay}
}

// DefaultLayouts is the recommended number of layouts K: k = 0, 1, 2, 3
// puts the padded package's code at both 64-byte parities twice, at four
// offsets modulo 128 bytes (docs/layout.md).
const DefaultLayouts = 4

// Family is a set of layouts, each a perturbation k. The engine builds every
// variant once per k and measures each block-cycle (one pass over the
// benchmarks) under one k, the same for every variant; consecutive groups of
// len(Family) cycles each use every k once, so a run of whole groups is
// balanced and the between-layout spread enters the intervals.
type Family []int

// NewFamily returns the family of n layouts k = 0, 1, …, n−1: the
// unperturbed build and n−1 paddings Step bytes apart. Consecutive k differ
// in their 64-byte parity, which is what moved benchmarks in the
// measurements; a step of 64 bytes would never change it.
func NewFamily(n int) (Family, error) {
	if n < 1 {
		return nil, errors.New("layout: a family needs at least one layout")
	}
	f := make(Family, n)
	for i := range f {
		f[i] = i
	}
	return f, nil
}

// At returns the k of block-cycle i (i ≥ 0) in a run seeded by seed: cycles
// i and j of the same group (i/len(f) = j/len(f)) get different k, and the
// order within each group is a permutation drawn from (seed, group), so that
// a time trend does not line up with k and a run can be replayed.
func (f Family) At(cycle int, seed uint64) int {
	if len(f) == 0 {
		return 0
	}
	if cycle < 0 {
		cycle = 0
	}
	group := cycle / len(f)
	perm := rand.New(rand.NewPCG(seed, uint64(group))).Perm(len(f))
	return f[perm[cycle%len(f)]]
}
