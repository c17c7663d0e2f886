// Command harness measures gotune's claims about deciding with few samples,
// on real builds of the fixture modules in bench/fixtures and of the demo
// (examples/quotes). It runs gotune's pipeline in-process (plan, engine),
// repeats each experiment, and prints one line per run and a PASS or FAIL
// line per claim. Results are kept in -out.
//
//	go run ./bench/harness -exp planted   # a planted 3% slowdown: slower in ≥ 18 of 20 runs
//	go run ./bench/harness -exp aa        # an A/A pair: faster or slower in ≤ 1 of 20 runs
//	go run ./bench/harness -exp popcount  # GOAMD64=v2 doubles one of four benchmarks: v2 or v3 wins 5 of 5
//	go run ./bench/harness -exp demo      # the README's command: detectable ≤ 3% within 5 minutes
//	go run ./bench/harness -exp compare   # the old design (whole binaries, unpaired) and the paired engine, same budget
//	go run ./bench/harness -exp layouts   # check --against on a layout-sensitive fixture: A/A and an unrelated edit never regress its loop, +25% always does
//	go run ./bench/harness -exp rev       # check --base HEAD~1 in a scratch clone of the demo: a slower handler fails ≥ 9 of 10, a comment and string change passes 10 of 10
//	go run ./bench/harness -exp reps      # one paired trial's spread: one 60 ms repetition against the fastest of 4 or 16 shorter ones
//	go run ./bench/harness -exp service   # service mode: a handler 1 ms slower is slower on p99 and CPU in ≥ 9 of 10 runs, an A/A pair differs in ≤ 1
//
// Timings are measured here, never asserted in tests.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/engine"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/result"
)

func main() {
	exp := flag.String("exp", "", "experiment: planted, aa, popcount, demo, compare, layouts, rev, reps or service")
	layouts := flag.Int("layouts", options.DefaultLayouts, "--layouts of the in-process runs (the command line's default)")
	reps := flag.Int("reps", 0, "repetitions (default: the experiment's)")
	budget := flag.Duration("budget", 0, "measuring budget per run (default: the experiment's)")
	slow := flag.Int("slow", 40, "-exp rev: the share of the ticks (in percent) the slower quote handler passes over once more")
	out := flag.String("out", "", "folder for the results (default: a temporary one)")
	flag.Parse()
	if *out == "" {
		d, err := os.MkdirTemp("", "gotune-bench-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		*out = d
	}
	h := &harness{out: *out, log: os.Stderr, w: os.Stdout, layouts: *layouts}
	var ok bool
	var err error
	switch *exp {
	case "planted":
		ok, err = h.planted(def(*reps, 20), defd(*budget, 90*time.Second))
	case "aa":
		ok, err = h.aa(def(*reps, 20), defd(*budget, 90*time.Second))
	case "popcount":
		ok, err = h.popcount(def(*reps, 5), *budget)
	case "demo":
		ok, err = h.demo(def(*reps, 1))
	case "compare":
		ok, err = h.compare(def(*reps, 1), defd(*budget, 2*time.Minute))
	case "layouts":
		ok, err = h.layoutCheck(def(*reps, 10), defd(*budget, 30*time.Second))
	case "rev":
		ok, err = h.revCheck(def(*reps, 10), *slow, *budget)
	case "reps":
		ok, err = h.reps(defd(*budget, 4*time.Minute))
	case "service":
		ok, err = h.serviceCheck(def(*reps, 10), defd(*budget, 90*time.Second))
	default:
		fmt.Fprintln(os.Stderr, "harness: -exp planted, aa, popcount, demo, compare, layouts, rev, reps or service")
		os.Exit(2)
	}
	fmt.Fprintf(h.w, "results in %s\n", h.out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func def(n, d int) int {
	if n > 0 {
		return n
	}
	return d
}

func defd(n, d time.Duration) time.Duration {
	if n > 0 {
		return n
	}
	return d
}

// harness holds where results and logs go.
type harness struct {
	out     string
	layouts int       // of runs whose options leave Layouts 0; noLayouts turns them off
	log     io.Writer // gotune's progress
	w       io.Writer // the harness's report
}

// repo returns the repository root: the harness runs from it or below.
func repo() string {
	d, _ := os.Getwd()
	for ; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "bench", "fixtures")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return "."
		}
	}
}

