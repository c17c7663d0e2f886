package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
)

// synth describes a synthetic run with a known truth.
type synth struct {
	effects map[string]float64 // per variant: the true change of its time, 0.05 = 5% slower
	order   []string           // variants, the baseline first
	benches int
	cycles  int
	noise   float64 // log-normal sd of one trial
	// benchNoise replaces noise for the benchmarks it names, by index.
	benchNoise map[int]float64
	outliers   float64 // chance of a trial 50% slower
	shift      bool    // the machine runs 2× slower from the middle of the run on
	layouts    int
	layoutSD   float64 // per variant and layout, a fixed offset of this sd
	seed       uint64
}

// run generates the samples: one block per benchmark and cycle, every
// variant in it, the machine's speed drifting from block to block.
func (s synth) run() *result.Run {
	rng := rand.New(rand.NewPCG(s.seed, 7))
	run := &result.Run{Baseline: s.order[0]}
	for i, v := range s.order {
		st := result.StatusOK
		run.Variants = append(run.Variants, result.Variant{Name: v, Status: st, Complexity: i})
	}
	offset := map[string]float64{}
	for _, v := range s.order {
		for l := 0; l < max(s.layouts, 1); l++ {
			offset[fmt.Sprint(v, l)] = rng.NormFloat64() * s.layoutSD
		}
	}
	block := 0
	total := s.cycles * s.benches
	for c := 1; c <= s.cycles; c++ {
		layout := 0
		if s.layouts > 1 {
			layout = (c - 1) % s.layouts
		}
		for b := 0; b < s.benches; b++ {
			block++
			speed := 1 + 0.3*math.Sin(float64(block)/5) // slow drift
			if s.shift && block > total/2 {
				speed *= 2
			}
			run.Blocks = append(run.Blocks, result.Block{Index: block, Cycle: c, Benchmark: fmt.Sprint("B", b), Order: s.order, Layout: layout})
			noise := s.noise
			if n, ok := s.benchNoise[b]; ok {
				noise = n
			}
			for _, v := range s.order {
				x := 1e-6 * float64(b+1) * (1 + s.effects[v]) * speed * math.Exp(rng.NormFloat64()*noise+offset[fmt.Sprint(v, layout)])
				if rng.Float64() < s.outliers {
					x *= 1.5
				}
				run.Samples = append(run.Samples,
					result.Sample{Variant: v, Package: "p", Benchmark: fmt.Sprint("B", b), Unit: TimeUnit, Block: block, Value: x},
					result.Sample{Variant: v, Package: "p", Benchmark: fmt.Sprint("B", b), Unit: "B/op", Block: block, Value: 64},
				)
			}
		}
	}
	return run
}

func TestAnalyzePlantedEffects(t *testing.T) {
	run := synth{
		order:   []string{"baseline", "fast", "slow", "same"},
		effects: map[string]float64{"fast": -0.10, "slow": 0.10},
		benches: 6, cycles: 30, noise: 0.03, seed: 1,
	}.run()
	a := Analyze(run, Options{})
	want := map[string]string{"baseline": result.VerdictBaseline, "fast": result.VerdictFaster, "slow": result.VerdictSlower, "same": result.VerdictSame}
	for _, s := range a.Variants {
		if s.Verdict != want[s.Name] {
			t.Errorf("%s: verdict %s (%s), want %s", s.Name, s.Verdict, s.Says, want[s.Name])
		}
	}
	if a.Winner != "fast" || a.Verdict != result.RunWinner {
		t.Errorf("winner %q, verdict %s: %s", a.Winner, a.Verdict, a.VerdictText)
	}
	f := run.Stats("fast")
	if f == nil {
		run.Analysis = a
		f = run.Stats("fast")
	}
	if f.Change.Center < 0.88 || f.Change.Center > 0.92 || f.Change.Hi >= 1 || f.Rank != 1 || f.Improved != 6 {
		t.Errorf("fast: %+v %+v", f, *f.Change)
	}
	if s := run.Stats("slow"); s.Rank != 3 || s.Worse != 6 || run.Stats("same").Rank != 2 || run.Stats("baseline").Rank != 2 {
		t.Errorf("ranks: slow %d, same %d, baseline %d", s.Rank, run.Stats("same").Rank, run.Stats("baseline").Rank)
	}
	if !strings.Contains(a.VerdictText, "fast is 10.") {
		t.Errorf("verdict text %q", a.VerdictText)
	}
	// B/op never changed: not significant, ratio 1.
	if b := run.Stats("slow").Bytes; b == nil || *b != 1 || run.Stats("slow").BytesSignificant {
		t.Errorf("bytes ratio %v", b)
	}
}

