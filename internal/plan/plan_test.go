package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// facts returns the facts of a module with one package of two benchmarks,
// a main package with a default.pgo, on a host that runs up to v3.
func facts(dir string) Facts {
	tg := &target.Target{
		Dir: dir, ModuleRoot: dir, Module: "example.com/m", GoVersion: "go1.26.8",
		Packages: []target.Package{{ImportPath: "example.com/m/p", Dir: filepath.Join(dir, "p"), Benchmarks: []string{"BenchmarkQuote", "BenchmarkDecode"}}},
		Mains:    []target.Main{{ImportPath: "example.com/m/cmd/x", Dir: filepath.Join(dir, "cmd/x"), DefaultPGO: filepath.Join(dir, "cmd/x/default.pgo")}},
	}
	return Facts{Target: tg, Levels: []string{"v1", "v2", "v3"}, GOAMD64: "v1", Seed: 42}
}

func names(p *Plan) []string {
	var out []string
	for _, v := range p.Variants {
		out = append(out, v.Name)
	}
	return out
}

func TestMake(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		opts  options.Options
		cfg   matrix.Config
		check func(t *testing.T, p *Plan)
	}{
		{"default matrix", options.Options{}, matrix.Config{}, func(t *testing.T, p *Plan) {
			want := "baseline pgo=off goamd64=v2,pgo=off goamd64=v2 goamd64=v3,pgo=off goamd64=v3"
			if got := strings.Join(names(p), " "); got != want {
				t.Errorf("variants %q, want %q", got, want)
			}
			if p.Search != result.SearchGrid || p.Options.Seed != 42 || p.SeedGiven || len(p.Benchmarks) != 2 || p.Benchmarks[0].Benchtime != "" {
				t.Errorf("plan %+v", p)
			}
			if p.Variants[0].Profile != filepath.Join(dir, "cmd/x/default.pgo") || p.Variants[1].Profile != "" {
				t.Errorf("profiles %q, %q", p.Variants[0].Profile, p.Variants[1].Profile)
			}
			if p.Options.Budget != 3*time.Minute || p.Options.Timeout != time.Minute || p.Options.MinBlocks != options.DefaultMinBlocks {
				t.Errorf("budget %s, timeout %s, min blocks %d", p.Options.Budget, p.Options.Timeout, p.Options.MinBlocks)
			}
		}},
		{"a level the host cannot run is skipped with the reason", options.Options{Axes: axis.Values{"goamd64": {"v1", "v4"}}}, matrix.Config{}, func(t *testing.T, p *Plan) {
			v := p.Variants[1]
			if v.Name != "goamd64=v4" || v.Status != result.StatusSkipped || !strings.Contains(v.Reason, "cannot run GOAMD64=v4 (it runs up to v3)") {
				t.Errorf("v4: %+v", v)
			}
		}},
		{"a profile path is made absolute", options.Options{Axes: axis.Values{"pgo": {"off", "prof/cpu.pprof"}}}, matrix.Config{}, func(t *testing.T, p *Plan) {
			if v := p.Variants[len(p.Variants)-1]; v.Profile != filepath.Join(dir, "prof/cpu.pprof") || !strings.Contains(v.BuildLine, "-pgo=prof/cpu.pprof") {
				t.Errorf("variant %+v", v)
			}
		}},
		{"PGO knobs without a profile are skipped", options.Options{Axes: axis.Values{"pgo": {"off"}, "gcflags": {"all=-d=pgoinlinebudget=4000"}}}, matrix.Config{}, func(t *testing.T, p *Plan) {
			v := p.Variants[1]
			if v.Status != result.StatusSkipped || !strings.Contains(v.Reason, "PGO knobs (pgoinlinebudget=4000) do nothing without a profile") {
				t.Errorf("variant %+v", v)
			}
		}},
		{"baseline only", options.Options{BaselineOnly: true}, matrix.Config{Axes: axis.Values{"goamd64": {"v3"}}}, func(t *testing.T, p *Plan) {
			if len(p.Variants) != 1 || p.Variants[0].Name != "baseline" {
				t.Errorf("variants %q", names(p))
			}
		}},
		{"gotune.yaml fills what the flags leave", options.Options{Bench: "Quote"}, matrix.Config{Bench: "Decode", Benchtime: "100x", Count: 9}, func(t *testing.T, p *Plan) {
			if len(p.Benchmarks) != 1 || p.Benchmarks[0].Name != "BenchmarkQuote" || p.Benchmarks[0].Benchtime != "100x" || p.Options.MinBlocks != 9 {
				t.Errorf("benchmarks %+v, options %+v", p.Benchmarks, p.Options)
			}
		}},
		{"screening above 8 variants", options.Options{Axes: axis.Values{"goamd64": {"v1", "v2", "v3"}, "gcflags": {"", "-l", "-B"}}}, matrix.Config{}, func(t *testing.T, p *Plan) {
			if p.Search != result.SearchScreen {
				t.Errorf("search %q for %d variants", p.Search, len(p.Variants))
			}
		}},
		{"a chosen seed is part of the key", options.Options{Seed: 7, Budget: 90 * time.Second, Benchtime: "50ms"}, matrix.Config{}, func(t *testing.T, p *Plan) {
			if !p.SeedGiven || p.Options.Seed != 7 || p.Options.Budget != 90*time.Second || p.Options.Timeout != time.Minute+500*time.Millisecond {
				t.Errorf("options %+v", p.Options)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(dir)
			f.Config = tt.cfg
			p, err := Make(tt.opts, f)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
}

func TestMakeErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts options.Options
		f    func(*Facts)
		want string
	}{
		{"a pattern that matches no benchmark", options.Options{Bench: "NoSuch"}, nil, `--bench "NoSuch" matches none of the 2 benchmarks of example.com/m/p: see them with 'go test -list . example.com/m/p'`},
		{"PGO on an old toolchain", options.Options{Axes: axis.Values{"pgo": {"off", "x.pprof"}}}, func(f *Facts) { f.Target.GoVersion = "go1.20.14" }, "PGO needs Go go1.21 or later; this toolchain is go1.20.14"},
		{"too large a matrix", options.Options{MaxVariants: 3}, nil, "the matrix has 6 variants, more than --max-variants=3"},
		{"bad options", options.Options{Timeout: -time.Second}, nil, "--timeout -1s: want a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(dir)
			if tt.f != nil {
				tt.f(&f)
			}
			_, err := Make(tt.opts, f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if _, ok := err.(options.InputError); !ok {
				t.Errorf("err %T is not an InputError", err)
			}
		})
	}
}

func TestDefaultBudget(t *testing.T) {
	ok := func(n int) []result.Variant {
		vs := make([]result.Variant, n)
		for i := range vs {
			vs[i].Status = result.StatusOK
		}
		return vs
	}
	tests := []struct {
		vs         []result.Variant
		benchmarks int
		want       time.Duration
	}{
		{ok(1), 2, time.Minute},
		{ok(6), 6, 3 * time.Minute},
		{append(ok(6), result.Variant{Status: result.StatusSkipped}), 6, 3 * time.Minute},
		{ok(6), 40, 6 * time.Minute},
		{ok(64), 6, 10 * time.Minute},
	}
	for _, tt := range tests {
		if got := DefaultBudget(tt.vs, tt.benchmarks); got != tt.want {
			t.Errorf("DefaultBudget(%d variants, %d benchmarks) = %s, want %s", len(tt.vs), tt.benchmarks, got, tt.want)
		}
	}
}

func TestWorkDir(t *testing.T) {
	root := t.TempDir()
	mod := filepath.Join(root, "mod")
	os.MkdirAll(filepath.Join(mod, "a"), 0o755)
	link := filepath.Join(root, "link")
	if err := os.Symlink(mod, link); err != nil {
		t.Skip(err)
	}
	for _, wd := range []string{filepath.Join(mod, "a/b/c/wd"), filepath.Join(link, ".wd"), mod} {
		if _, err := WorkDir(wd, mod, "example.com/m"); err == nil || !strings.Contains(err.Error(), "is inside the target module") {
			t.Errorf("WorkDir(%s) = %v, want a refusal", wd, err)
		}
	}
	if _, err := os.Stat(filepath.Join(mod, "a/b")); err == nil {
		t.Error("a refused work dir was created")
	}
	if wd, err := WorkDir(filepath.Join(root, "elsewhere"), mod, "example.com/m"); err != nil || wd != filepath.Join(root, "elsewhere") {
		t.Errorf("WorkDir outside = %q, %v", wd, err)
	}
	if wd, err := WorkDir("", mod, "example.com/m"); err != nil || !strings.Contains(wd, filepath.Join("gotune", "example.com_m-")) {
		t.Errorf("default work dir %q, %v", wd, err)
	}
}