// noLayouts in Options.Layouts asks run for a run without code layouts.
const noLayouts = -1

// run plans and runs o, saving the result as name.json.
func (h *harness) run(name string, o options.Options) (*result.Run, time.Duration, error) {
	switch o.Layouts {
	case 0:
		o.Layouts = h.layouts
	case noLayouts:
		o.Layouts = 0
	}
	o.WorkDir = filepath.Join(h.out, "work", name)
	o.Fresh = true
	start := time.Now()
	p, err := plan.Load(context.Background(), o, gotool.Exec{})
	if err != nil {
		return nil, 0, err
	}
	logf, err := os.Create(filepath.Join(h.out, name+".log"))
	if err != nil {
		return nil, 0, err
	}
	defer logf.Close()
	run, err := engine.Run(context.Background(), p, engine.Deps{Log: logf, Version: "bench"})
	wall := time.Since(start)
	if err != nil {
		return run, wall, err
	}
	return run, wall, result.WriteFile(filepath.Join(h.out, name+".json"), run)
}

// row is what the harness prints of one run.
type row struct {
	name, variant, verdict, change string
	cycles                         int
	measured, wall                 time.Duration
	detectable                     float64
	winner                         string
}

func describe(name, variant string, run *result.Run, wall time.Duration) row {
	r := row{name: name, variant: variant, wall: wall, winner: run.Analysis.Winner}
	if run.Search != nil {
		r.measured = time.Duration(run.Search.MeasureSeconds * float64(time.Second))
	}
	r.detectable = run.Analysis.Detectable
	if s := run.Stats(variant); s != nil {
		r.verdict, r.cycles = s.Verdict, s.Cycles
		if s.Change != nil {
			r.change = fmt.Sprintf("%+.1f%% [%+.1f%%, %+.1f%%]", 100*(s.Change.Center-1), 100*(s.Change.Lo-1), 100*(s.Change.Hi-1))
		}
		if s.Detectable > 0 && !math.IsInf(s.Detectable, 0) {
			r.detectable = s.Detectable
		}
	}
	return r
}

func (h *harness) table(rows []row) {
	tw := tabwriter.NewWriter(h.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "run\tvariant\tverdict\tchange [interval]\tcycles\tmeasured\twall\tcould detect\twinner")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%.1f%%\t%s\n", r.name, r.variant, r.verdict, r.change, r.cycles,
			r.measured.Round(time.Second), r.wall.Round(time.Second), 100*r.detectable, orNone(r.winner))
	}
	tw.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "(keep the baseline)"
	}
	return s
}

// check prints a PASS or FAIL line and returns whether it passed.
func (h *harness) check(pass bool, format string, args ...any) bool {
	mark := "PASS"
	if !pass {
		mark = "FAIL"
	}
	fmt.Fprintf(h.w, "%s  %s\n", mark, fmt.Sprintf(format, args...))
	return pass
}

const plantedFlag = "-X example.com/planted.Extra=3"