// The machine running 2× slower from the middle of the run on changes
// nothing: each ratio is taken within a block, so the interval is the one
// of the same run without the shift. (A/A runs with the shift are in
// TestAnalyzeAAFalseRate.)
func TestAnalyzeSurvivesDrift(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		s := synth{
			order:   []string{"baseline", "v2"},
			effects: map[string]float64{"v2": -0.06},
			benches: 4, cycles: 24, noise: 0.04, seed: seed,
		}
		calm := Analyze(s.run(), Options{})
		s.shift = true
		run := s.run()
		run.Analysis = Analyze(run, Options{})
		v := run.Stats("v2")
		if v.Verdict != result.VerdictFaster {
			t.Errorf("seed %d: v2 %s (%s)", seed, v.Verdict, v.Says)
		}
		if c := calm.Variants[1].Change; math.Abs(c.Center-v.Change.Center) > 1e-9 || math.Abs(c.Lo-v.Change.Lo) > 1e-9 {
			t.Errorf("seed %d: the shift moved the estimate: %+v without, %+v with", seed, *c, *v.Change)
		}
	}
}

// A/A: over many synthetic runs with three variants and no effect, the
// runs that call any variant faster or slower stay at α.
func TestAnalyzeAAFalseRate(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 100
	}
	false := 0
	for seed := range n {
		run := synth{
			order:   []string{"baseline", "a", "b", "c"},
			benches: 4, cycles: 12, noise: 0.08, outliers: 0.05, shift: seed%2 == 0, seed: uint64(seed),
		}.run()
		a := Analyze(run, Options{})
		for _, s := range a.Variants {
			if s.Verdict == result.VerdictFaster || s.Verdict == result.VerdictSlower {
				false++
				break
			}
		}
	}
	rate := float64(false) / float64(n)
	t.Logf("A/A: %d of %d runs called a variant different (%.1f%%)", false, n, 100*rate)
	// α = 5% plus three binomial standard errors.
	if limit := 0.05 + 3*math.Sqrt(0.05*0.95/float64(n)); rate > limit {
		t.Errorf("false rate %.3f above %.3f", rate, limit)
	}
}

func TestLookSpendsAlpha(t *testing.T) {
	run := synth{order: []string{"baseline", "a"}, benches: 3, cycles: 40, noise: 0.05, seed: 3}.run()
	spent := 0.0
	for cycle := 6; cycle < 40; cycle += 2 {
		in := LookInput{Samples: run.Samples, Blocks: blocksUpTo(run.Blocks, cycle), Baseline: "baseline",
			Arms: []string{"a"}, Family: 1, Cycle: cycle, Planned: 40, Spent: spent}
		look, _ := Look(in, Options{})
		if look.Level < 0 {
			t.Fatalf("negative level %g", look.Level)
		}
		spent += look.Level
	}
	if spent > DefaultAlpha*InterimShare {
		t.Errorf("interim looks spent %g, more than their share %g", spent, DefaultAlpha*InterimShare)
	}
	last, _ := Look(LookInput{Samples: run.Samples, Blocks: run.Blocks, Baseline: "baseline", Arms: []string{"a"}, Family: 1, Cycle: 40, Planned: 40, Spent: spent}, Options{})
	if math.Abs(spent+last.Level-DefaultAlpha) > 1e-12 {
		t.Errorf("looks spent %g in all, want exactly α = %g by the planned last cycle", spent+last.Level, DefaultAlpha)
	}
	look, _ := Look(LookInput{Samples: run.Samples, Blocks: run.Blocks, Baseline: "baseline", Arms: []string{"a"}, Family: 1, Cycle: 41, Planned: 40, Spent: DefaultAlpha}, Options{})
	if look.Level != 0 {
		t.Errorf("a look past the plan spent %g, want nothing left", look.Level)
	}
	final, _ := Look(LookInput{Samples: run.Samples, Blocks: run.Blocks, Baseline: "baseline", Arms: []string{"a"}, Family: 1, Cycle: 10, Planned: 40, Final: true, Spent: 0.01}, Options{})
	if math.Abs(final.Level-0.04) > 1e-12 {
		t.Errorf("a final look spent %g, want the 0.04 left", final.Level)
	}
}

