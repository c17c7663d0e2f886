package pgo

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/gotool"
)

const storeSrc = `package store

type Store struct{}

type Set[T any] struct{}

func New() *Store { return &Store{} }

func (s *Store) Get(k string) int {
	return len(k)
}

func (s Set[T]) Len() int { return 0 }

func Max[T int | float64](a, b T) T {
	if a > b {
		return a
	}
	return b
}
`

func TestFuncKeys(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "store.go"), []byte(storeSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := LoadSource("example.com/m", []Package{{ImportPath: "example.com/m/store", Dir: dir, Files: []string{"store.go"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]FuncPos{
		"New":          {File: "store.go", Line: 7},
		"(*Store).Get": {File: "store.go", Line: 9},
		"Set.Len":      {File: "store.go", Line: 13},
		"Max":          {File: "store.go", Line: 15},
	}
	got := src.Funcs["example.com/m/store"]
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %+v, want %+v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("functions = %v", got)
	}
}

func TestStale(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "store.go"), []byte(storeSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := LoadSource("example.com/m", []Package{{ImportPath: "example.com/m/store", Dir: dir, Files: []string{"store.go"}}})
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "example.com/m/store."
	p := synth{
		stacks: map[string]int64{
			pkg + "(*Store).Get;main.main":                  30, // present (starts on line 9)
			pkg + "(*Store).Get.func1;main.main":            5,  // a closure of a present function
			pkg + "New.Set.Len.func2;main.main":             5,  // a closure inlined from another function
			pkg + "Max[...];main.main":                      10, // generic, moved: starts on 15, profile says 10
			pkg + "Removed;main.main":                       20, // no longer in the source
			"example.com/m/gone.F;" + pkg + "New;main.main": 10, // its package is gone
			"runtime.mallocgc;main.main":                    20, // not the module's
		},
		startAt: map[string]int64{pkg + "(*Store).Get": 9, pkg + "New": 7, pkg + "Max[...]": 10},
	}.profile()
	// Functions in store.go: the synthetic profile names files after the
	// function; give the present ones the right file.
	for _, f := range p.Function {
		if strings.HasPrefix(f.Name, pkg) {
			f.Filename = "/build/store/store.go"
		}
	}
	st := Stale(p, src, 5)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(st.ModuleCPU, 0.8) || !near(st.Missing, 0.3) || !near(st.Moved, 0.1) {
		t.Errorf("module %.2f missing %.2f moved %.2f; want 0.80 0.30 0.10", st.ModuleCPU, st.Missing, st.Moved)
	}
	if !near(st.Stale(), 0.5) {
		t.Errorf("Stale() = %.3f, want 0.5", st.Stale())
	}
	var missing []string
	for _, f := range st.MissingFuncs {
		missing = append(missing, f.Name)
	}
	if got := strings.Join(missing, " "); got != pkg+"Removed example.com/m/gone.F" {
		t.Errorf("missing = %s", got)
	}
	if len(st.MovedFuncs) != 1 || st.MovedFuncs[0].Name != pkg+"Max[...]" {
		t.Errorf("moved = %+v", st.MovedFuncs)
	}
}

func TestFindModule(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := FindModule(sub)
	if err != nil || m.Path != "example.com/m" || m.Root != dir {
		t.Errorf("FindModule = %+v, %v", m, err)
	}
	if _, err := FindModule(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not in a Go module") {
		t.Errorf("outside a module: err = %v", err)
	}
	// A workspace root: the pgo commands say what to pass to -C, as run does.
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "go.work"), []byte("go 1.22\n\nuse ./svc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = FindModule(ws)
	if err == nil || !strings.Contains(err.Error(), "but in the workspace "+filepath.Join(ws, "go.work")) || !strings.Contains(err.Error(), "svc)") || !errors.As(err, new(InputError)) {
		t.Errorf("at a go.work root: err = %v", err)
	}
}

// TestListPackagesGoError checks that a go command failure in the module
// (an inconsistent vendor/) keeps its whole message, on one line.
func TestListPackagesGoError(t *testing.T) {
	f := &gotool.Fake{}
	f.On("go list", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{}, &gotool.Error{Cmd: c, ExitCode: 1, Stderr: "go: inconsistent vendoring in /m:\n\tx: is replaced in go.mod, but not in vendor/modules.txt\n\n\tTo sync the vendor directory, run:\n\t\tgo mod vendor\n"}
	})
	_, err := ListPackages(context.Background(), f, "/m")
	want := "go list ./... in /m: go: inconsistent vendoring in /m: x: is replaced in go.mod, but not in vendor/modules.txt; To sync the vendor directory, run: go mod vendor"
	if err == nil || err.Error() != want || !errors.As(err, new(InputError)) {
		t.Errorf("err = %v\nwant %q (an InputError)", err, want)
	}
}
