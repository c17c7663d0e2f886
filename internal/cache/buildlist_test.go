package cache

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/gotool"
)

// fakeGoList is a go command that lists mods (main first) and reports
// gowork as GOWORK; vendored makes `go list -m all` refuse, as in vendor
// mode.
func fakeGoList(t *testing.T, mods []listedModule, gowork string, vendored bool) *gotool.Fake {
	t.Helper()
	f := &gotool.Fake{}
	encode := func(ms []listedModule) []byte {
		var b []byte
		for _, m := range ms {
			j, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, j...)
		}
		return b
	}
	f.On("go list -m -json all", func(c gotool.Cmd) (gotool.Result, error) {
		if vendored {
			return gotool.Result{}, &gotool.Error{Cmd: c, ExitCode: 1, Stderr: "go: can't compute 'all' using the vendor directory\n\t(Use -mod=mod or -mod=readonly to bypass.)"}
		}
		return gotool.Result{Stdout: encode(mods)}, nil
	})
	f.On("go list -m -json", func(c gotool.Cmd) (gotool.Result, error) {
		var main []listedModule
		for _, m := range mods {
			if m.Main {
				main = append(main, m)
			}
		}
		return gotool.Result{Stdout: encode(main)}, nil
	})
	f.On("go env GOWORK", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte(gowork + "\n")}, nil
	})
	return f
}