// blocksUpTo returns the blocks of the first cycles: a look sees only what
// was measured so far.
func blocksUpTo(bs []result.Block, cycle int) []result.Block {
	var out []result.Block
	for _, b := range bs {
		if b.Cycle <= cycle {
			out = append(out, b)
		}
	}
	return out
}

func TestAnalyzeKeepsSequentialDecisions(t *testing.T) {
	run := synth{order: []string{"baseline", "a", "b"}, effects: map[string]float64{"a": 0.2}, benches: 3, cycles: 20, noise: 0.03, seed: 5}.run()
	run.Sequential = &result.Sequential{Spent: 0.03, Decided: map[string]result.Decision{
		"a": {Cycle: 8, Verdict: result.VerdictSlower, Change: result.Ratio{Center: 1.2, Lo: 1.1, Hi: 1.3}, Level: 0.01, P: 0.001},
	}}
	a := Analyze(run, Options{})
	run.Analysis = a
	if s := run.Stats("a"); s.Verdict != result.VerdictSlower || s.DecidedAt != 8 || s.Change.Lo != 1.1 || s.Level != 0.01 {
		t.Errorf("a: %+v", s)
	}
	// b is decided at the end with the 0.02 left.
	if s := run.Stats("b"); s.Level > 0.02+1e-12 || s.DecidedAt != 0 {
		t.Errorf("b: %+v", s)
	}
}

func TestAnalyzeTwinsAndUnmeasured(t *testing.T) {
	run := synth{order: []string{"baseline", "v3"}, effects: map[string]float64{"v3": -0.1}, benches: 3, cycles: 20, noise: 0.02, seed: 9}.run()
	run.Variants = append(run.Variants,
		result.Variant{Name: "v3-stripped", Status: result.StatusOK, SameCodeAs: "v3", Complexity: 0},
		result.Variant{Name: "v4", Status: result.StatusSkipped, Reason: "cpu"})
	run.Analysis = Analyze(run, Options{})
	tw := run.Stats("v3-stripped")
	if tw.Verdict != result.VerdictSameCode || tw.Change == nil || tw.Rank != run.Stats("v3").Rank {
		t.Errorf("twin: %+v", tw)
	}
	// The twin ties with v3 and is simpler: it wins.
	if run.Analysis.Winner != "v3-stripped" {
		t.Errorf("winner %q, want the simpler twin", run.Analysis.Winner)
	}
	if s := run.Stats("v4"); s.Verdict != result.VerdictNotMeasured || s.Rank != 0 {
		t.Errorf("v4: %+v", s)
	}
}

func TestAnalyzeNoBaseline(t *testing.T) {
	run := &result.Run{Baseline: "baseline", Variants: []result.Variant{{Name: "baseline", Status: result.StatusFailed}, {Name: "v3", Status: result.StatusOK}}}
	a := Analyze(run, Options{})
	if a.Verdict != result.RunNone || len(a.Variants) != 2 || a.Variants[1].Verdict != result.VerdictNotMeasured {
		t.Errorf("analysis %+v", a)
	}
}

