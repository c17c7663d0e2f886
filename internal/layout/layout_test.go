package layout

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
)

func TestFileName(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  string
		err   bool
	}{
		{"no files", nil, "0_gotune_layout.go", false},
		{"letters", []string{"b.go", "a.go", "A.go"}, "0_gotune_layout.go", false},
		{"paths are reduced to base names", []string{"/x/y/a.go"}, "0_gotune_layout.go", false},
		{"digit and letter", []string{"0a.go", "1.go"}, "0_gotune_layout.go", false},
		{"the same name", []string{"0_gotune_layout.go", "a.go"}, "00_gotune_layout.go", false},
		{"two zeros first", []string{"00_gotune_layout.go"}, "000_gotune_layout.go", false},
		{"zero dot", []string{"0.go"}, "", true},
		{"dash", []string{"-x.go", "a.go"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FileName(tc.files)
			if (err != nil) != tc.err {
				t.Fatalf("FileName(%q) error = %v, want error %v", tc.files, err, tc.err)
			}
			if got != tc.want {
				t.Errorf("FileName(%q) = %q, want %q", tc.files, got, tc.want)
			}
			if err == nil {
				for _, f := range tc.files {
					if got >= filepath.Base(f) {
						t.Errorf("FileName(%q) = %q does not sort before %q", tc.files, got, f)
					}
				}
			}
		})
	}
}

// checkSource parses and type-checks srcs as one package, returning the
// first file and the package.
func checkSource(t *testing.T, srcs ...[]byte) (*ast.File, *types.Package) {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for i, src := range srcs {
		f, err := parser.ParseFile(fset, fmt.Sprintf("f%d.go", i), src, parser.ParseComments)
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, src)
		}
		files = append(files, f)
	}
	pkg, err := new(types.Config).Check(files[0].Name.Name, fset, files, nil)
	if err != nil {
		t.Fatalf("type-check: %v\n%s", err, bytes.Join(srcs, nil))
	}
	return files[0], pkg
}

func TestSource(t *testing.T) {
	for _, k := range []int{1, 2, 7, 100} {
		src, err := Source("quotes", k)
		if err != nil {
			t.Fatal(err)
		}
		keep, err := KeepSource("quotes")
		if err != nil {
			t.Fatal(err)
		}
		if fmtd, err := format.Source(keep); err != nil || !bytes.Equal(fmtd, keep) {
			t.Errorf("the keeper is not gofmt'ed (%v)", err)
		}
		if kf, _ := checkSource(t, keep, src); !ast.IsGenerated(kf) {
			t.Errorf("the keeper is not marked generated")
		}
		f, pkg := checkSource(t, src, keep)
		if pkg.Name() != "quotes" {
			t.Errorf("k=%d: package %s", k, pkg.Name())
		}
		if !ast.IsGenerated(f) {
			t.Errorf("k=%d: the file is not marked generated", k)
		}
		pads := 0
		for _, name := range pkg.Scope().Names() {
			if !strings.HasPrefix(name, Ident) {
				t.Errorf("k=%d: declares %s, outside the %s prefix", k, name, Ident)
			}
			if fn, ok := pkg.Scope().Lookup(name).(*types.Func); ok && strings.HasPrefix(name, Ident+"Pad") {
				if sig := fn.Type().(*types.Signature); sig.Params().Len() != 0 || sig.Results().Len() != 0 {
					t.Errorf("k=%d: %s is not func()", k, name)
				}
				pads++
			}
		}
		if pads != k {
			t.Errorf("k=%d: %d padding functions", k, pads)
		}
		if fmtd, err := format.Source(src); err != nil || !bytes.Equal(fmtd, src) {
			t.Errorf("k=%d: the source is not gofmt'ed (%v)", k, err)
		}
	}
	for _, tc := range []struct {
		name string
		k    int
	}{{"p", 0}, {"p", -1}, {"p_test", 1}, {"", 1}} {
		if _, err := Source(tc.name, tc.k); err == nil {
			t.Errorf("Source(%q, %d) succeeded", tc.name, tc.k)
		}
	}
	if _, err := KeepSource("p_test"); err == nil {
		t.Errorf("KeepSource(p_test) succeeded")
	}
}

