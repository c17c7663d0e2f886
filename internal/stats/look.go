package stats

import (
	"math"
	"slices"

	"github.com/gotune/gotune/internal/pairstat"
	"github.com/gotune/gotune/internal/result"
)

// Defaults of Options.
const (
	DefaultAlpha       = 0.05
	DefaultEquivalence = 0.02
	// DefaultSpending spends the interim looks' share of α fairly evenly
	// over them (Pocock-type), so that clear differences stop early.
	DefaultSpending = pairstat.Pocock
	// InterimShare is the share of α the looks before the last may spend;
	// the last look gets the rest. Spending α over every look by a union
	// bound is conservative (pairstat's simulations: 0.6–1.0% false wins
	// for α = 5% with a look after every cycle), so the last look, which
	// sees the most data, keeps half.
	InterimShare = 0.5
)

// Options configure the statistics. Zero fields take the defaults.
type Options struct {
	Alpha       float64 // family-wise error rate over variants and looks
	Equivalence float64 // the margin of "same speed": 0.02 = ±2%
	// Unit is the unit the verdicts are about; "" = TimeUnit (Analyze:
	// the run's metric, Options.MetricUnit). A unit better higher (ending
	// in "/s") is compared as its inverse, so that a change below 1 is
	// always an improvement.
	Unit string
}

func (o Options) withDefaults() Options {
	if o.Unit == "" {
		o.Unit = TimeUnit
	}
	if !(o.Alpha > 0 && o.Alpha < 1) {
		o.Alpha = DefaultAlpha
	}
	if !(o.Equivalence > 0 && o.Equivalence < 1) {
		o.Equivalence = DefaultEquivalence
	}
	return o
}

// LookInput is what one look at the data sees.
type LookInput struct {
	Samples  []result.Sample
	Blocks   []result.Block
	Baseline string
	// Arms are the variants still undecided; Family counts them plus the
	// variants an earlier look called the same speed, which keep their
	// place in the Holm family (see pairstat.LookOptions.Family).
	Arms   []string
	Family int
	// Cycle is the last complete cycle; Planned the most cycles the budget
	// allows now. A look at or past Planned, or with Final, spends all
	// that is left of α.
	Cycle, Planned int
	Final          bool
	// Spent is the α earlier looks spent.
	Spent float64
}

// Look decides the undecided variants at one look of a sequential run.
// An interim look spends InterimShare of α by the DefaultSpending
// function of the information fraction Cycle/Planned, minus what earlier
// looks spent; the final look spends all that is left. The error rate over
// every look stays at α whatever the number of looks (a union bound). Each variant's per-cycle overall log-ratios get a
// signed-rank test, Holm across the family; a variant is faster or slower
// when Holm rejects, the same speed when its interval at 1−2·level lies
// within ±Equivalence (two one-sided tests), else undecided. It returns
// the look and a decision for every arm that was decided.
func Look(in LookInput, o Options) (result.Look, map[string]result.Decision) {
	o = o.withDefaults()
	interim := pairstat.Spending{Alpha: o.Alpha * InterimShare, Kind: DefaultSpending}
	info := 1.0
	if in.Planned > 0 && !in.Final {
		info = min(1, float64(in.Cycle)/float64(in.Planned))
	}
	level := max(0, interim.Cumulative(info)-in.Spent)
	if info >= 1 {
		level = max(0, o.Alpha-in.Spent)
	}
	look := result.Look{Cycle: in.Cycle, Info: info, Level: level}
	t := newTable(in.Samples, in.Blocks, in.Baseline)
	t.unit = o.Unit
	decided := map[string]result.Decision{}
	for _, a := range decide(t, in.Arms, in.Family, level, o.Equivalence) {
		if a.verdict != result.VerdictUnclear {
			decided[a.name] = result.Decision{Cycle: in.Cycle, Verdict: a.verdict, Change: a.change, Level: a.level, P: a.p}
		}
	}
	return look, decided
}

// arm is the outcome of one variant at a look.
type arm struct {
	name    string
	verdict string
	change  result.Ratio // at 1−level
	level   float64
	p       float64
	cycles  []cycle
	layout  bool // significant, but not in every code layout
}

// decide tests the arms at one level. Every arm's interval is the one
// its verdict rests on, so that verdict and interval never disagree: for
// faster and slower, the interval at Holm's level for the arm's step; for
// the same speed, the interval of the two one-sided tests; for undecided,
// the interval at the level where Holm stopped.
func decide(t *table, names []string, family int, level, equivalence float64) []arm {
	var arms []pairstat.Arm
	out := make([]arm, len(names))
	for i, n := range names {
		cs := t.cycles(n)
		out[i] = arm{name: n, cycles: cs, verdict: result.VerdictUnclear}
		arms = append(arms, pairstat.Arm{Name: n, D: values(cs)})
	}
	if len(arms) == 0 {
		return out
	}
	ds := pairstat.Look(arms, pairstat.LookOptions{Level: level, Equivalence: equivalence, Family: family})
	levels := holmLevels(ds, max(family, len(ds)), level)
	for i, d := range ds {
		a := &out[i]
		a.p, a.level = d.P, levels[i]
		switch d.Verdict {
		case pairstat.Faster:
			a.verdict = result.VerdictFaster
		case pairstat.Slower:
			a.verdict = result.VerdictSlower
		case pairstat.Equivalent:
			a.verdict, a.level = result.VerdictSame, min(1, 2*level)
		}
		re, multi := layoutInterval(a.cycles, a.level)
		a.checkLayouts(math.Log1p(equivalence), re, multi)
		lo, hi := interval(a.cycles, a.level)
		a.change = result.Ratio{Center: math.Exp(pairstat.HodgesLehmann(arms[i].D)), Lo: math.Exp(lo), Hi: math.Exp(hi)}
	}
	return out
}

