// Package target describes the repository under test, the first stage of
// gotune's pipeline: its module (from go.mod), the toolchain's Go version, the
// packages that hold benchmarks, and the main packages with their default.pgo.
// It only reads; it never writes into the target.
package target

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/version"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/gotune/gotune/internal/gotool"
)

// MinPGOVersion is the first Go release with profile-guided optimization.
const MinPGOVersion = "go1.21"

// Target is the repository under test.
type Target struct {
	Dir        string    // directory the user pointed at (-C), absolute
	ModuleRoot string    // directory holding go.mod
	Module     string    // module path
	ModGo      string    // the go directive, e.g. "1.26"
	GoVersion  string    // the toolchain's version, e.g. "go1.26.8"
	Packages   []Package // packages matched by the patterns that have benchmarks
	Mains      []Main    // main packages of the module
}

// Package is one package with benchmarks.
type Package struct {
	ImportPath string
	Dir        string
	Benchmarks []string // top-level benchmark function names
	// Name is the package clause of its non-test files, and Files the
	// names of every Go file in Dir: what a generated file added to the
	// package must fit in with (layout padding).
	Name  string
	Files []string
}

// Main is one main package of the module.
type Main struct {
	ImportPath string
	Dir        string
	DefaultPGO string // path of its default.pgo, "" when none
}

// Error is an input problem: the target is not usable as given. The CLI exits
// with status 2 on it.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Options configure Load.
type Options struct {
	Dir      string   // -C; "" = current directory
	Patterns []string // package patterns; empty = ./...
	// NoBenchmarks loads a target without benchmarks (service mode
	// measures a main package instead).
	NoBenchmarks bool
	Runner       gotool.Runner
}

// Load inspects the target: it finds go.mod at or above Dir, asks the go
// command for the toolchain version and the packages, and finds their
// benchmarks by parsing the test files.
func Load(ctx context.Context, opts Options) (*Target, error) {
	if opts.Runner == nil {
		opts.Runner = gotool.Exec{}
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, errorf("%s: no such directory: check the -C flag", dir)
	}
	t := &Target{Dir: dir}
	gomod, err := findGoMod(dir)
	if err != nil {
		return nil, err
	}
	t.ModuleRoot = filepath.Dir(gomod)
	data, err := os.ReadFile(gomod)
	if err != nil {
		return nil, err
	}
	mf, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return nil, errorf("%v: fix go.mod, then run gotune again", err)
	}
	if mf.Module == nil {
		return nil, errorf("%s: no module line: add one with `go mod init`", gomod)
	}
	t.Module = mf.Module.Mod.Path
	if mf.Go != nil {
		t.ModGo = mf.Go.Version
	}

	res, err := opts.Runner.Run(ctx, gotool.Cmd{Args: []string{"go", "env", "GOVERSION"}, Dir: dir})
	if err != nil {
		return nil, fmt.Errorf("asking the go command for its version: %w", err)
	}
	t.GoVersion = strings.TrimSpace(string(res.Stdout))
	if !version.IsValid(t.GoVersion) {
		return nil, fmt.Errorf("the go command reports an unknown version %q", t.GoVersion)
	}

	patterns := opts.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	pkgs, err := list(ctx, opts.Runner, dir, patterns)
	if err != nil {
		return nil, err
	}
	for _, p := range pkgs {
		benches, err := findBenchmarks(p.Dir, p.testFiles())
		if err != nil {
			return nil, err
		}
		if len(benches) > 0 {
			t.Packages = append(t.Packages, Package{ImportPath: p.ImportPath, Dir: p.Dir, Benchmarks: benches, Name: p.Name, Files: p.files()})
		}
	}
	if len(t.Packages) == 0 && !opts.NoBenchmarks {
		return nil, errorf("no benchmarks in %s (module %s): gotune measures Go benchmarks (func BenchmarkX(b *testing.B) in _test.go files); add some or point at other packages", strings.Join(patterns, " "), t.Module)
	}

	all, err := list(ctx, opts.Runner, t.ModuleRoot, []string{"./..."})
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.Name != "main" {
			continue
		}
		m := Main{ImportPath: p.ImportPath, Dir: p.Dir}
		if fi, err := os.Stat(filepath.Join(p.Dir, "default.pgo")); err == nil && fi.Mode().IsRegular() {
			m.DefaultPGO = filepath.Join(p.Dir, "default.pgo")
		}
		t.Mains = append(t.Mains, m)
	}
	return t, nil
}

// DefaultPGO returns the profile that `go build -pgo=auto` would use for the
// module's main packages: the first main package's default.pgo, "" when none.
func (t *Target) DefaultPGO() string {
	for _, m := range t.Mains {
		if m.DefaultPGO != "" {
			return m.DefaultPGO
		}
	}
	return ""
}

// SupportsPGO reports whether the toolchain has profile-guided optimization.
func (t *Target) SupportsPGO() bool { return version.Compare(t.GoVersion, MinPGOVersion) >= 0 }

// BuildTarget returns the package pattern a user builds for a release: the
// single main package when there is one, else ./... (relative to Dir).
func (t *Target) BuildTarget() string {
	if len(t.Mains) == 1 {
		if rel, err := filepath.Rel(t.Dir, t.Mains[0].Dir); err == nil && !strings.HasPrefix(rel, "..") {
			if rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		return t.Mains[0].ImportPath
	}
	return "./..."
}

func findGoMod(dir string) (string, error) {
	for d := dir; ; {
		p := filepath.Join(d, "go.mod")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", NotInModule(dir)
		}
		d = parent
	}
}