func TestComparisonsWithZeros(t *testing.T) {
	run := &result.Run{Baseline: "b", Variants: []result.Variant{{Name: "b", Status: result.StatusOK}, {Name: "v", Status: result.StatusOK}}}
	for i := 1; i <= 10; i++ {
		run.Blocks = append(run.Blocks, result.Block{Index: i, Cycle: i})
		run.Samples = append(run.Samples,
			result.Sample{Variant: "b", Package: "p", Benchmark: "X", Unit: "B/op", Block: i, Value: 0},
			result.Sample{Variant: "v", Package: "p", Benchmark: "X", Unit: "B/op", Block: i, Value: 16},
			result.Sample{Variant: "b", Package: "p", Benchmark: "X", Unit: "allocs/op", Block: i, Value: 2},
			result.Sample{Variant: "v", Package: "p", Benchmark: "X", Unit: "allocs/op", Block: i, Value: 1},
		)
	}
	t2 := newTable(run.Samples, run.Blocks, "b")
	comps := comparisons(t2, run, Options{}.withDefaults())
	if len(comps) != 2 {
		t.Fatalf("comparisons %+v", comps)
	}
	for _, c := range comps {
		switch c.Unit {
		case "B/op":
			if !math.IsNaN(c.Change.Center) || len(c.Warnings) == 0 {
				t.Errorf("B/op from 0: %+v", c)
			}
		case "allocs/op":
			if c.Change.Center != 0.5 || !c.Significant || c.N != 10 {
				t.Errorf("allocs/op halved: %+v", c)
			}
		}
	}
}

// layoutRun is a run of two variants measured in two code layouts: the
// variant's true change is before in layout 0 and after in layout 1.
func layoutRun(before, after float64, seed uint64) *result.Run {
	s := synth{order: []string{"baseline", "v"}, benches: 3, cycles: 24, noise: 0.02, layouts: 2, seed: seed}
	run := s.run()
	for i, sm := range run.Samples {
		if sm.Variant != "v" || sm.Unit != TimeUnit {
			continue
		}
		b := run.Blocks[sm.Block-1]
		f := 1 + before
		if b.Layout == 1 {
			f = 1 + after
		}
		run.Samples[i].Value *= f
	}
	return run
}

// A build that wins in one code layout and loses in the other is not
// called faster or slower: where the linker put the code may be all of it.
// One that is slower in both is slower, with the layouts' spread.
func TestAnalyzeLayouts(t *testing.T) {
	run := layoutRun(0.40, -0.30, 1)
	run.Analysis = Analyze(run, Options{})
	v := run.Stats("v")
	if v.Verdict != result.VerdictUnclear || !v.LayoutSensitive || !strings.Contains(v.Says, "some code layouts") || v.LayoutSpread < 0.2 {
		t.Errorf("flip-flop variant: %+v", v)
	}
	sensitive := 0
	for _, c := range run.Analysis.Comparisons {
		if c.Unit == TimeUnit && c.LayoutSensitive {
			sensitive++
		}
	}
	if sensitive != 3 {
		t.Errorf("%d benchmarks called layout-sensitive, want all 3", sensitive)
	}

	run = layoutRun(0.10, 0.14, 2)
	run.Analysis = Analyze(run, Options{})
	v = run.Stats("v")
	if v.Verdict != result.VerdictSlower || v.LayoutSensitive || v.LayoutSpread == 0 {
		t.Errorf("slower in every layout: %+v", v)
	}
	for _, c := range run.Analysis.Comparisons {
		if c.Unit == TimeUnit && (c.LayoutSensitive || !c.Significant) {
			t.Errorf("%s: a 10–14%% slowdown in both layouts: %+v", c.Benchmark, c)
		}
	}

	// The spread is judged in logs: 3× slower in one layout and 9× in the
	// other is a large slowdown, not layout luck (the difference of the
	// ratios, 6, would exceed the change's +420%).
	run = layoutRun(2, 8, 3)
	run.Analysis = Analyze(run, Options{})
	for _, c := range run.Analysis.Comparisons {
		if c.Unit == TimeUnit && (c.LayoutSensitive || !c.Significant) {
			t.Errorf("%s: 3× and 9× slower: %+v", c.Benchmark, c)
		}
	}
}

