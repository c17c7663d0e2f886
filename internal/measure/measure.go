// Package measure is the measuring stage of gotune: it runs benchmarks in
// blocks, parses every trial with golang.org/x/perf/benchfmt, and keeps
// every sample, the raw output and every failure. One failing trial never
// stops the run.
//
// A block is one benchmark run once in every live variant, back to back,
// each trial a process of its own (`BIN -test.bench '^Name$'`), in an
// order that balances each variant's position over the blocks. A cycle
// measures every benchmark once, in a shuffled order; cycles repeat.
// Because the trials of a block run seconds apart at most, the ratio of a
// variant's time to the baseline's in the same block is nearly free of the
// machine's drift: the statistics pair them.
//
// After each cycle a hook looks at the data and may drop decided variants
// or stop. Every trial, block and decision can be recorded as it happens
// and replayed from that journal, to continue an interrupted run exactly
// where it stopped; an interrupt lets the running trial finish.
package measure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/layout"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/service"
)

// Unit is one distinct binary to run: a variant's test binary of one
// package, with the variant's run-time environment.
type Unit struct {
	Variant string
	Package string
	Dir     string   // the package's source directory: benchmarks run there, as under go test
	Binary  string   // the test binary
	Env     []string // KEY=VALUE for the process (run axes)
}

// Options configure Run.
type Options struct {
	Runner gotool.Runner
	Stage  string // recorded in every block
	// Variants are the variants to measure, the baseline first.
	Variants []string
	// Unit returns the unit of a variant and package in a code layout;
	// false when the variant has no binary for it.
	Unit func(variant, pkg string, layout int) (Unit, bool)
	// Layouts is the number of code layouts to cycle through (≤ 1 measures
	// layout 0 only): every trial of a cycle runs the variants' binaries of
	// one layout, each group of Layouts cycles every layout once, in an
	// order drawn from Seed (layout.Family.At).
	Layouts int
	// Benchmarks are the top-level benchmarks to measure. One whose
	// Benchtime is "" is calibrated first: a trial of the baseline picks
	// the iteration count that makes a trial last about TrialTime.
	Benchmarks []result.Benchmark
	TrialTime  time.Duration
	Timeout    time.Duration // per trial; 0 = none
	Seed       int64
	// FirstBlock and FirstCycle number the blocks and cycles of this call
	// after those of earlier stages (0 = start at 1).
	FirstBlock, FirstCycle int
	// MaxCycles ends the run after that many cycles; 0 = when Look stops.
	MaxCycles int

	// Look, when set, is called after each complete cycle with everything
	// measured so far. Its Decision applies to the later cycles. A cycle
	// whose decision is in Replay is not looked at again: Replayed
	// receives the decision instead.
	Look     func(cycle int, out *Outcome) Decision
	Replayed func(cycle int, d Decision)

	// Keys returns the file-configuration lines ("key: value") written to
	// Raw before each trial's output, e.g. variant, goamd64, pgo.
	Keys func(u Unit) [][2]string
	Raw  io.Writer // every trial's output in the Go benchmark format; nil = discard
	Log  io.Writer // progress; nil = discard
	// Progress, when set, is called before and after each trial.
	Progress func(Event)

	// Record, when set, receives the record of every trial, block,
	// calibration and decision as they happen: a journal from which
	// Replay continues an interrupted run.
	Record func(Record)
	// Replay holds the records of an interrupted run of the same plan:
	// what they hold is taken from them instead of being run again, so
	// that the continued run ends where an uninterrupted one would.
	Replay []Record
	// Kill, when set, is the context whose end kills a running trial; once
	// ctx is done, a trial already running is left to finish (its samples
	// are kept) unless Kill ends too, and no further trial starts. Nil
	// means ctx: a cancelled ctx kills the running trial at once.
	Kill context.Context

	// Machine, when set, is read before and after each block to record how
	// busy the machine was; with QuietWait, a block waits up to that long
	// for other processes to leave the CPU.
	Machine   Machine
	QuietWait time.Duration

	// Service, in service mode, makes every trial a trial of the unit's
	// server binary under this load (service.RunTrial) instead of a run of
	// a test binary; the benchmarks are then one pseudo-benchmark per
	// server, whose Benchtime is set (no calibration).
	Service *service.Config
}

// Decision is what the look after a cycle decides.
type Decision struct {
	Drop []string `json:"drop,omitempty"` // variants left out of later cycles
	Stop string   `json:"stop,omitempty"` // when not "", end the run after this cycle, for this reason
	// Data is the caller's record of the look, journaled with the
	// decision and given back through Options.Replayed.
	Data json.RawMessage `json:"data,omitempty"`
}

