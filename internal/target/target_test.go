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