// Two levels equally faster tie; the lower, which runs on more machines,
// wins.
func TestWinnerPrefersLowerLevel(t *testing.T) {
	run := synth{order: []string{"baseline", "goamd64=v4", "goamd64=v2"}, effects: map[string]float64{"goamd64=v4": -0.3, "goamd64=v2": -0.3},
		benches: 3, cycles: 20, noise: 0.02, seed: 11}.run()
	run.Variants[1].Settings = axis.Settings{"goamd64": "v4"}
	run.Variants[2].Settings = axis.Settings{"goamd64": "v2"}
	run.Variants[1].Complexity, run.Variants[2].Complexity = 1, 1
	if a := Analyze(run, Options{}); a.Winner != "goamd64=v2" {
		t.Errorf("winner %q, want goamd64=v2", a.Winner)
	}
}

// TestLayoutFalseWins is the simulation of docs/layout.md: a build with no
// effect of its own, whose every code layout adds a random offset to its
// time (a layout × variant interaction of sd 0.5% to 10%, drawn afresh for
// each variant and layout, the baseline's too), is called faster in at
// most α = 5% of 300 runs when measured in four layouts, where the
// layouts' spread enters the verdict as a random effect; a true 3% gain
// without interaction is still found in nearly every run. With two
// layouts a verdict only needs the same sign in both: the rate is logged,
// not bounded (docs/layout.md gives it).
func TestLayoutFalseWins(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulation of 4,000 runs")
	}
	const runs = 300
	for _, k := range []int{2, 4} {
		for _, sd := range []float64{0, 0.005, 0.01, 0.03, 0.10} {
			wins, alarms := 0, 0
			for seed := range uint64(runs) {
				run := synth{order: []string{"baseline", "v"}, benches: 3, cycles: 24, noise: 0.03, layouts: k, layoutSD: sd, seed: seed}.run()
				switch Analyze(run, Options{}).Variants[1].Verdict {
				case result.VerdictFaster:
					wins++
					alarms++
				case result.VerdictSlower:
					alarms++
				}
			}
			t.Logf("K=%d, interaction sd %4.1f%%: called faster in %2d of %d runs, faster or slower in %2d", k, 100*sd, wins, runs, alarms)
			if k == 4 && wins*20 > runs {
				t.Errorf("K=%d, interaction sd %.1f%%: called faster in %d of %d runs, more than 5%%", k, 100*sd, wins, runs)
			}
		}
		found := 0
		for seed := range uint64(runs) {
			run := synth{order: []string{"baseline", "v"}, effects: map[string]float64{"v": -0.03}, benches: 3, cycles: 24, noise: 0.03, layouts: k, seed: seed}.run()
			if Analyze(run, Options{}).Variants[1].Verdict == result.VerdictFaster {
				found++
			}
		}
		t.Logf("K=%d: a true 3%% gain found in %d of %d runs", k, found, runs)
		if found*10 < runs*9 {
			t.Errorf("K=%d: a true 3%% gain found in only %d of %d runs", k, found, runs)
		}
	}
}

// TestLayoutSameSpeed: a build whose four layouts land 1.8% on either
// side of the baseline, measured with little noise, is not "the same
// speed (within ±2%)": each layout is within ±2%, but with so few layouts
// the next build's layout could land further out (the random-effects
// interval, ±2.4% here, is wider than ±2%); and its interval says so.
func TestLayoutSameSpeed(t *testing.T) {
	s := synth{order: []string{"baseline", "v"}, benches: 3, cycles: 24, noise: 0.002, layouts: 4, seed: 3}
	run := s.run()
	for i, sm := range run.Samples {
		if sm.Variant == "v" && sm.Unit == TimeUnit {
			run.Samples[i].Value *= 1 + []float64{0.018, -0.018, 0.018, -0.018}[run.Blocks[sm.Block-1].Layout]
		}
	}
	v := Analyze(run, Options{}).Variants[1]
	if v.Verdict == result.VerdictSame {
		t.Errorf("layouts ±1.8%% apart called the same speed within ±2%%: %+v", v)
	}
	if c := v.Change; c == nil || c.Lo > 0.98 || c.Hi < 1.02 {
		t.Errorf("interval %+v does not reach beyond ±2%%", c)
	}
}