// Record is one line of a run's journal: a trial, a finished block, a
// calibrated benchmark, or the decision after a cycle.
type Record struct {
	Cycle int `json:"cycle,omitempty"`
	Block int `json:"block,omitempty"`
	// A trial.
	Variant   string  `json:"variant,omitempty"`
	Package   string  `json:"package,omitempty"`
	Benchmark string  `json:"benchmark,omitempty"`
	Stdout    string  `json:"stdout,omitempty"`
	Stderr    string  `json:"stderr,omitempty"`
	Error     string  `json:"error,omitempty"` // the runner's error; "" when the process succeeded
	Seconds   float64 `json:"seconds,omitempty"`
	CPU       float64 `json:"cpu,omitempty"`
	// Or one of these.
	Done       *result.Block     `json:"done,omitempty"`
	Calibrated *result.Benchmark `json:"calibrated,omitempty"`
	Decision   *Decision         `json:"decision,omitempty"`
}

// Event describes the progress of a run.
type Event struct {
	Stage     string
	Cycle     int // the cycle running
	Block     int
	Benchmark string
	Variant   string
	Done      bool // the trial finished (else it is starting)
	Trials    int  // trials finished so far, replayed ones included
	Elapsed   time.Duration
}

// Outcome is everything a run produced. It is complete even when the
// context was cancelled part way: whatever finished is kept.
type Outcome struct {
	Benchmarks []result.Benchmark // with their trial length
	Blocks     []result.Block
	Samples    []result.Sample
	Failures   []result.Failure
	Warnings   []string
	// Unsupported maps a variant to the reason its binary cannot run here.
	Unsupported map[string]string
	// Dropped maps each variant a decision left out to the last cycle it
	// was measured in.
	Dropped  map[string]int
	Trials   int // trials run, replayed ones included
	Replayed int
	Cycles   int // cycles completed by this call
	Stopped  string
	Seconds  float64 // time in trials run by this call
}

// CalibrationBenchtime is the -test.benchtime of a calibration trial.
const CalibrationBenchtime = "20ms"

