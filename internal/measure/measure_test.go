package measure

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
)

// fakeBins answers trials of /w/<variant>/<pkg>.test: the benchmark asked
// for prints a result whose ns/op is the variant's, unless fail says
// otherwise. It counts the trials per variant and benchmark.
type fakeBins struct {
	mu     sync.Mutex
	ns     map[string]float64 // per variant
	fail   map[string]string  // "variant benchmark" → stdout of a failing trial
	trials map[string]int     // "variant benchmark benchtime" → trials
	before func(c gotool.Cmd) // called before answering
}

func (f *fakeBins) runner() *gotool.Fake {
	fk := &gotool.Fake{}
	fk.On(".test", func(c gotool.Cmd) (gotool.Result, error) {
		if f.before != nil {
			f.before(c)
		}
		variant := path.Base(path.Dir(c.Args[0]))
		bench := strings.TrimSuffix(strings.TrimPrefix(arg(c.Args, "-test.bench="), "^"), "$")
		bt := arg(c.Args, "-test.benchtime=")
		f.mu.Lock()
		f.trials[variant+" "+bench+" "+bt]++
		f.mu.Unlock()
		if out, ok := f.fail[variant+" "+bench]; ok {
			return gotool.Result{Stdout: []byte(out)}, &gotool.Error{Cmd: c, ExitCode: 1}
		}
		name := strings.TrimPrefix(bench, "Benchmark")
		return gotool.Result{
			Stdout:   []byte(fmt.Sprintf("goos: linux\nBenchmark%s-2 \t 100\t %g ns/op\t 8 B/op\t 1 allocs/op\nPASS\n", name, f.ns[variant])),
			Duration: time.Millisecond, CPU: time.Millisecond,
		}, nil
	})
	return fk
}

func arg(args []string, prefix string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, prefix); ok {
			return v
		}
	}
	return ""
}

func newFake() *fakeBins {
	return &fakeBins{ns: map[string]float64{"base": 1000, "a": 900, "b": 1100}, fail: map[string]string{}, trials: map[string]int{}}
}

// opts returns the options of a run of variants over two benchmarks of
// one package, 3 cycles.
func (f *fakeBins) opts(variants ...string) Options {
	return Options{
		Runner:   f.runner(),
		Stage:    "grid",
		Variants: variants,
		Unit: func(v, pkg string, layout int) (Unit, bool) {
			return Unit{Variant: v, Package: pkg, Dir: "/src", Binary: "/w/" + v + "/p.test"}, true
		},
		Benchmarks: []result.Benchmark{{Package: "example.com/p", Name: "BenchmarkX", Benchtime: "100x"}, {Package: "example.com/p", Name: "BenchmarkY", Benchtime: "100x"}},
		Seed:       42,
		MaxCycles:  3,
		Keys:       func(u Unit) [][2]string { return [][2]string{{"variant", u.Variant}} },
	}
}