func TestKeepFileName(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  string
		err   bool
	}{
		{"no files", nil, "zz_gotune_layout_keep.go", false},
		{"letters", []string{"b.go", "z.go", "Z.go", "/x/y_test.go"}, "zz_gotune_layout_keep.go", false},
		{"zz", []string{"zz.go"}, "zz_gotune_layout_keep.go", false},
		{"zzz", []string{"zzz.go", "a.go"}, "zzz_gotune_layout_keep.go", false},
		{"the same name", []string{"zz_gotune_layout_keep.go"}, "zzz_gotune_layout_keep.go", false},
		{"tilde", []string{"~x.go"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := KeepFileName(tc.files)
			if (err != nil) != tc.err {
				t.Fatalf("KeepFileName(%q) error = %v, want error %v", tc.files, err, tc.err)
			}
			if got != tc.want {
				t.Errorf("KeepFileName(%q) = %q, want %q", tc.files, got, tc.want)
			}
			for _, f := range tc.files {
				if err == nil && got <= filepath.Base(f) {
					t.Errorf("KeepFileName(%q) = %q does not sort after %q", tc.files, got, f)
				}
			}
		})
	}
}

func TestPlanAndOverlayJSON(t *testing.T) {
	pkgs := []Package{
		{ImportPath: "example.com/m/a", Dir: "/src/m/a", Name: "a", Files: []string{"a.go", "a_test.go"}},
		{ImportPath: "example.com/m/b", Dir: "/src/m/b/", Name: "b", Files: []string{"0_gotune_layout.go"}},
	}
	files, err := Plan(pkgs, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Fatalf("%d files", len(files))
	}
	var targets []string
	names := map[string]bool{}
	for _, f := range files {
		targets = append(targets, f.Target)
		names[f.Name] = true
	}
	wantTargets := []string{"/src/m/a/0_gotune_layout.go", "/src/m/a/zz_gotune_layout_keep.go",
		"/src/m/b/00_gotune_layout.go", "/src/m/b/zz_gotune_layout_keep.go"}
	if !reflect.DeepEqual(targets, wantTargets) {
		t.Errorf("targets %q, want %q", targets, wantTargets)
	}
	if len(names) != len(files) {
		t.Errorf("files share names: %v", names)
	}
	if _, pkg := checkSource(t, files[2].Source, files[3].Source); pkg.Name() != "b" {
		t.Errorf("b's files are in package %s", pkg.Name())
	}
	ov, err := OverlayJSON("/work/k3", files)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Replace map[string]string }
	dec := json.NewDecoder(bytes.NewReader(ov))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%v\n%s", err, ov)
	}
	want := map[string]string{}
	for _, f := range files {
		want[f.Target] = "/work/k3/" + f.Name
	}
	if !reflect.DeepEqual(got.Replace, want) {
		t.Errorf("Replace = %v, want %v", got.Replace, want)
	}

	if files, err := Plan(pkgs, 0); err != nil || files != nil {
		t.Errorf("Plan(k=0) = %v, %v; want no files", files, err)
	}
	for name, bad := range map[string][]Package{
		"relative dir": {{ImportPath: "x", Dir: "src/x", Name: "x"}},
		"test package": {{ImportPath: "x", Dir: "/src/x", Name: "x_test"}},
		"same dir":     {{ImportPath: "x", Dir: "/src/x", Name: "x"}, {ImportPath: "y", Dir: "/src/x/", Name: "x"}},
	} {
		if _, err := Plan(bad, 1); err == nil {
			t.Errorf("%s: Plan succeeded", name)
		}
	}
	if _, err := Plan(pkgs, -1); err == nil {
		t.Errorf("Plan(k=-1) succeeded")
	}
	if _, err := OverlayJSON("rel", files); err == nil {
		t.Errorf("OverlayJSON with a relative directory succeeded")
	}
}