// Run measures in cycles of blocks until Look stops it, MaxCycles is
// reached, every variant is dropped, or ctx is cancelled (then the error
// is ctx's, and the Outcome holds everything finished).
func Run(ctx context.Context, opts Options) (Outcome, error) {
	if opts.Runner == nil {
		opts.Runner = gotool.Exec{}
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Raw == nil {
		opts.Raw = io.Discard
	}
	if opts.TrialTime <= 0 {
		opts.TrialTime = 50 * time.Millisecond
	}
	st := newState(opts)
	return st.out, st.run(ctx)
}

// pairKey names a benchmark of a package.
type pairKey struct{ pkg, bench string }

// state is the bookkeeping of one Run.
type state struct {
	opts     Options
	sched    *scheduler
	out      Outcome
	live     []string                     // variants still measured, the baseline first
	dead     map[string]map[pairKey]bool  // benchmarks a variant failed
	gone     map[pairKey]string           // benchmarks nobody measures any more, and why
	replay   map[[2]int]map[string]Record // block and cycle → variant → trial record
	blocks   map[int]result.Block
	calib    map[pairKey]Record
	decision map[int]Decision
	block    int
	start    time.Time
	svcWarn  map[string]*svcWarning // service warnings by variant and kind
}

func newState(opts Options) *state {
	st := &state{
		opts:  opts,
		sched: newScheduler(opts.Seed),
		out: Outcome{
			Unsupported: map[string]string{},
			Dropped:     map[string]int{},
			Benchmarks:  slices.Clone(opts.Benchmarks),
		},
		live:     slices.Clone(opts.Variants),
		dead:     map[string]map[pairKey]bool{},
		gone:     map[pairKey]string{},
		replay:   map[[2]int]map[string]Record{},
		blocks:   map[int]result.Block{},
		calib:    map[pairKey]Record{},
		decision: map[int]Decision{},
		block:    opts.FirstBlock,
		start:    time.Now(),
	}
	for _, r := range opts.Replay {
		switch {
		case r.Decision != nil:
			st.decision[r.Cycle] = *r.Decision
		case r.Done != nil:
			st.blocks[r.Done.Index] = *r.Done
		case r.Calibrated != nil:
			st.calib[pairKey{r.Calibrated.Package, r.Calibrated.Name}] = r
		default:
			k := [2]int{r.Block, r.Cycle}
			if st.replay[k] == nil {
				st.replay[k] = map[string]Record{}
			}
			st.replay[k][r.Variant] = r
		}
	}
	return st
}

func (st *state) record(r Record) {
	if st.opts.Record != nil {
		st.opts.Record(r)
	}
}

func (st *state) run(ctx context.Context) error {
	if err := st.calibrate(ctx); err != nil {
		return err
	}
	for c := 1; st.opts.MaxCycles <= 0 || c <= st.opts.MaxCycles; c++ {
		cycle := st.opts.FirstCycle + c
		if len(st.live) == 0 {
			break
		}
		for _, bi := range st.sched.cycle(len(st.out.Benchmarks)) {
			if err := st.runBlock(ctx, cycle, st.out.Benchmarks[bi]); err != nil {
				return err
			}
		}
		st.out.Cycles++
		d, ok := st.decision[cycle]
		if ok && st.opts.Replayed != nil {
			st.opts.Replayed(cycle, d)
		}
		if !ok {
			if st.opts.Look == nil {
				continue
			}
			d = st.opts.Look(cycle, &st.out)
			st.record(Record{Cycle: cycle, Decision: &d})
		}
		for _, v := range d.Drop {
			if i := slices.Index(st.live, v); i > 0 { // never the baseline
				st.live = slices.Delete(st.live, i, i+1)
				st.out.Dropped[v] = cycle
			}
		}
		if d.Stop != "" {
			st.out.Stopped = d.Stop
			break
		}
	}
	return nil
}

// layout returns the code layout of a cycle.
func (st *state) layout(cycle int) int {
	fam, err := layout.NewFamily(st.opts.Layouts)
	if st.opts.Layouts <= 1 || err != nil {
		return 0
	}
	return fam.At(cycle-1, uint64(st.opts.Seed))
}

// runBlock runs one block of benchmark b.
func (st *state) runBlock(ctx context.Context, cycle int, b result.Benchmark) error {
	key := pairKey{b.Package, b.Name}
	if _, gone := st.gone[key]; gone {
		return nil
	}
	layout := st.layout(cycle)
	var vars []string
	units := map[string]Unit{}
	for _, v := range st.live {
		if st.dead[v][key] {
			continue
		}
		u, ok := st.opts.Unit(v, b.Package, layout)
		if !ok {
			continue
		}
		units[v] = u
		vars = append(vars, v)
	}
	if len(vars) == 0 || vars[0] != st.opts.Variants[0] {
		return nil // the baseline has no trial: nothing to pair with
	}
	if len(vars) == 1 && len(st.opts.Variants) > 1 {
		return nil // every other variant is done with this benchmark
	}
	st.block++
	order := st.sched.block(b.Package+"\x00"+b.Name, vars)
	blk := result.Block{Index: st.block, Cycle: cycle, Stage: st.opts.Stage, Package: b.Package, Benchmark: b.Name, Order: order, Layout: layout}
	if done, ok := st.blocks[st.block]; ok {
		blk = done
	}
	replayed := st.replay[[2]int{st.block, cycle}]
	var meter *meter
	if len(replayed) < len(order) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		meter = st.startMeter(ctx, &blk)
	}
	var raw bytes.Buffer
	trials := map[string]Record{}
	fresh := map[string]Record{} // the trials not written to Raw before
	for _, v := range order {
		rec, ok := replayed[v]
		if ok {
			st.out.Replayed++
		} else {
			if ctx.Err() != nil {
				st.writeRaw(&raw, order, fresh, units, blk.Index)
				return ctx.Err()
			}
			st.event(cycle, b.Name, v, false)
			rec, ok = st.trial(ctx, units[v], b, cycle)
			if !ok {
				st.writeRaw(&raw, order, fresh, units, blk.Index)
				return ctx.Err() // interrupted mid-trial: its partial output is no sample
			}
			st.record(rec)
			st.out.Seconds += rec.Seconds
			fresh[v] = rec
		}
		trials[v] = rec
		st.apply(units[v], b, rec)
		st.event(cycle, b.Name, v, true)
	}
	st.writeRaw(&raw, order, fresh, units, blk.Index)
	if meter != nil {
		meter.finish(&blk, trials)
		st.record(Record{Cycle: cycle, Block: blk.Index, Done: &blk})
	}
	st.out.Blocks = append(st.out.Blocks, blk)
	return nil
}

