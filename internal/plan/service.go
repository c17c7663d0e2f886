package plan

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// ServiceBenchmark is the name of the one "benchmark" of service mode: a
// trial of the server under load, whose samples are its metrics.
const ServiceBenchmark = "BenchmarkService"

// serviceMode turns the plan into service mode: the target is the service's
// main package (so that its default.pgo is the baseline's profile and
// its build line builds it), the one benchmark is a trial under load,
// and code layouts are off (they pad packages with benchmarks).
func (p *Plan) serviceMode(o *options.Options) error {
	resolved, err := o.Service.Resolve(".")
	if err != nil {
		return options.InputError{Err: err}
	}
	o.Service = &resolved
	m, err := FindMain(p.Target, resolved.Main)
	if err != nil {
		return options.InputError{Err: err}
	}
	tg := *p.Target
	tg.Mains = []target.Main{m}
	tg.Packages = []target.Package{{ImportPath: m.ImportPath, Dir: m.Dir, Name: "main"}}
	p.Target = &tg
	o.Layouts = 0
	o.Benchtime = ""
	p.Benchmarks = []result.Benchmark{{Package: m.ImportPath, Name: ServiceBenchmark, Benchtime: resolved.Duration.String()}}
	return nil
}

// FindMain returns the main package of tg named by main: a directory
// relative to the target (./cmd/x) or an import path.
func FindMain(tg *target.Target, main string) (target.Main, error) {
	main = strings.TrimSpace(main)
	local := strings.HasPrefix(main, "./") || strings.HasPrefix(main, "../") || main == "."
	for _, m := range tg.Mains {
		if local && filepath.Clean(filepath.Join(tg.Dir, main)) == filepath.Clean(m.Dir) || m.ImportPath == main {
			return m, nil
		}
	}
	var names []string
	for _, m := range tg.Mains {
		if rel, err := filepath.Rel(tg.Dir, m.Dir); err == nil && !strings.HasPrefix(rel, "..") {
			names = append(names, "./"+filepath.ToSlash(rel))
		} else {
			names = append(names, m.ImportPath)
		}
	}
	if len(names) == 0 {
		return target.Main{}, fmt.Errorf("service.main %s: module %s has no main package: service mode builds a server with go build", main, tg.Module)
	}
	return target.Main{}, fmt.Errorf("service.main %s: not a main package of module %s; its main packages: %s", main, tg.Module, strings.Join(names, ", "))
}

// ServiceBudget is the measuring time of a service run without --budget:
// about twelve blocks of every variant that will be measured, of trials
// of the given warm-up and measured time, between 2 and 30 minutes.
func ServiceBudget(vs []result.Variant, trial time.Duration) time.Duration {
	n := 0
	for _, v := range vs {
		if v.Status == result.StatusOK {
			n++
		}
	}
	trial += 2 * time.Second
	return min(30*time.Minute, max(2*time.Minute, time.Duration(n)*12*trial))
}
