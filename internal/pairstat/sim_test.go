package pairstat

import (
	"flag"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// machine describes how synthetic trials are drawn. A trial's log time is
//
//	log speed(trial) + effect(build) + σ·N(0,1) [+ ln 1.5 with prob. Outlier]
//
// where log speed is a random walk over the trials of the whole run (the
// machine drifting), with Shift a jump of ln 2 (2× slower) halfway through,
// which may fall inside a block. Builds run in a fresh random order in
// every block, so the drift between two trials of a block enters their
// log-ratio with a random sign, as it does on the real machine.
type machine struct {
	Benches int     // blocks per cycle
	Sigma   float64 // sd of the normal part of a trial's log noise
	Outlier float64 // probability that a trial is 50% slower on top
	Walk    float64 // sd of the log-speed random walk per trial
	Shift   bool    // a 2× slowdown halfway through the planned run
}

// plan is one simulated run of the engine: arms with planted effects
// raced against the baseline, looking after every cycle.
type plan struct {
	machine
	Effects   []float64 // true log-ratio of each arm; 0 for an A/A arm
	FirstLook int       // the first cycle that is looked at
	MaxCycles int       // the planned maximum, the information fraction's denominator
	Spending  Spending
	Margin    float64 // equivalence margin, 0 for none
	// StopArm, when ≥ 0, ends the run as soon as that arm is decided.
	StopArm int
	// observe, when set, sees each cycle's m_i of every arm (indexed by
	// arm; arms already decided hold stale values).
	observe func(m []float64)
	// VerdictsOnly skips the intervals that do not enter the verdicts
	// (see look), which makes the long A/A simulations several times
	// faster; the decisions are the same as Look's.
	VerdictsOnly bool
}

// outcome is what one run decided about each arm and when.
type outcome struct {
	Verdicts []Verdict
	Cycles   []int // the cycle of each verdict, 0 when undecided
}

// run simulates one race. Arms decided at a look are dropped from later
// blocks, and an arm stopped as Equivalent stays in the Holm family.
func (p plan) run(rng *rand.Rand) outcome {
	arms := len(p.Effects)
	out := outcome{Verdicts: make([]Verdict, arms), Cycles: make([]int, arms)}
	d := make([][]float64, arms)
	live := make([]int, arms)
	for i := range live {
		live[i] = i
	}
	shiftAt := -1
	if p.Shift {
		// Halfway through the planned trials, usually inside a block.
		shiftAt = p.MaxCycles*p.Benches*(arms+1)/2 + arms/2
	}
	trial := 0
	logSpeed := 0.0
	family := arms
	prevInfo := 0.0
	y := make([]float64, arms+1) // log time per build in a block; y[arms] is the baseline
	sums := make([]float64, arms)
	order := make([]int, 0, arms+1)
	for cycle := 1; cycle <= p.MaxCycles && len(live) > 0; cycle++ {
		clear(sums)
		for range p.Benches {
			order = append(order[:0], live...)
			order = append(order, arms)
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, b := range order {
				logSpeed += p.Walk * rng.NormFloat64()
				if trial == shiftAt {
					logSpeed += math.Ln2
				}
				trial++
				e := p.Sigma * rng.NormFloat64()
				if rng.Float64() < p.Outlier {
					e += math.Log(1.5)
				}
				if b < arms {
					e += p.Effects[b]
				}
				y[b] = logSpeed + e
			}
			for _, a := range live {
				sums[a] += y[a] - y[arms]
			}
		}
		for _, a := range live {
			sums[a] /= float64(p.Benches)
			d[a] = append(d[a], sums[a])
		}
		if p.observe != nil {
			p.observe(sums)
		}
		if cycle < p.FirstLook {
			continue
		}
		info := float64(cycle) / float64(p.MaxCycles)
		in := make([]Arm, len(live))
		for i, a := range live {
			in[i] = Arm{D: d[a]}
		}
		decs := look(in, LookOptions{Spending: p.Spending, Info: info, PrevInfo: prevInfo, Equivalence: p.Margin, Family: family}, !p.VerdictsOnly)
		prevInfo = info
		kept := live[:0]
		for i, a := range live {
			v := decs[i].Verdict
			if v == Undecided {
				kept = append(kept, a)
				continue
			}
			out.Verdicts[a], out.Cycles[a] = v, cycle
			if v != Equivalent {
				family--
			}
			if a == p.StopArm {
				return out
			}
		}
		live = kept
	}
	return out
}

// races runs n races of p, race i seeded by (seed, i), on all CPUs, and
// returns the outcomes in race order.
func (p plan) races(n int, seed uint64) []outcome {
	out := make([]outcome, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				out[i] = p.run(rand.New(rand.NewPCG(seed, uint64(i))))
			}
		})
	}
	wg.Wait()
	return out
}

