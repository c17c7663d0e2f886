package pgo

import (
	"github.com/gotune/gotune/internal/axis"

	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/gotool"
)

func TestProfileArgs(t *testing.T) {
	got := ProfileArgs("/w/bin/0-fx.test", "Sum", "2s", "/w/fx-r1.pprof")
	want := []string{"/w/bin/0-fx.test", "-test.run=^$", "-test.bench=Sum", "-test.count=1", "-test.benchtime=2s", "-test.cpuprofile=/w/fx-r1.pprof"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ProfileArgs = %q\nwant %q", got, want)
	}
	if got := ProfileArgs("b", "", "", "o"); !reflect.DeepEqual(got, []string{"b", "-test.run=^$", "-test.bench=.", "-test.count=1", "-test.cpuprofile=o"}) {
		t.Errorf("defaults: %q", got)
	}
}

// fakeGo answers go test -c by creating the binary, and a benchmark run by
// writing the profile empty(round) says.
func fakeGo(t *testing.T, empty func(pkg string, round int) bool) *gotool.Fake {
	t.Helper()
	f := &gotool.Fake{}
	f.On("go test -c", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{}, os.WriteFile(c.Args[4], []byte("binary"), 0o755)
	})
	f.On("-test.cpuprofile=", func(c gotool.Cmd) (gotool.Result, error) {
		out := strings.TrimPrefix(c.Args[len(c.Args)-1], "-test.cpuprofile=")
		round := 1
		if strings.HasSuffix(out, "-r2.pprof") {
			round = 2
		}
		stacks := map[string]int64{"fx.Sum;fx.BenchmarkSum": 40}
		if empty(c.Dir, round) {
			stacks = map[string]int64{}
		}
		b := encoded(t, synth{stacks: stacks}.profile())
		return gotool.Result{Stdout: []byte("BenchmarkSum-2 100 10 ns/op\nPASS\n")}, os.WriteFile(out, b, 0o644)
	})
	return f
}

func TestCollect(t *testing.T) {
	pkgs := []BenchPackage{{ImportPath: "example.com/fx", Dir: "/src/fx"}, {ImportPath: "example.com/fx/sub", Dir: "/src/fx/sub"}}
	settings := axis.Settings{"goamd64": "v1", "pgo": "off"}
	tests := []struct {
		name    string
		empty   func(dir string, round int) bool
		want    []string // raw profile base names
		wantErr string
	}{
		{"every package and round", func(string, int) bool { return false },
			[]string{"example.com_fx-r1.pprof", "example.com_fx_sub-r1.pprof", "example.com_fx-r2.pprof", "example.com_fx_sub-r2.pprof"}, ""},
		{"an empty profile is left out", func(dir string, round int) bool { return dir == "/src/fx/sub" && round == 2 },
			[]string{"example.com_fx-r1.pprof", "example.com_fx_sub-r1.pprof", "example.com_fx-r2.pprof"}, ""},
		{"no samples at all", func(string, int) bool { return true }, nil, "no profile has CPU samples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			fake := fakeGo(t, tt.empty)
			raws, err := Collect(context.Background(), CollectOptions{
				Runner: fake, Dir: "/src/fx", Packages: pkgs, Settings: settings,
				Bench: "Sum", Benchtime: "300ms", Count: 2, OutDir: out,
				Provenance: Provenance{Tool: "gotune test", Commit: "abc"},
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range raws {
				got = append(got, filepath.Base(r.Path))
				if r.Samples != 1 {
					t.Errorf("%s: %d samples", r.Path, r.Samples)
				}
				pv := ReadProvenance(r.Path, mustRead(t, r.Path))
				if pv.Source != "collect" || pv.Commit != "abc" || !strings.Contains(pv.How, "-test.bench=Sum -test.benchtime=300ms") {
					t.Errorf("%s: provenance %+v", r.Path, pv)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("profiles = %q, want %q", got, tt.want)
			}
			// Builds run in the target directory with the baseline's
			// settings; each benchmark run in its package's directory.
			var builds, runs int
			for _, c := range fake.Calls {
				switch {
				case c.Args[0] == "go":
					builds++
					if c.Dir != "/src/fx" || !reflect.DeepEqual(c.Env, []string{"GOAMD64=v1"}) || c.Args[len(c.Args)-2] != "-pgo=off" {
						t.Errorf("build %s in %s", c, c.Dir)
					}
				default:
					runs++
					if !strings.HasPrefix(c.Args[0], filepath.Join(out, "bin")) || !strings.HasPrefix(c.Dir, "/src/fx") {
						t.Errorf("run %s in %s", c, c.Dir)
					}
				}
			}
			if builds != 2 || runs != 4 {
				t.Errorf("%d builds and %d runs, want 2 and 4 (one package at a time)", builds, runs)
			}
		})
	}
}

func TestCollectBenchmarkFailure(t *testing.T) {
	f := &gotool.Fake{}
	f.On("go test -c", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{}, os.WriteFile(c.Args[4], []byte("binary"), 0o755)
	})
	f.On("-test.cpuprofile=", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte("--- FAIL: BenchmarkSum\n    fx_test.go:9: boom\nFAIL\n")}, &gotool.Error{Cmd: c, ExitCode: 1}
	})
	_, err := Collect(context.Background(), CollectOptions{Runner: f, Packages: []BenchPackage{{ImportPath: "example.com/fx", Dir: "/src/fx"}}, OutDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "the benchmarks of example.com/fx failed in round 1: --- FAIL: BenchmarkSum") || strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