func TestRunBlocks(t *testing.T) {
	f := newFake()
	o := f.opts("base", "a", "b")
	var raw bytes.Buffer
	o.Raw = &raw
	out, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Blocks) != 6 || out.Cycles != 3 || out.Trials != 18 {
		t.Fatalf("%d blocks, %d cycles, %d trials; want 6, 3, 18", len(out.Blocks), out.Cycles, out.Trials)
	}
	// Each benchmark's 3 blocks put every variant in every position once.
	pos := map[string]map[string]map[int]int{}
	for i, b := range out.Blocks {
		if b.Index != i+1 || b.Stage != "grid" || len(b.Order) != 3 {
			t.Errorf("block %+v", b)
		}
		if pos[b.Benchmark] == nil {
			pos[b.Benchmark] = map[string]map[int]int{}
		}
		for p, v := range b.Order {
			if pos[b.Benchmark][v] == nil {
				pos[b.Benchmark][v] = map[int]int{}
			}
			pos[b.Benchmark][v][p]++
		}
	}
	for bench, vs := range pos {
		for v, ps := range vs {
			if len(ps) != 3 {
				t.Errorf("%s: %s took positions %v, want each of 3 once", bench, v, ps)
			}
		}
	}
	n := map[string]int{}
	for _, s := range out.Samples {
		if s.Unit == "sec/op" {
			n[s.Variant+" "+s.Benchmark]++
			if s.Block < 1 || s.Block > 6 {
				t.Errorf("sample in block %d", s.Block)
			}
		}
	}
	if len(n) != 6 || n["a X"] != 3 {
		t.Errorf("sec/op samples per variant and benchmark: %v", n)
	}
	// The raw file lists every block's baseline first.
	blocks := strings.Split(strings.TrimSpace(raw.String()), "\n\n")
	if len(blocks) != 18 || !strings.HasPrefix(blocks[0], "variant: base\nblock: 1\n") || !strings.HasPrefix(blocks[3], "variant: base\nblock: 2\n") {
		t.Errorf("raw file:\n%s", raw.String())
	}
}

func TestRunSameSeedSameOrder(t *testing.T) {
	orders := func(seed int64) string {
		f := newFake()
		o := f.opts("base", "a", "b")
		o.Seed = seed
		out, _ := Run(context.Background(), o)
		var s []string
		for _, b := range out.Blocks {
			s = append(s, b.Benchmark+":"+strings.Join(b.Order, ","))
		}
		return strings.Join(s, " ")
	}
	if orders(1) != orders(1) {
		t.Error("one seed gave two orders")
	}
	if orders(1) == orders(2) {
		t.Error("two seeds gave one order")
	}
}

func TestRunCalibrates(t *testing.T) {
	f := newFake()
	o := f.opts("base", "a")
	o.Benchmarks[0].Benchtime = ""
	o.TrialTime = 50 * time.Millisecond
	out, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Benchmarks[0]; got.Benchtime != "3125x" || got.Reps != 16 || got.NsPerOp < 999.9 || got.NsPerOp > 1000.1 {
		t.Errorf("calibrated %+v, want 16 × 3125x from 1000 ns/op", got)
	}
	if f.trials["base BenchmarkX 20ms"] != 1 || f.trials["base BenchmarkX 3125x"] != 3 || f.trials["a BenchmarkX 3125x"] != 3 {
		t.Errorf("trials = %v", f.trials)
	}
}

func TestRunFailures(t *testing.T) {
	f := newFake()
	f.fail["a BenchmarkY"] = "BenchmarkY-2 \t--- FAIL: BenchmarkY\n    y_test.go:9: broken\n"
	f.fail["base BenchmarkX"] = "panic: base is broken\n"
	f.fail["b BenchmarkX"] = "This program can only be run on AMD64 processors with v4 microarchitecture support.\n"
	o := f.opts("base", "a", "b")
	out, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	// a failed Y once and was left out of Y's later blocks; the
	// baseline failed X once, so X is measured no more; b cannot run.
	if f.trials["a BenchmarkY 100x"] != 1 || f.trials["base BenchmarkX 100x"] != 1 || f.trials["b BenchmarkY 100x"] > 1 {
		t.Errorf("trials = %v", f.trials)
	}
	if out.Unsupported["b"] == "" {
		t.Errorf("b's CPU problem not recorded: %v", out.Unsupported)
	}
	var errs []string
	for _, fl := range out.Failures {
		errs = append(errs, fl.Variant+" "+fl.Benchmark+": "+fl.Error)
	}
	if len(errs) != 2 || !strings.Contains(strings.Join(errs, "\n"), "a BenchmarkY: BenchmarkY: exit status 1") {
		t.Errorf("failures:\n%s", strings.Join(errs, "\n"))
	}
}