// NotInModule returns the error for dir, an absolute directory with no
// go.mod at or above it. When a go.work is at or above it (a workspace
// root, or a folder of one outside its modules), the error says so and
// names the workspace's modules to pass with -C: gotune works on one
// module at a time.
func NotInModule(dir string) error {
	for d := dir; ; {
		work := filepath.Join(d, "go.work")
		if data, err := os.ReadFile(work); err == nil {
			return errorf("%s is not in a Go module (no go.mod here or above) but in the workspace %s: gotune tunes one module at a time: pass -C with the directory of one of its modules%s", dir, work, workspaceModules(work, data))
		}
		parent := filepath.Dir(d)
		if parent == d {
			return errorf("%s is not in a Go module (no go.mod here or above): run gotune in a module, or pass -C dir", dir)
		}
		d = parent
	}
}

// workspaceModules lists the use directives of the go.work at path as -C
// arguments from the current directory: " (-C app or -C lib)"; "" when
// there are none or the file does not parse.
func workspaceModules(path string, data []byte) string {
	wf, err := modfile.ParseWork(path, data, nil)
	if err != nil || len(wf.Use) == 0 {
		return ""
	}
	cwd, _ := os.Getwd()
	var dirs []string
	for i, u := range wf.Use {
		if i == 4 {
			dirs = append(dirs, "…")
			break
		}
		d := u.Path
		if !filepath.IsAbs(d) {
			d = filepath.Join(filepath.Dir(path), d)
		}
		if r, err := filepath.Rel(cwd, d); err == nil && cwd != "" && !strings.HasPrefix(r, "..") {
			d = r
		}
		dirs = append(dirs, "-C "+d)
	}
	return " (" + strings.Join(dirs, " or ") + ")"
}

type listPackage struct {
	ImportPath   string
	Name         string
	Dir          string
	GoFiles      []string
	CgoFiles     []string
	TestGoFiles  []string
	XTestGoFiles []string
	// IgnoredGoFiles are excluded by build constraints under the default
	// settings, yet may hold benchmarks that exist in some variants (a file
	// tagged amd64.v3 is built under GOAMD64=v3).
	IgnoredGoFiles []string
	Error          *struct{ Err string }
}

// files returns the names of every Go file of the package.
func (p listPackage) files() []string {
	out := append(append(append([]string(nil), p.GoFiles...), p.CgoFiles...), p.testFiles()...)
	return out
}

// testFiles returns every _test.go file of the package, including those
// build constraints leave out by default.
func (p listPackage) testFiles() []string {
	files := append(append([]string(nil), p.TestGoFiles...), p.XTestGoFiles...)
	for _, f := range p.IgnoredGoFiles {
		if strings.HasSuffix(f, "_test.go") {
			files = append(files, f)
		}
	}
	return files
}

func list(ctx context.Context, r gotool.Runner, dir string, patterns []string) ([]listPackage, error) {
	args := append([]string{"go", "list", "-e", "-json=ImportPath,Name,Dir,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,IgnoredGoFiles,Error", "--"}, patterns...)
	res, err := r.Run(ctx, gotool.Cmd{Args: args, Dir: dir})
	if err != nil {
		var ge *gotool.Error
		if errors.As(err, &ge) {
			return nil, errorf("go list %s: %s", strings.Join(patterns, " "), GoMessage(ge.Stderr))
		}
		return nil, err
	}
	var pkgs []listPackage
	dec := json.NewDecoder(bytes.NewReader(res.Stdout))
	for {
		var p listPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list output: %w", err)
		}
		if p.Error != nil {
			return nil, errorf("%s: check the package patterns", GoMessage(p.Error.Err))
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return nil, errorf("%s matched no packages: check the package patterns", strings.Join(patterns, " "))
	}
	// go list prints a warning on stderr for patterns that match nothing.
	if s := strings.TrimSpace(string(res.Stderr)); strings.Contains(s, "matched no packages") {
		return nil, errorf("%s: check the package patterns", firstLine(s))
	}
	return pkgs, nil
}

func findBenchmarks(dir string, files []string) ([]string, error) {
	fset := token.NewFileSet()
	var names []string
	for _, f := range files {
		af, err := parser.ParseFile(fset, filepath.Join(dir, f), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, errorf("parsing %v", err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if ok && fd.Recv == nil && isBenchmark(fd) {
				names = append(names, fd.Name.Name)
			}
		}
	}
	sort.Strings(names)
	return names, nil
}

// isBenchmark reports whether fd is func BenchmarkXxx(b *testing.B), as the go
// command decides it: the name is Benchmark or Benchmark followed by a
// non-lowercase letter.
func isBenchmark(fd *ast.FuncDecl) bool {
	name := fd.Name.Name
	if !strings.HasPrefix(name, "Benchmark") {
		return false
	}
	if rest := name[len("Benchmark"):]; rest != "" && rest[0] >= 'a' && rest[0] <= 'z' {
		return false
	}
	params := fd.Type.Params.List
	if len(params) != 1 || len(params[0].Names) > 1 {
		return false
	}
	star, ok := params[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "B"
}

// GoMessage returns the go command's message in stderr on one line,
// whole: its explanation and the fix it suggests (an inconsistent vendor/
// says why and to run go mod vendor) are kept, its progress lines (go:
// downloading …) dropped, and its lines joined, each trimmed.
func GoMessage(stderr string) string {
	var b strings.Builder
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "go: downloading ") || strings.HasPrefix(l, "go: finding ") || strings.HasPrefix(l, "go: extracting ") {
			continue
		}
		if b.Len() > 0 {
			if prev := b.String(); strings.ContainsAny(prev[len(prev)-1:], ".:;,!?") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