// planted runs the planted fixture with its 3% slowdown reps times: the
// slowdown must be called slower in at least 90% of the runs, each
// measuring for at most the budget.
func (h *harness) planted(reps int, budget time.Duration) (bool, error) {
	dir := filepath.Join(repo(), "bench", "fixtures", "planted")
	slow := "ldflags=" + plantedFlag
	var rows []row
	slower, over := 0, 0
	for i := 1; i <= reps; i++ {
		o := options.Options{Dir: dir, Budget: budget, Axes: axis.Values{"goamd64": {"v1"}, "ldflags": {"", plantedFlag}}}
		run, wall, err := h.run(fmt.Sprintf("planted-%02d", i), o)
		if err != nil {
			return false, err
		}
		r := describe(fmt.Sprint(i), slow, run, wall)
		rows = append(rows, r)
		if r.verdict == result.VerdictSlower {
			slower++
		}
		if r.measured > budget+5*time.Second {
			over++
		}
		fmt.Fprintf(h.log, "planted %d: %s %s\n", i, r.verdict, r.change)
	}
	h.table(rows)
	ok := h.check(slower*10 >= reps*9, "the planted 3%% slowdown was called slower in %d of %d runs (at least 90%%)", slower, reps)
	return h.check(over == 0, "every run measured for at most %s (%d over)", budget, over) && ok, nil
}

// aa runs an A/A pair (the same code, measured apart with --no-dedupe)
// reps times: it may be called faster or slower in at most 5% of the
// runs.
func (h *harness) aa(reps int, budget time.Duration) (bool, error) {
	dir := filepath.Join(repo(), "bench", "fixtures", "planted")
	cfg := filepath.Join(repo(), "bench", "fixtures", "planted", "aa.yaml")
	var rows []row
	alarms := 0
	for i := 1; i <= reps; i++ {
		o := options.Options{Dir: dir, Config: cfg, Budget: budget, NoDedupe: true, Axes: axis.Values{"goamd64": {"v1"}}}
		run, wall, err := h.run(fmt.Sprintf("aa-%02d", i), o)
		if err != nil {
			return false, err
		}
		r := describe(fmt.Sprint(i), "twin", run, wall)
		rows = append(rows, r)
		if r.verdict == result.VerdictFaster || r.verdict == result.VerdictSlower {
			alarms++
		}
		fmt.Fprintf(h.log, "aa %d: %s %s\n", i, r.verdict, r.change)
	}
	h.table(rows)
	return h.check(alarms*20 <= reps, "the A/A twin was called faster or slower in %d of %d runs (at most 5%%)", alarms, reps), nil
}

// popcount runs the default matrix on the popcount fixture reps times:
// GOAMD64=v2 or v3 must win every run.
func (h *harness) popcount(reps int, budget time.Duration) (bool, error) {
	dir := filepath.Join(repo(), "bench", "fixtures", "popcount")
	var rows []row
	crowned := 0
	for i := 1; i <= reps; i++ {
		run, wall, err := h.run(fmt.Sprintf("popcount-%02d", i), options.Options{Dir: dir, Budget: budget})
		if err != nil {
			return false, err
		}
		w := run.Analysis.Winner
		r := describe(fmt.Sprint(i), orVariant(w, "goamd64=v2"), run, wall)
		rows = append(rows, r)
		if w == "goamd64=v2" || w == "goamd64=v3" {
			crowned++
		}
		fmt.Fprintf(h.log, "popcount %d: winner %s\n", i, orNone(w))
	}
	h.table(rows)
	return h.check(crowned == reps, "GOAMD64=v2 or v3 won %d of %d runs of the default matrix", crowned, reps), nil
}

func orVariant(w, def string) string {
	if w == "" {
		return def
	}
	return w
}