// aaRaces overrides the number of A/A races per configuration, e.g.
// go test ./internal/pairstat -run TestAA -aa.races=10000.
var aaRaces = flag.Int("aa.races", 0, "A/A races per configuration of TestAA (0: 2500, 250 with -short)")

// scale returns full races, or a tenth under -short.
func scale(full int) int {
	if testing.Short() {
		return max(50, full/10)
	}
	return full
}

// allowance is the Monte-Carlo allowance for an observed rate over n
// races whose true rate is at most rate: three binomial standard errors.
func allowance(rate float64, n int) float64 {
	return 3 * math.Sqrt(rate*(1-rate)/float64(n))
}

// demo is per-trial noise calibrated on MEASURING.md: a normal part of sd
// 0.2 in log space plus a 5% chance of a +50% outlier (sd ≈ 0.22 in all)
// and a slow drift. Over 6 benchmarks a cycle's m_i then has sd ≈ 0.13,
// which gives the ±2.5% (95%) of the demo after 4 minutes: 111 cycles of
// 6 benchmarks × 6 builds × 60 ms trials, 1.98·0.13/√111 = 2.4%.
var demo = machine{Benches: 6, Sigma: 0.2, Outlier: 0.05, Walk: 0.01}

// TestAA races 8 arms without any effect against the baseline, looking
// after every cycle from 6 to 60, and counts the races in which any arm is
// called Faster or Slower. The spending plan promises at most Alpha. By
// default it runs 2,500 races per configuration (10,000 in all); with
// -aa.races=10000 it observed, per 10,000 races, 0.0083 (O'Brien–Fleming),
// 0.0096 (O'Brien–Fleming, 2× shift), 0.0071 (Pocock) and 0.0059 (Pocock,
// 2× shift): the union bound over 55 correlated looks spends about a sixth
// of the 5% it may.
func TestAA(t *testing.T) {
	n := scale(2500)
	if *aaRaces > 0 {
		n = *aaRaces
	}
	for i, tc := range []struct {
		name  string
		kind  SpendKind
		shift bool
	}{
		{"obrien-fleming", OBrienFleming, false},
		{"obrien-fleming-shift", OBrienFleming, true},
		{"pocock", Pocock, false},
		{"pocock-shift", Pocock, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := demo
			m.Shift = tc.shift
			p := plan{machine: m, Effects: make([]float64, 8), FirstLook: 6, MaxCycles: 60,
				Spending: Spending{Alpha: 0.05, Kind: tc.kind}, StopArm: -1, VerdictsOnly: true}
			false1 := 0
			for _, o := range p.races(n, uint64(100+i)) {
				for _, v := range o.Verdicts {
					if v == Faster || v == Slower {
						false1++
						break
					}
				}
			}
			rate := float64(false1) / float64(n)
			limit := 0.05 + allowance(0.05, n)
			t.Logf("%d A/A races, 8 arms, looks at cycles 6..60: any false Faster/Slower in %.4f (limit %.4f)", n, rate, limit)
			if rate > limit {
				t.Errorf("false decision rate %.4f above %.4f", rate, limit)
			}
		})
	}
}

// realModule is the demo's per-trial noise over a cycle of 24 benchmarks,
// like MEASURING.md's 23-benchmark module: m_i has sd ≈ 0.063.
var realModule = machine{Benches: 24, Sigma: 0.2, Outlier: 0.05, Walk: 0.01, Shift: true}

// TestPower plants a 3% slowdown in one of five arms (the other four
// without effect) and races them with looks after every cycle, the
// O'Brien–Fleming-type plan, alpha 0.05 and a 2% equivalence margin. It
// observed the slowdown called Slower in 0.973 of 400 races, at a median
// of cycle 79 (24 benchmarks × 6 builds × 60 ms trials: about 11 minutes),
// and never Equivalent or Faster.
func TestPower(t *testing.T) {
	n := scale(400)
	effects := []float64{math.Log(1.03), 0, 0, 0, 0}
	p := plan{machine: realModule, Effects: effects, FirstLook: 6, MaxCycles: 150,
		Spending: Spending{Alpha: 0.05}, Margin: 0.02, StopArm: 0}
	slower, equivalent, wrong := 0, 0, 0
	var cycles []int
	for _, o := range p.races(n, 7) {
		switch o.Verdicts[0] {
		case Slower:
			slower++
			cycles = append(cycles, o.Cycles[0])
		case Equivalent:
			equivalent++
		case Faster:
			wrong++
		}
	}
	rate := float64(slower) / float64(n)
	slices.Sort(cycles)
	med := 0
	if len(cycles) > 0 {
		med = cycles[len(cycles)/2]
	}
	t.Logf("%d races, 3%% slowdown among 5 arms, 24 benchmarks a cycle, max 150 cycles: Slower in %.3f (median at cycle %d), Equivalent %d, Faster %d",
		n, rate, med, equivalent, wrong)
	if rate < 0.9 {
		t.Errorf("power %.3f below 0.9", rate)
	}
	if equivalent > 0 || wrong > 0 {
		t.Errorf("the planted slowdown was called Equivalent %d and Faster %d times", equivalent, wrong)
	}
}