// trial runs one trial; false when ctx ended it.
func (st *state) trial(ctx context.Context, u Unit, b result.Benchmark, cycle int) (Record, bool) {
	if st.opts.Service != nil {
		return st.serviceTrial(ctx, u, b, cycle)
	}
	res, err := st.exec(ctx, u, b.Name, b.Benchtime, b.Reps)
	if err != nil && ctx.Err() != nil {
		return Record{}, false
	}
	rec := Record{Cycle: cycle, Block: st.block, Variant: u.Variant, Package: u.Package, Benchmark: b.Name,
		Stdout: string(res.Stdout), Stderr: string(res.Stderr), Seconds: res.Duration.Seconds(), CPU: res.CPU.Seconds()}
	if err != nil {
		rec.Error = err.Error()
		if ge, ok := err.(*gotool.Error); ok {
			rec.Error = trialError(ge)
		}
	}
	return rec, true
}

// exec runs bench of u for benchtime. Once ctx is done, a running trial is
// killed only when Kill ends too.
func (st *state) exec(ctx context.Context, u Unit, bench, benchtime string, reps int) (gotool.Result, error) {
	runCtx := ctx
	if st.opts.Kill != nil {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		stop := context.AfterFunc(st.opts.Kill, cancel)
		defer stop()
	}
	res, err := st.opts.Runner.Run(runCtx, gotool.Cmd{Args: Args(u.Binary, bench, benchtime, reps), Dir: u.Dir, Env: u.Env, Timeout: st.opts.Timeout})
	if err != nil && runCtx.Err() != nil && ctx.Err() == nil {
		return res, runCtx.Err()
	}
	return res, err
}

// apply adds a trial's record to the outcome, live or replayed.
func (st *state) apply(u Unit, b result.Benchmark, rec Record) {
	st.out.Trials++
	var runErr error
	if rec.Error != "" {
		runErr = fmt.Errorf("%s", rec.Error)
	}
	t := readTrial([]byte(rec.Stdout), []byte(rec.Stderr), runErr, u, b.Name, rec.Block, b.Reps)
	st.out.Samples = append(st.out.Samples, t.samples...)
	if st.opts.Service != nil {
		for _, w := range serviceTrialWarnings(rec.Stderr) {
			st.serviceWarn(u.Variant, w)
		}
	}
	for _, w := range t.warnings {
		st.warn(u.Variant + ": " + w)
	}
	key := pairKey{b.Package, b.Name}
	switch {
	case t.cpu:
		st.out.Unsupported[u.Variant] = t.err
		st.drop(u.Variant)
	case t.err != "":
		st.out.Failures = append(st.out.Failures, result.Failure{Variant: u.Variant, Package: u.Package, Benchmark: b.Name, Block: rec.Block, Error: t.err, Output: t.output})
		fmt.Fprintf(st.opts.Log, "  %s %s block %d failed: %s\n", u.Variant, b.Name, rec.Block, firstLine(t.err))
		if st.dead[u.Variant] == nil {
			st.dead[u.Variant] = map[pairKey]bool{}
		}
		st.dead[u.Variant][key] = true
		if u.Variant == st.opts.Variants[0] {
			st.gone[key] = "the baseline failed it"
		}
	}
}

// drop leaves a variant out of every later block.
func (st *state) drop(v string) {
	if i := slices.Index(st.live, v); i >= 0 {
		st.live = slices.Delete(st.live, i, i+1)
	}
}

func (st *state) warn(w string) {
	if !slices.Contains(st.out.Warnings, w) {
		st.out.Warnings = append(st.out.Warnings, w)
	}
}

func (st *state) event(cycle int, bench, variant string, done bool) {
	if st.opts.Progress == nil {
		return
	}
	st.opts.Progress(Event{Stage: st.opts.Stage, Cycle: cycle, Block: st.block, Benchmark: bench, Variant: variant,
		Done: done, Trials: st.out.Trials, Elapsed: time.Since(st.start)})
}

// writeRaw writes a block's trials to the raw file, the baseline first
// and then in the order of Options.Variants, whatever order they ran in
// (the block records that), so that benchstat's first column is the
// baseline.
func (st *state) writeRaw(b *bytes.Buffer, order []string, trials map[string]Record, units map[string]Unit, block int) {
	for _, v := range st.opts.Variants {
		rec, ok := trials[v]
		if !ok || !slices.Contains(order, v) {
			continue
		}
		if st.opts.Keys != nil {
			for _, kv := range st.opts.Keys(units[v]) {
				fmt.Fprintf(b, "%s: %s\n", kv[0], kv[1])
			}
		}
		b.WriteString("block: " + strconv.Itoa(block) + "\n")
		b.WriteString(rec.Stdout)
		if len(rec.Stdout) > 0 && rec.Stdout[len(rec.Stdout)-1] != '\n' {
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	st.opts.Raw.Write(b.Bytes())
	b.Reset()
}