// demo runs the README's main command on the demo, reps times: the
// overall verdict must be able to detect 3% within 5 minutes of wall time.
// Each repetition also runs it without code layouts (the two in
// alternating order), and the layouts may cost at most 20% more wall time
// in the median.
func (h *harness) demo(reps int) (bool, error) {
	dir := filepath.Join(repo(), "examples", "quotes")
	ok := true
	var rows []row
	var with, without []float64
	for i := 1; i <= reps; i++ {
		kinds := []int{0, noLayouts}
		if i%2 == 0 {
			kinds = []int{noLayouts, 0}
		}
		for _, k := range kinds {
			name := fmt.Sprintf("demo-%02d", i)
			if k == noLayouts {
				name += "-nolayouts"
			}
			run, wall, err := h.run(name, options.Options{Dir: dir, Layouts: k})
			if err != nil {
				return false, err
			}
			for _, v := range run.Variants {
				if v.Name != run.Baseline && v.Measured() {
					rows = append(rows, describe(name, v.Name, run, wall))
				}
			}
			if k == noLayouts {
				without = append(without, wall.Seconds())
				continue
			}
			with = append(with, wall.Seconds())
			ok = h.check(run.Analysis.Detectable > 0 && run.Analysis.Detectable <= 0.03, "run %d: this run could detect changes of %.1f%% (at most 3%%)", i, 100*run.Analysis.Detectable) && ok
			ok = h.check(wall <= 5*time.Minute, "run %d: %s of wall time (at most 5m)", i, wall.Round(time.Second)) && ok
		}
	}
	h.table(rows)
	extra := median(with)/median(without) - 1
	return h.check(extra <= 0.20, "code layouts cost %+.0f%% wall time (median %.0fs with, %.0fs without; at most +20%%)", 100*extra, median(with), median(without)) && ok, nil
}

// compare measures the same binaries of the demo's default matrix the old
// way (every round runs each whole test binary once, every benchmark for
// 500ms, unpaired) and the paired way, each for the same budget, and
// prints what each could detect.
func (h *harness) compare(reps int, budget time.Duration) (bool, error) {
	dir := filepath.Join(repo(), "examples", "quotes")
	tw := tabwriter.NewWriter(h.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "run\tdesign\tmeasured\tsamples per variant\tcould detect (worst variant)\tverdicts")
	ok := true
	for i := 1; i <= reps; i++ {
		run, _, err := h.run(fmt.Sprintf("compare-%02d-paired", i), options.Options{Dir: dir, Budget: budget, NoEarlyStop: true, Layouts: noLayouts, Axes: axis.Values{"goamd64": {"v1", "v3"}, "pgo": {"auto", "off"}}})
		if err != nil {
			return false, err
		}
		old, err := oldDesign(run, budget, filepath.Join(h.out, fmt.Sprintf("compare-%02d-old.txt", i)))
		if err != nil {
			return false, err
		}
		var verdicts []string
		for _, s := range run.Analysis.Variants {
			if s.Name != run.Baseline {
				verdicts = append(verdicts, s.Name+": "+s.Says)
			}
		}
		paired := worstDetectable(run)
		fmt.Fprintf(tw, "%d\tpaired blocks\t%s\t%d cycles\t%.1f%%\t%s\n", i, time.Duration(run.Search.MeasureSeconds*float64(time.Second)).Round(time.Second),
			maxCycles(run), 100*paired, strings.Join(verdicts, "; "))
		fmt.Fprintf(tw, "%d\twhole binaries, unpaired\t%s\t%d rounds\t%.1f%%\t%s\n", i, old.measured.Round(time.Second), old.rounds, 100*old.detectable, strings.Join(old.verdicts, "; "))
		ok = ok && paired < old.detectable
	}
	tw.Flush()
	return h.check(ok, "the paired engine could detect smaller changes than the old design with the same budget in every run"), nil
}

func maxCycles(run *result.Run) int {
	n := 0
	for _, s := range run.Analysis.Variants {
		n = max(n, s.Cycles)
	}
	return n
}

// worstDetectable is the largest change some variant's comparison could
// have missed; +Inf when one has no interval yet.
func worstDetectable(run *result.Run) float64 {
	worst := 0.0
	for _, s := range run.Analysis.Variants {
		if s.Name == run.Baseline || s.Verdict == "" {
			continue
		}
		d := s.Detectable
		if d <= 0 || math.IsNaN(d) {
			d = math.Inf(1)
		}
		worst = max(worst, d)
	}
	return worst
}