// quiet is a machine with little noise: a 1% normal part and a 0.5%
// chance of a +50% outlier.
var quiet = machine{Benches: 6, Sigma: 0.01, Outlier: 0.005, Walk: 0.002, Shift: true}

// TestEquivalence checks the equivalence verdicts: arms without effect and
// little noise end Equivalent; arms 5% slower, or exactly at the 2%
// margin, are called Equivalent at most at the promised rate. It observed
// all 1,200 arms without effect called Equivalent (median at cycle 21),
// 0 of 4,000 arms 5% slower and 1 of 4,000 arms at the margin.
func TestEquivalence(t *testing.T) {
	t.Run("no-effect", func(t *testing.T) {
		n := scale(300)
		p := plan{machine: quiet, Effects: make([]float64, 4), FirstLook: 6, MaxCycles: 60,
			Spending: Spending{Alpha: 0.05}, Margin: 0.02, StopArm: -1}
		eq, arms := 0, 0
		var cycles []int
		for _, o := range p.races(n, 11) {
			for i, v := range o.Verdicts {
				arms++
				if v == Equivalent {
					eq++
					cycles = append(cycles, o.Cycles[i])
				}
			}
		}
		slices.Sort(cycles)
		rate := float64(eq) / float64(arms)
		t.Logf("%d arms without effect, quiet machine: Equivalent in %.3f, median at cycle %d", arms, rate, cycles[len(cycles)/2])
		if rate < 0.99 {
			t.Errorf("only %.3f of the arms without effect were called Equivalent", rate)
		}
	})
	for _, tc := range []struct {
		name   string
		effect float64
		m      machine
		seed   uint64
	}{
		{"five-percent", math.Log(1.05), demo, 12},
		{"at-margin", math.Log(1.02), quiet, 13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := scale(1000)
			p := plan{machine: tc.m, Effects: []float64{tc.effect, tc.effect, tc.effect, tc.effect}, FirstLook: 6, MaxCycles: 60,
				Spending: Spending{Alpha: 0.05}, Margin: 0.02, StopArm: -1}
			eq, arms := 0, 0
			for _, o := range p.races(n, tc.seed) {
				for _, v := range o.Verdicts {
					arms++
					if v == Equivalent {
						eq++
					}
				}
			}
			rate := float64(eq) / float64(arms)
			limit := 0.05 + allowance(0.05, arms)
			t.Logf("%d arms %.1f%% slower, margin 2%%: Equivalent in %.4f (limit %.4f)", arms, 100*math.Expm1(tc.effect), rate, limit)
			if rate > limit {
				t.Errorf("false equivalence rate %.4f above %.4f", rate, limit)
			}
		})
	}
}

// cycleSD estimates the sd of a cycle's m_i on machine m: the spread of
// one arm without effect over many cycles, looked at only once.
func cycleSD(m machine, cycles int, seed uint64) float64 {
	m.Shift = false
	p := plan{machine: m, Effects: []float64{0}, FirstLook: cycles + 1, MaxCycles: cycles, StopArm: -1}
	var d []float64
	p.observe = func(m []float64) { d = append(d, m[0]) }
	p.run(rand.New(rand.NewPCG(seed, 0)))
	mean, sd := 0.0, 0.0
	for _, v := range d {
		mean += v
	}
	mean /= float64(len(d))
	for _, v := range d {
		sd += (v - mean) * (v - mean)
	}
	return math.Sqrt(sd / float64(len(d)-1))
}

// TestCalibration logs the noise of the simulated machines and checks the
// demo's against MEASURING.md: ±2.5% (95%) after 4 minutes, 111 cycles of
// 6 benchmarks × 6 builds × 60 ms.
func TestCalibration(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    machine
	}{{"demo", demo}, {"real-module", realModule}, {"quiet", quiet}} {
		sd := cycleSD(tc.m, 4000, 1)
		t.Logf("%s: %d benchmarks a cycle, m_i sd %.4f; 95%% half-width after 60 cycles ±%.2f%%, after 111 ±%.2f%%",
			tc.name, tc.m.Benches, sd, 100*1.98*sd/math.Sqrt(60), 100*1.98*sd/math.Sqrt(111))
		if tc.name == "demo" {
			if hw := 1.98 * sd / math.Sqrt(111); hw < 0.02 || hw > 0.03 {
				t.Errorf("demo: ±%.2f%% after 111 cycles, want about ±2.5%%", 100*hw)
			}
		}
	}
}