func TestOverlayWritesFiles(t *testing.T) {
	dir := t.TempDir()
	pkgs := []Package{{ImportPath: "x", Dir: "/src/x", Name: "x"}}
	path, err := Overlay(filepath.Join(dir, "k0"), pkgs, 0)
	if err != nil || path != "" || BuildFlags(path) != nil {
		t.Fatalf("k=0: Overlay = %q, %v; flags %q", path, err, BuildFlags(path))
	}
	if _, err := os.Stat(filepath.Join(dir, "k0")); !os.IsNotExist(err) {
		t.Errorf("k=0 created its directory (%v)", err)
	}
	path, err = Overlay(filepath.Join(dir, "k2"), pkgs, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "k2", "overlay.json"); path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	if got := BuildFlags(path); !reflect.DeepEqual(got, []string{"-overlay=" + path}) {
		t.Errorf("BuildFlags = %q", got)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ov struct{ Replace map[string]string }
	if err := json.Unmarshal(b, &ov); err != nil {
		t.Fatal(err)
	}
	if len(ov.Replace) != 2 {
		t.Fatalf("Replace = %v", ov.Replace)
	}
	pad, _ := Source("x", 2)
	keep, _ := KeepSource("x")
	for target, want := range map[string][]byte{"/src/x/0_gotune_layout.go": pad, "/src/x/zz_gotune_layout_keep.go": keep} {
		src, ok := ov.Replace[target]
		if !ok {
			t.Fatalf("Replace = %v: no %s", ov.Replace, target)
		}
		got, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("written %s differs from its source", target)
		}
	}
}

func TestStepFor(t *testing.T) {
	for arch, want := range map[string]int{"amd64": 32, "arm64": 16, "riscv64": 8} {
		if got, ok := StepFor(arch); !ok || got != want {
			t.Errorf("StepFor(%s) = %d, %v; want %d", arch, got, ok, want)
		}
	}
	if _, ok := StepFor("wasm"); ok {
		t.Errorf("StepFor(wasm) reports a step")
	}
}

func TestFamily(t *testing.T) {
	f, err := NewFamily(DefaultLayouts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f, Family{0, 1, 2, 3}) {
		t.Fatalf("NewFamily(4) = %v", f)
	}
	const seed = 42
	var first []int
	for group := 0; group < 50; group++ {
		seen := map[int]bool{}
		var ks []int
		for i := 0; i < len(f); i++ {
			k := f.At(group*len(f)+i, seed)
			seen[k] = true
			ks = append(ks, k)
		}
		if len(seen) != len(f) {
			t.Fatalf("group %d uses %v, not every layout once", group, ks)
		}
		if group == 0 {
			first = ks
		}
	}
	for i := range first {
		if got := f.At(i, seed); got != first[i] {
			t.Errorf("At(%d, %d) = %d, then %d: not replayable", i, seed, first[i], got)
		}
	}
	differs := false
	for c := 0; c < 40; c++ {
		differs = differs || f.At(c, seed) != f.At(c, seed+1)
	}
	if !differs {
		t.Errorf("seeds %d and %d give the same schedule", seed, seed+1)
	}
	if f, _ := NewFamily(1); f.At(5, seed) != 0 {
		t.Errorf("a family of one layout is not k=0")
	}
	if _, err := NewFamily(0); err == nil {
		t.Errorf("NewFamily(0) succeeded")
	}
}

// symbols returns the addresses of the function symbols of binary whose name
// starts with prefix.
func symbols(t *testing.T, binary, prefix string) map[string]uint64 {
	t.Helper()
	f, err := elf.Open(binary)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]uint64{}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && strings.HasPrefix(s.Name, prefix) {
			m[s.Name] = s.Value
		}
	}
	return m
}

// byAddress returns the names of m sorted by address.
func byAddress(m map[string]uint64) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return m[names[i]] < m[names[j]] })
	return names
}

