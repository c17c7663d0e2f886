package target

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fixture copies testdata/mod into a temporary directory and gives its main
// package a default.pgo.
func fixture(t *testing.T) string {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/mod")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cmd", "app", "default.pgo"), []byte("profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoad(t *testing.T) {
	tg, err := Load(context.Background(), Options{Dir: fixture(t)})
	if err != nil {
		t.Fatal(err)
	}
	if tg.Module != "example.com/mod" || tg.ModGo != "1.21" {
		t.Errorf("module %q go %q", tg.Module, tg.ModGo)
	}
	if !strings.HasPrefix(tg.GoVersion, "go1.") || !tg.SupportsPGO() {
		t.Errorf("GoVersion = %q", tg.GoVersion)
	}
	if len(tg.Packages) != 1 || tg.Packages[0].ImportPath != "example.com/mod/lib" {
		t.Fatalf("packages = %+v, want only lib", tg.Packages)
	}
	want := []string{"Benchmark", "BenchmarkDouble", "BenchmarkExternal", "BenchmarkOnlyV3"}
	if got := tg.Packages[0].Benchmarks; !reflect.DeepEqual(got, want) {
		t.Errorf("benchmarks = %q, want %q", got, want)
	}
	if len(tg.Mains) != 1 || !strings.HasSuffix(tg.DefaultPGO(), filepath.Join("cmd", "app", "default.pgo")) {
		t.Errorf("mains = %+v", tg.Mains)
	}
	if got := tg.BuildTarget(); got != "./cmd/app" {
		t.Errorf("BuildTarget = %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	notModule := t.TempDir()
	os.WriteFile(filepath.Join(notModule, "x.go"), []byte("package x\n"), 0o644)
	tests := []struct {
		name     string
		opts     Options
		contains string
	}{
		{"not a module", Options{Dir: notModule}, "is not in a Go module"},
		{"no such directory", Options{Dir: filepath.Join(notModule, "nope")}, "no such directory"},
		{"no benchmarks", Options{Dir: "testdata/mod", Patterns: []string{"./nobench"}}, "no benchmarks in ./nobench"},
		{"pattern matches nothing", Options{Dir: "testdata/mod", Patterns: []string{"./zzz/..."}}, "./zzz/: no such file or directory: check the package patterns"},
		{"missing package", Options{Dir: "testdata/mod", Patterns: []string{"./zzz"}}, "zzz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(context.Background(), tt.opts)
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *target.Error", err)
			}
			if !strings.Contains(err.Error(), tt.contains) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line containing %q", err, tt.contains)
			}
		})
	}
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoadGoCommandErrors checks the errors that come from the go command
// or the layout around the module: an inconsistent vendor/ keeps the go
// command's whole explanation and its fix, on one line; a go.work root
// says what to pass to -C.
func TestLoadGoCommandErrors(t *testing.T) {
	t.Setenv("GOFLAGS", "") // vendor mode is the default with a vendor/modules.txt
	t.Setenv("GOWORK", "")
	root := t.TempDir()
	lib := "// Package lib is a dependency.\npackage lib\n\n// F returns 1.\nfunc F() int { return 1 }\n"
	bench := "package app\n\nimport (\n\t\"testing\"\n\n\t\"example.com/lib\"\n)\n\nfunc BenchmarkF(b *testing.B) {\n\tfor b.Loop() {\n\t\tlib.F()\n\t}\n}\n"
	writeTree(t, root, map[string]string{
		// vendor/modules.txt records ../lib, go.mod now says ../lib2.
		"vendored/app/go.mod":                        "module example.com/app\n\ngo 1.22\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib2\n",
		"vendored/app/app_test.go":                   bench,
		"vendored/app/vendor/modules.txt":            "# example.com/lib v0.0.0 => ../lib\n## explicit; go 1.21\nexample.com/lib\n# example.com/lib => ../lib\n",
		"vendored/app/vendor/example.com/lib/lib.go": lib,
		"vendored/lib/go.mod":                        "module example.com/lib\n\ngo 1.21\n",
		"vendored/lib/lib.go":                        lib,
		"vendored/lib2/go.mod":                       "module example.com/lib\n\ngo 1.21\n",
		"vendored/lib2/lib.go":                       lib,
		"ws/go.work":                                 "go 1.22\n\nuse (\n\t./app\n\t./lib\n)\n",
		"ws/app/go.mod":                              "module example.com/app\n\ngo 1.22\n",
		"ws/app/app_test.go":                         "package app\n\nimport \"testing\"\n\nfunc BenchmarkX(b *testing.B) {}\n",
		"ws/lib/go.mod":                              "module example.com/lib\n\ngo 1.22\n",
		"ws/lib/lib.go":                              lib,
		"ws/docs/notes.go":                           "package docs\n",
	})
	t.Chdir(filepath.Join(root, "ws"))
	tests := []struct {
		name string
		dir  string
		want []string
	}{
		{"inconsistent vendor", "vendored/app", []string{
			"inconsistent vendoring in " + filepath.Join(root, "vendored", "app") + ":",
			"example.com/lib: is replaced by ../lib2 in go.mod, but marked as replaced by ../lib in vendor/modules.txt",
			"To ignore the vendor directory, use -mod=readonly or -mod=mod.",
			"To sync the vendor directory, run: go mod vendor",
		}},
		{"a go.work root", "ws", []string{
			filepath.Join(root, "ws") + " is not in a Go module (no go.mod here or above) but in the workspace " + filepath.Join(root, "ws", "go.work"),
			"pass -C with the directory of one of its modules (-C app or -C lib)",
		}},
		{"a folder of a workspace outside its modules", "ws/docs", []string{
			"but in the workspace " + filepath.Join(root, "ws", "go.work"), "(-C app or -C lib)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(context.Background(), Options{Dir: filepath.Join(root, tt.dir)})
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *target.Error (exit status 2)", err)
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q\nwant it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "\t") {
				t.Errorf("err %q is not one line", err)
			}
		})
	}
	// The workspace's modules themselves load.
	if _, err := Load(context.Background(), Options{Dir: filepath.Join(root, "ws", "app")}); err != nil {
		t.Errorf("a workspace module: %v", err)
	}
}

func TestGoMessage(t *testing.T) {
	in := "go: downloading example.com/x v1.0.0\ngo: inconsistent vendoring in /m:\n\tx: is replaced in go.mod, but not in vendor/modules.txt\n\n\tTo sync the vendor directory, run:\n\t\tgo mod vendor\n"
	want := "go: inconsistent vendoring in /m: x: is replaced in go.mod, but not in vendor/modules.txt; To sync the vendor directory, run: go mod vendor"
	if got := GoMessage(in); got != want {
		t.Errorf("GoMessage = %q\nwant %q", got, want)
	}
}