func TestRunLook(t *testing.T) {
	f := newFake()
	o := f.opts("base", "a", "b")
	o.MaxCycles = 0
	var looks []int
	o.Look = func(cycle int, out *Outcome) Decision {
		looks = append(looks, cycle)
		switch cycle {
		case 2:
			return Decision{Drop: []string{"b", "base"}} // the baseline is never dropped
		case 4:
			return Decision{Stop: "decided"}
		}
		return Decision{}
	}
	out, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(looks, []int{1, 2, 3, 4}) || out.Stopped != "decided" || out.Dropped["b"] != 2 || out.Dropped["base"] != 0 {
		t.Errorf("looks %v, stopped %q, dropped %v", looks, out.Stopped, out.Dropped)
	}
	if f.trials["b BenchmarkX 100x"] != 2 || f.trials["a BenchmarkX 100x"] != 4 {
		t.Errorf("trials = %v", f.trials)
	}
}

func TestRunReplayContinues(t *testing.T) {
	// An uninterrupted run, for reference.
	f := newFake()
	want, err := Run(context.Background(), f.opts("base", "a", "b"))
	if err != nil {
		t.Fatal(err)
	}

	// The same run, interrupted after 7 trials, then continued from its
	// journal: same blocks, orders and samples, and no trial run twice.
	g := newFake()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	g.before = func(gotool.Cmd) {
		if n++; n == 8 {
			cancel()
		}
	}
	var journal []Record
	o := g.opts("base", "a", "b")
	o.Kill = context.Background() // the running trial finishes
	o.Record = func(r Record) { journal = append(journal, r) }
	o.Look = func(int, *Outcome) Decision { return Decision{} }
	if _, err := Run(ctx, o); err == nil {
		t.Fatal("an interrupted run returned no error")
	}
	g.before = nil
	o.Replay = journal
	o.Record = nil
	got, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range g.trials {
		total += c
	}
	if total != 18 || got.Replayed != 8 {
		t.Errorf("%d trials run in all, %d replayed; want 18 and 8", total, got.Replayed)
	}
	for i := range want.Blocks {
		want.Blocks[i].Started, got.Blocks[i].Started = time.Time{}, time.Time{}
		want.Blocks[i].Seconds, got.Blocks[i].Seconds = 0, 0
	}
	if !reflect.DeepEqual(got.Blocks, want.Blocks) || !reflect.DeepEqual(got.Samples, want.Samples) {
		t.Errorf("continued run differs:\ngot  %+v\nwant %+v", got.Blocks, want.Blocks)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	f := newFake()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	f.before = func(gotool.Cmd) {
		if n++; n == 2 {
			cancel()
		}
	}
	o := f.opts("base", "a")
	out, err := Run(ctx, o) // the fake finishes the trial it is in; no other starts
	if err == nil || out.Trials != 2 || n != 2 {
		t.Errorf("err %v, %d trials kept, %d started; want no trial after the interrupt", err, out.Trials, n)
	}
}

type fakeMachine struct{ reads []CPUTimes }

func (m *fakeMachine) Read() (CPUTimes, error) {
	r := m.reads[0]
	if len(m.reads) > 1 {
		m.reads = m.reads[1:]
	}
	return r, nil
}

func TestRunRecordsLoad(t *testing.T) {
	f := newFake()
	o := f.opts("base", "a")
	o.MaxCycles = 1
	o.Benchmarks = o.Benchmarks[:1]
	// Over the block, 1s of 4s of CPU was busy: 2 ms by the two trials,
	// the rest by others; 0.4s was stolen.
	o.Machine = &fakeMachine{reads: []CPUTimes{{Load1: 1.5}, {Busy: time.Second, Steal: 400 * time.Millisecond, Total: 4 * time.Second}}}
	out, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	l := out.Blocks[0].Load
	if l == nil || l.Load1 != 1.5 || l.Others < 0.249 || l.Others > 0.25 || l.Steal != 0.1 {
		t.Errorf("load = %+v", l)
	}
}