func writeFiles(t *testing.T, files map[string]string) {
	t.Helper()
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBuildListHash(t *testing.T) {
	root := t.TempDir()
	app, lib, work, cached := filepath.Join(root, "app"), filepath.Join(root, "lib"), filepath.Join(root, "ws"), filepath.Join(root, "modcache", "dep@v1.0.0")
	writeFiles(t, map[string]string{
		filepath.Join(app, "go.mod"):      "module example.com/app\n",
		filepath.Join(app, "main.go"):     "package main\n",
		filepath.Join(lib, "go.mod"):      "module example.com/lib\n",
		filepath.Join(lib, "lib.go"):      "package lib\n",
		filepath.Join(work, "go.work"):    "go 1.21\n\nuse ../app\n",
		filepath.Join(cached, "go.mod"):   "module example.com/dep\n",
		filepath.Join(cached, "dep.go"):   "package dep\n",
		filepath.Join(app, "sub", "x.go"): "package sub\n",
	})
	type rep = struct{ Path, Version, Dir string }
	mainMod := listedModule{Path: "example.com/app", Main: true, Dir: app}
	libMod := listedModule{Path: "example.com/lib", Version: "v0.0.0", Dir: lib, Replace: &rep{Path: "../lib", Dir: lib}}
	depMod := listedModule{Path: "example.com/dep", Version: "v1.0.0", Dir: cached}
	mods := []listedModule{mainMod, depMod, libMod}

	hash := func(t *testing.T, r gotool.Runner) string {
		t.Helper()
		h, err := BuildListHash(context.Background(), r, app)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	base := hash(t, fakeGoList(t, mods, "", false))
	if again := hash(t, fakeGoList(t, mods, "", false)); again != base {
		t.Fatal("the hash of the same build differs")
	}
	edit := func(t *testing.T, path, data string) {
		t.Helper()
		old, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		writeFiles(t, map[string]string{path: data})
		t.Cleanup(func() {
			if old == nil {
				os.Remove(path)
			} else {
				os.WriteFile(path, old, 0o644)
			}
		})
	}
	tests := []struct {
		name    string
		change  func(t *testing.T) gotool.Runner
		changes bool
	}{
		{"a file of the main module", func(t *testing.T) gotool.Runner {
			edit(t, filepath.Join(app, "main.go"), "package main // edited\n")
			return fakeGoList(t, mods, "", false)
		}, true},
		{"a file of a directory replacement", func(t *testing.T) gotool.Runner {
			edit(t, filepath.Join(lib, "lib.go"), "package lib // edited\n")
			return fakeGoList(t, mods, "", false)
		}, true},
		{"a new file in a directory replacement", func(t *testing.T) gotool.Runner {
			edit(t, filepath.Join(lib, "new.go"), "package lib\n")
			return fakeGoList(t, mods, "", false)
		}, true},
		{"a dependency's version", func(t *testing.T) gotool.Runner {
			d := depMod
			d.Version = "v1.0.1"
			return fakeGoList(t, []listedModule{mainMod, d, libMod}, "", false)
		}, true},
		{"a replacement's target", func(t *testing.T) gotool.Runner {
			l := libMod
			l.Replace = &rep{Path: "example.com/fork", Version: "v0.1.0", Dir: cached}
			return fakeGoList(t, []listedModule{mainMod, depMod, l}, "", false)
		}, true},
		{"a workspace file", func(t *testing.T) gotool.Runner {
			return fakeGoList(t, mods, filepath.Join(work, "go.work"), false)
		}, true},
		{"a workspace module", func(t *testing.T) gotool.Runner {
			w := []listedModule{mainMod, {Path: "example.com/lib", Main: true, Dir: lib}}
			r := fakeGoList(t, w, filepath.Join(work, "go.work"), false)
			before := hash(t, r)
			edit(t, filepath.Join(lib, "lib.go"), "package lib // edited in the workspace\n")
			if hash(t, r) == before {
				t.Error("editing a workspace module left the hash as it was")
			}
			return r
		}, true},
		{"a file in the module cache (fixed by go.sum)", func(t *testing.T) gotool.Runner {
			edit(t, filepath.Join(cached, "dep.go"), "package dep // edited\n")
			return fakeGoList(t, mods, "", false)
		}, false},
		{"vendor mode reads only the main module", func(t *testing.T) gotool.Runner {
			r := fakeGoList(t, mods, "", true)
			before := hash(t, r)
			edit(t, filepath.Join(lib, "lib.go"), "package lib // not read: vendored\n")
			if hash(t, r) != before {
				t.Error("in vendor mode, editing the replaced directory changed the hash")
			}
			edit(t, filepath.Join(app, "vendor", "example.com", "lib", "lib.go"), "package lib // vendored copy edited\n")
			if hash(t, r) == before {
				t.Error("in vendor mode, editing vendor/ left the hash as it was")
			}
			return r
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hash(t, tt.change(t))
			if (got != base) != tt.changes {
				t.Errorf("hash changed: %t, want %t", got != base, tt.changes)
			}
		})
	}
	if hash(t, fakeGoList(t, mods, "", false)) != base {
		t.Error("the hash did not come back once the edits were undone")
	}
}

func TestBuildListHashErrors(t *testing.T) {
	f := &gotool.Fake{}
	f.On("go list -m -json all", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{}, &gotool.Error{Cmd: c, ExitCode: 1, Stderr: "go: example.com/lib@v0.0.0 (replaced by ../lib): reading ../lib/go.mod: open ../lib/go.mod: no such file or directory"}
	})
	_, err := BuildListHash(context.Background(), f, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "listing the build's modules") || !strings.Contains(err.Error(), "reading ../lib/go.mod") {
		t.Errorf("err = %v, want the go command's message", err)
	}
	f = fakeGoList(t, []listedModule{{Path: "example.com/app", Main: true, Dir: filepath.Join(t.TempDir(), "gone")}}, "", false)
	if _, err := BuildListHash(context.Background(), f, t.TempDir()); err == nil || !strings.Contains(err.Error(), "module example.com/app in") {
		t.Errorf("err = %v, want the unreadable module named", err)
	}
}

// TestBuildListHashRealReplace runs the real go command on a module that
// replaces a dependency with ../lib: an edit of ../lib changes the build
// list hash (SourceHash of the module alone does not see it), and so does
// a go.work that puts both in a workspace.
func TestBuildListHashRealReplace(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("testdata/replace")); err != nil {
		t.Fatal(err)
	}
	app, lib := filepath.Join(root, "app"), filepath.Join(root, "lib")
	t.Setenv("GOWORK", "")
	t.Setenv("GOFLAGS", "") // -mod=mod is refused in workspace mode; the fixture needs no download
	ctx := context.Background()
	hashes := func() (string, string) {
		t.Helper()
		bl, err := BuildListHash(ctx, gotool.Exec{}, app)
		if err != nil {
			t.Fatal(err)
		}
		src, err := SourceHash(app)
		if err != nil {
			t.Fatal(err)
		}
		return bl, src
	}
	bl1, src1 := hashes()
	writeFiles(t, map[string]string{filepath.Join(lib, "lib.go"): "package lib\n\n// F returns 2.\nfunc F() int { return 2 }\n"})
	bl2, src2 := hashes()
	if src2 != src1 {
		t.Errorf("SourceHash of the module changed: the test's premise is wrong")
	}
	if bl2 == bl1 {
		t.Errorf("editing ../lib left the build list hash as it was")
	}
	// A workspace: the go.work and both modules count.
	writeFiles(t, map[string]string{filepath.Join(root, "go.work"): "go 1.21\n\nuse (\n\t./app\n\t./lib\n)\n"})
	bl3, _ := hashes()
	if bl3 == bl2 {
		t.Errorf("adding a go.work left the build list hash as it was")
	}
	writeFiles(t, map[string]string{filepath.Join(lib, "extra.go"): "package lib\n"})
	if bl4, _ := hashes(); bl4 == bl3 {
		t.Errorf("editing a workspace module left the build list hash as it was")
	}
}