// TestBuildMovesFunctions builds the fixture's test binary with the real go
// command, unperturbed and under k = 1 and k = 3, and reads the addresses of
// its functions: every function of the plain build keeps its name (PGO
// profiles name init closures) and its order; the padded package's own
// functions move by exactly k×Step, so that k = 0 and k = 1 differ in
// their 2×Step parity; closures and the external test package, laid out
// after the keeper, move by that plus a constant; the runtime does not
// move.
func TestBuildMovesFunctions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with the go command")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads ELF symbols")
	}
	step, ok := StepFor(runtime.GOARCH)
	if !ok {
		t.Skipf("no step known for %s", runtime.GOARCH)
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	fix, err := filepath.Abs(filepath.Join("testdata", "fix"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	pkgs := []Package{{ImportPath: "example.com/layoutfix/p", Dir: filepath.Join(fix, "p"), Name: "p",
		Files: []string{"a.go", "b.go", "p_test.go"}}}
	build := func(k int) string {
		ov, err := Overlay(filepath.Join(tmp, "ov", string(rune('0'+k))), pkgs, k)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(tmp, "p"+string(rune('0'+k))+".test")
		args := append([]string{"test", "-c", "-o", out}, BuildFlags(ov)...)
		cmd := exec.Command(goCmd, append(args, "./p")...)
		cmd.Dir = fix
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("k=%d: %v: %v\n%s", k, cmd.Args, err, b)
		}
		return out
	}
	const prefix = "example.com/layoutfix/p"
	plainBin := build(0)
	plain := symbols(t, plainBin, prefix)
	rt0 := symbols(t, plainBin, "runtime.main")
	for _, fn := range []string{prefix + ".Sum", prefix + ".Max", prefix + ".Count", prefix + ".init.0.func1", prefix + "_test.BenchmarkSum"} {
		if _, ok := plain[fn]; !ok {
			t.Fatalf("the plain build has no %s; it has %v", fn, byAddress(plain))
		}
	}
	// topLevel reports whether n is a function the padded package declares
	// (not a closure), laid out right after the padding.
	topLevel := func(n string) bool {
		rest, ok := strings.CutPrefix(n, prefix+".")
		return ok && !strings.Contains(rest, ".func")
	}
	order := byAddress(plain)
	moved := map[int]map[string]uint64{}
	for _, k := range []int{1, 3} {
		bin := build(k)
		got := symbols(t, bin, prefix)
		var own, added []string
		for _, n := range byAddress(got) {
			switch _, inPlain := plain[n]; {
			case inPlain:
				own = append(own, n)
			case !strings.Contains(n, Ident):
				added = append(added, n)
			}
		}
		if !reflect.DeepEqual(own, order) {
			t.Errorf("k=%d: order %v, want %v", k, own, order)
		}
		if len(added) != 1 || added[0] != prefix+".init.1" {
			t.Errorf("k=%d: functions added besides the padding: %v, want only the keeper %s.init.1", k, added, prefix)
		}
		moved[k] = map[string]uint64{}
		for _, n := range order {
			d := got[n] - plain[n]
			moved[k][n] = d
			if topLevel(n) && d != uint64(k*step) {
				t.Errorf("k=%d: %s moved by %d bytes, want exactly k×%d = %d (so that k = 0 and k = 1 differ in their %d-byte parity)", k, n, d, step, k*step, 2*step)
			}
			if d < uint64(k*step) || d%uint64(step) != 0 {
				t.Errorf("k=%d: %s moved by %d bytes, want a multiple of %d of at least %d", k, n, d, step, k*step)
			}
		}
		pads := 0
		for n, a := range got {
			if strings.HasPrefix(n, prefix+"."+Ident+"Pad") {
				pads++
				if a >= got[order[0]] {
					t.Errorf("k=%d: padding %s at %#x is not ahead of %s at %#x", k, n, a, order[0], got[order[0]])
				}
			}
		}
		if pads != k {
			t.Errorf("k=%d: %d padding functions in the binary", k, pads)
		}
		if rt := symbols(t, bin, "runtime.main"); len(rt) == 0 || !reflect.DeepEqual(rt, rt0) {
			t.Errorf("k=%d: runtime.main moved: %v vs %v", k, rt, rt0)
		}
	}
	for _, n := range order {
		if d := moved[3][n] - moved[1][n]; d != 2*uint64(step) {
			t.Errorf("%s: k=3 moved it %d bytes further than k=1, want %d", n, d, 2*step)
		}
	}
}
