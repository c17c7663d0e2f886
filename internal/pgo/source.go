package pgo

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/pprof/profile"
	"golang.org/x/mod/modfile"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/target"
)

// Module is the Go module a pgo command works on.
type Module struct {
	Path string // module path
	Root string // directory holding go.mod
}

// FindModule returns the module at or above dir, reading its go.mod. It
// returns an InputError when there is none.
func FindModule(dir string) (Module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Module{}, err
	}
	for d := abs; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			path := modfile.ModulePath(data)
			if path == "" {
				return Module{}, inputErrorf("%s: no module line: add one with `go mod init`", filepath.Join(d, "go.mod"))
			}
			return Module{Path: path, Root: d}, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return Module{}, InputError{target.NotInModule(abs)}
		}
		d = parent
	}
}

// Package is one package of the target: its import path and directory.
type Package struct {
	ImportPath string
	Name       string
	Dir        string
	Files      []string // Go files, test files included
	XTestFiles []string // files of the external test package (ImportPath_test)
}

// ListPackages lists the packages of the module at root with the go
// command (through r).
func ListPackages(ctx context.Context, r gotool.Runner, root string) ([]Package, error) {
	res, err := r.Run(ctx, gotool.Cmd{Args: []string{"go", "list", "-e", "-json=ImportPath,Name,Dir,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles", "./..."}, Dir: root})
	if err != nil {
		var ge *gotool.Error
		if errors.As(err, &ge) && ge.Stderr != "" && ctx.Err() == nil {
			// The module as it stands (an inconsistent vendor/, a broken
			// go.mod): the go command's whole message says what to fix.
			return nil, inputErrorf("go list ./... in %s: %s", root, target.GoMessage(ge.Stderr))
		}
		return nil, fmt.Errorf("listing the module's packages: %w", err)
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(res.Stdout))
	for {
		var p struct {
			ImportPath, Name, Dir                        string
			GoFiles, CgoFiles, TestGoFiles, XTestGoFiles []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list output: %v", err)
		}
		pkgs = append(pkgs, Package{
			ImportPath: p.ImportPath, Name: p.Name, Dir: p.Dir,
			Files:      slices.Concat(p.GoFiles, p.CgoFiles, p.TestGoFiles),
			XTestFiles: p.XTestGoFiles,
		})
	}
	return pkgs, nil
}

// Source indexes the functions of a module's current source, so that a
// profile's functions can be checked against it.
type Source struct {
	Module string
	// Funcs maps an import path to its functions, keyed as the runtime
	// names them after the package: "F", "T.M" or "(*T).M".
	Funcs map[string]map[string]FuncPos
}

// FuncPos is where a function starts in the current source.
type FuncPos struct {
	File string // base name
	Line int64  // line of the func keyword, as the runtime's start line
}