// interval is the interval of the per-cycle log-ratios cs at 1−level:
// the Hodges–Lehmann interval, widened to hold the random-effects
// interval of the layouts when there are MinREL of them or more.
func interval(cs []cycle, level float64) (lo, hi float64) {
	lo, hi = pairstat.HLInterval(values(cs), 1-level)
	if re, multi := layoutInterval(cs, level); multi {
		lo, hi = min(lo, re.Lo), max(hi, re.Hi)
	}
	return lo, hi
}

// checkLayouts makes a's verdict hold beyond the luck of code layout: a
// build wins or loses only when it does so in every layout and when the
// random-effects interval re (multi: measured in MinREL layouts or more; the
// layout a random effect, pairstat.LayoutInterval) excludes 0 as well; it
// is the same speed only when it is in every layout (within ±eq, a
// log-ratio) and, with multi, when re lies within ±eq too. Otherwise the
// difference may be where the linker put the
// code, not the setting, and the verdict is undecided with a.layout set.
// An undecided arm gets a.layout when its layouts disagree beyond ±eq.
func (a *arm) checkLayouts(eq float64, re pairstat.LayoutMean, multi bool) {
	means := layoutMeans(a.cycles)
	switch a.verdict {
	case result.VerdictFaster, result.VerdictSlower:
		if bothSides(means, 0) || multi && re.Lo <= 0 && re.Hi >= 0 {
			a.verdict, a.layout = result.VerdictUnclear, true
		}
	case result.VerdictSame:
		if outside(means, eq) || multi && (re.Lo <= -eq || re.Hi >= eq) {
			a.verdict, a.layout = result.VerdictUnclear, true
		}
	default:
		a.layout = bothSides(means, eq)
	}
}

// bothSides reports whether some layout's mean change is below −margin
// and another's above +margin (with two layouts or more).
func bothSides(means map[int]float64, margin float64) bool {
	if len(means) < 2 {
		return false
	}
	neg, pos := false, false
	for _, m := range means {
		neg, pos = neg || m < -margin, pos || m > margin
	}
	return neg && pos
}

// outside reports whether some layout's mean change lies beyond ±margin
// (with two layouts or more).
func outside(means map[int]float64, margin float64) bool {
	if len(means) < 2 {
		return false
	}
	for _, m := range means {
		if math.Abs(m) > margin {
			return true
		}
	}
	return false
}

// MinREL is the fewest code layouts whose spread enters a verdict as a
// random effect (pairstat.LayoutInterval). With two, the interaction's
// variance has one degree of freedom, and Student's t(0.975, 1) = 12.7
// would bar a build 10% slower in one layout and 14% in the other from
// being called slower; two layouts only ask for the same sign in each.
const MinREL = 3

// layoutInterval returns the random-effects interval of cs at 1−level,
// and whether it applies: measured in MinREL layouts or more.
func layoutInterval(cs []cycle, level float64) (pairstat.LayoutMean, bool) {
	re, ok := pairstat.LayoutInterval(layoutGroups(cs), 1-level)
	return re, ok && re.Layouts >= MinREL
}

// layoutGroups returns the per-cycle log-ratios of cs, one slice per
// layout, in layout order.
func layoutGroups(cs []cycle) [][]float64 {
	by := map[int][]float64{}
	var order []int
	for _, c := range cs {
		if _, ok := by[c.layout]; !ok {
			order = append(order, c.layout)
		}
		by[c.layout] = append(by[c.layout], c.m)
	}
	slices.Sort(order)
	out := make([][]float64, len(order))
	for i, l := range order {
		out[i] = by[l]
	}
	return out
}

// layoutMeans returns the mean per-cycle log-ratio of each layout with at
// least two cycles.
func layoutMeans(cs []cycle) map[int]float64 {
	sum, n := map[int]float64{}, map[int]int{}
	for _, c := range cs {
		sum[c.layout] += c.m
		n[c.layout]++
	}
	out := map[int]float64{}
	for k, s := range sum {
		if n[k] >= 2 {
			out[k] = s / float64(n[k])
		}
	}
	return out
}

// holmLevels returns the level each decision's interval is drawn at:
// Holm's step level α/(m−r+1) for the arms it rejected, and for the rest
// the level of the step where it stopped.
func holmLevels(ds []pairstat.Decision, m int, alpha float64) []float64 {
	idx := make([]int, len(ds))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case ds[a].P < ds[b].P:
			return -1
		case ds[a].P > ds[b].P:
			return 1
		}
		return 0
	})
	out := make([]float64, len(ds))
	stopped := false
	var stop float64
	for r, i := range idx {
		step := alpha / float64(m-r)
		if !stopped && ds[i].P > step {
			stopped, stop = true, step
		}
		if stopped {
			out[i] = stop
		} else {
			out[i] = step
		}
	}
	return out
}

// VerdictCycles is the fewest cycles at which the exact signed-rank test
// can call any of m variants faster or slower at all: the last look keeps
// at least (1−InterimShare)·alpha, and Holm's first step divides it by m.
// Below it every difference, however large, stays "could not tell"; a run
// needs more cycles than this to have power.
func VerdictCycles(alpha float64, m int) int {
	return cyclesFor((1 - InterimShare) * alpha / float64(max(m, 1)))
}

// cyclesFor is the fewest pairs whose exact signed-rank test can reach
// level (pairstat.MinP), at most 64.
func cyclesFor(level float64) int {
	n := 1
	for pairstat.MinP(n) > level && n < 64 {
		n++
	}
	return n
}
