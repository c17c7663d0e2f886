package plan

import (
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/service"
	"github.com/gotune/gotune/internal/target"
)

func serviceTarget() *target.Target {
	return &target.Target{
		Dir: "/m", ModuleRoot: "/m", Module: "example.com/m", GoVersion: "go1.26.0",
		Packages: []target.Package{{ImportPath: "example.com/m/lib", Dir: "/m/lib", Benchmarks: []string{"BenchmarkX"}}},
		Mains: []target.Main{
			{ImportPath: "example.com/m/cmd/a", Dir: "/m/cmd/a", DefaultPGO: "/m/cmd/a/default.pgo"},
			{ImportPath: "example.com/m/cmd/b", Dir: "/m/cmd/b"},
		},
	}
}

func TestFindMain(t *testing.T) {
	tg := serviceTarget()
	for _, name := range []string{"./cmd/b", "example.com/m/cmd/b", "./cmd/b/"} {
		m, err := FindMain(tg, name)
		if err != nil || m.ImportPath != "example.com/m/cmd/b" {
			t.Errorf("FindMain(%q) = %+v, %v", name, m, err)
		}
	}
	_, err := FindMain(tg, "./lib")
	if err == nil || !strings.Contains(err.Error(), "its main packages: ./cmd/a, ./cmd/b") {
		t.Errorf("FindMain(./lib) error = %v", err)
	}
}

// TestMakeService checks the plan of service mode: the server's main
// package is the target, the one benchmark is its trial, the variants
// build it (with its own default.pgo), and layouts are off.
func TestMakeService(t *testing.T) {
	svc := &service.Config{Main: "./cmd/a", Args: []string{"-addr", "{addr}"}, Load: service.Load{Requests: []service.Request{{Path: "/"}}}}
	o := options.Options{Service: svc, Layouts: 2, Seed: 1}
	p, err := Make(o, Facts{Target: serviceTarget(), Levels: []string{"v1"}, GOAMD64: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Benchmarks) != 1 || p.Benchmarks[0] != (result.Benchmark{Package: "example.com/m/cmd/a", Name: ServiceBenchmark, Benchtime: "5s"}) {
		t.Errorf("Benchmarks = %+v", p.Benchmarks)
	}
	if len(p.Target.Packages) != 1 || p.Target.Packages[0].ImportPath != "example.com/m/cmd/a" || p.Target.BuildTarget() != "./cmd/a" {
		t.Errorf("Target = %+v", p.Target)
	}
	if p.Variants[0].Profile != "/m/cmd/a/default.pgo" {
		t.Errorf("baseline profile = %q, want the server's default.pgo", p.Variants[0].Profile)
	}
	if p.Options.Layouts != 0 || p.Options.Service.Load.Rate != service.DefaultRate {
		t.Errorf("Options = %+v", p.Options)
	}
	if p.Options.Budget < 2*60e9 {
		t.Errorf("Budget = %s", p.Options.Budget)
	}
	o.Service = &service.Config{Main: "./cmd/c", Args: svc.Args, Load: svc.Load}
	if _, err := Make(o, Facts{Target: serviceTarget(), Levels: []string{"v1"}, GOAMD64: "v1"}); err == nil || !strings.Contains(err.Error(), "service.main ./cmd/c: not a main package") {
		t.Errorf("Make with an unknown main: %v", err)
	}
}