// LoadSource parses the Go files of pkgs, the packages of module.
func LoadSource(module string, pkgs []Package) (*Source, error) {
	src := &Source{Module: module, Funcs: map[string]map[string]FuncPos{}}
	fset := token.NewFileSet()
	add := func(path, dir string, files []string) error {
		if len(files) == 0 {
			return nil
		}
		m := src.Funcs[path]
		if m == nil {
			m = map[string]FuncPos{}
			src.Funcs[path] = m
		}
		for _, f := range files {
			af, err := parser.ParseFile(fset, filepath.Join(dir, f), nil, parser.SkipObjectResolution)
			if err != nil {
				return fmt.Errorf("parsing %v", err)
			}
			for _, d := range af.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				m[funcKey(fd)] = FuncPos{File: f, Line: int64(fset.Position(fd.Pos()).Line)}
			}
		}
		return nil
	}
	for _, p := range pkgs {
		if err := add(p.ImportPath, p.Dir, p.Files); err != nil {
			return nil, err
		}
		if err := add(p.ImportPath+"_test", p.Dir, p.XTestFiles); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// funcKey returns the name of fd as the runtime prints it after the
// package path: F, T.M or (*T).M (type parameters left out).
func funcKey(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	ptr := false
	if st, ok := t.(*ast.StarExpr); ok {
		ptr, t = true, st.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	name := "?"
	if id, ok := t.(*ast.Ident); ok {
		name = id.Name
	}
	if ptr {
		return "(*" + name + ")." + fd.Name.Name
	}
	return name + "." + fd.Name.Name
}

// Staleness is how much of a profile's CPU no longer matches the current
// source. Shares are of the profile's whole CPU.
type Staleness struct {
	Module    string        `json:"module"`
	CPU       time.Duration `json:"cpu_ns"`     // the profile's CPU
	ModuleCPU float64       `json:"module_cpu"` // share with a module function on the stack
	// Missing is the share whose stack holds a module function that no
	// longer exists (renamed, deleted, or its package moved).
	Missing float64 `json:"missing"`
	// Moved is the share, of the rest, whose stack holds a module function
	// that now starts on another line or in another file. The compiler
	// matches call sites by their line offset from the function's start,
	// so a function that moved whole still matches, but one edited above a
	// hot call site does not.
	Moved        float64 `json:"moved"`
	MissingFuncs []Func  `json:"missing_funcs,omitempty"` // hottest first, by cumulative CPU
	MovedFuncs   []Func  `json:"moved_funcs,omitempty"`
}

// Stale returns the share of the module's CPU in the profile that runs
// through missing or moved functions; 0 when the module is not in it.
func (s Staleness) Stale() float64 {
	if s.ModuleCPU == 0 {
		return 0
	}
	return (s.Missing + s.Moved) / s.ModuleCPU
}

// StaleThreshold is the share of the module's CPU through missing or moved
// functions above which inspect advises refreshing a profile.
const StaleThreshold = 0.10

var (
	closurePart = regexp.MustCompile(`^(func|gowrap|deferwrap)\d+$|^\d+$`)
	rangeSuffix = regexp.MustCompile(`-range\d+$`)
)

// funcState is what the source says about one profile function.
type funcState int

const (
	notModule funcState = iota
	present
	moved
	missing
)

// check returns the state of the profile function f in src.
func (src *Source) check(f *profile.Function) funcState {
	name := strings.ReplaceAll(f.Name, "[...]", "")
	if name != src.Module && !strings.HasPrefix(name, src.Module+".") && !strings.HasPrefix(name, src.Module+"/") &&
		!strings.HasPrefix(name, src.Module+"_test.") {
		return notModule
	}
	pkg := ""
	for p := range src.Funcs {
		if strings.HasPrefix(name, p+".") && len(p) > len(pkg) {
			pkg = p
		}
	}
	if pkg == "" {
		return missing
	}
	parts := strings.Split(name[len(pkg)+1:], ".")
	closure := false
	for i := range parts {
		if s := rangeSuffix.ReplaceAllString(parts[i], ""); s != parts[i] {
			parts[i], closure = s, true
		}
	}
	for len(parts) > 1 && closurePart.MatchString(parts[len(parts)-1]) {
		parts, closure = parts[:len(parts)-1], true
	}
	if parts[0] == "init" || parts[0] == "glob" {
		return present // package initialisation: no function to match
	}
	pos, ok := src.Funcs[pkg][strings.Join(parts, ".")]
	if !ok && closure {
		// A closure of a function inlined into another is named after
		// both, e.g. (*Store).Aggregate.IDSet.All.func1: it exists as long
		// as the outermost function does.
		for n := len(parts) - 1; n > 0 && !ok; n-- {
			_, ok = src.Funcs[pkg][strings.Join(parts[:n], ".")]
		}
	}
	switch {
	case !ok:
		return missing
	case closure || f.StartLine == 0:
		return present
	case pos.Line != f.StartLine || (f.Filename != "" && filepath.Base(f.Filename) != pos.File):
		return moved
	}
	return present
}

// Stale measures p against src. p must have a CPU sample type.
func Stale(p *profile.Profile, src *Source, top int) Staleness {
	st := Staleness{Module: src.Module}
	i := cpuIndex(p)
	if i < 0 {
		return st
	}
	states := map[*profile.Function]funcState{}
	missingCum, movedCum := map[string]int64{}, map[string]int64{}
	var all, mod, miss, mov int64
	for _, s := range p.Sample {
		v := s.Value[i]
		if v <= 0 {
			continue
		}
		all += v
		worst := notModule
		seen := map[string]bool{}
		for _, l := range s.Location {
			for _, ln := range l.Line {
				f := ln.Function
				if f == nil {
					continue
				}
				state, ok := states[f]
				if !ok {
					state = src.check(f)
					states[f] = state
				}
				worst = max(worst, state)
				if !seen[f.Name] {
					seen[f.Name] = true
					switch state {
					case missing:
						missingCum[f.Name] += v
					case moved:
						movedCum[f.Name] += v
					}
				}
			}
		}
		switch worst {
		case missing:
			miss += v
			mod += v
		case moved:
			mov += v
			mod += v
		case present:
			mod += v
		}
	}
	if all == 0 {
		return st
	}
	st.CPU = time.Duration(all)
	st.ModuleCPU = float64(mod) / float64(all)
	st.Missing = float64(miss) / float64(all)
	st.Moved = float64(mov) / float64(all)
	st.MissingFuncs = topFuncs(missingCum, top)
	st.MovedFuncs = topFuncs(movedCum, top)
	return st
}

func topFuncs(cum map[string]int64, top int) []Func {
	var fs []Func
	for name, v := range cum {
		fs = append(fs, Func{Name: name, Cum: time.Duration(v)})
	}
	slices.SortFunc(fs, func(a, b Func) int {
		if c := cmp.Compare(b.Cum, a.Cum); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	if len(fs) > top {
		fs = fs[:top]
	}
	return fs
}
