package pairstat

import (
	"math"
	"slices"
)

// Arm is one build variant compared with the baseline at a look.
type Arm struct {
	Name string
	// D holds the per-cycle overall log-ratios m_i of the variant against
	// the baseline, in cycle order; a negative value means faster.
	D []float64
}

// LookOptions configure one Look.
type LookOptions struct {
	// Spending is the run's alpha-spending plan.
	Spending Spending
	// Info is the information fraction of this look (cycles so far over
	// the planned maximum) and PrevInfo that of the previous look, 0 for
	// the first. The look may spend Spending.Increment(PrevInfo, Info).
	Info, PrevInfo float64
	// Equivalence is the equivalence margin as a fraction: 0.02 calls an
	// arm Equivalent when its change is shown to lie within ±2% (in log
	// space, within ±ln(1.02)). 0 disables equivalence.
	Equivalence float64
	// Family is the number of hypotheses in this look's Holm family. It
	// must count the arms passed plus every arm the caller stopped
	// measuring without a Faster or Slower verdict (for instance arms
	// called Equivalent), which then count as p-values of 1. Keeping those
	// arms in the family is what makes the run's error bound hold when the
	// arms that remain are chosen by earlier looks. A value below len(arms)
	// counts as len(arms).
	Family int
}

// Verdict is the decision about one arm at a look.
type Verdict int

const (
	// Undecided means keep measuring.
	Undecided Verdict = iota
	// Faster means the variant is significantly faster than the baseline
	// (its log-ratios lean negative).
	Faster
	// Slower means the variant is significantly slower than the baseline.
	Slower
	// Equivalent means the change is shown to lie within the margin.
	Equivalent
)

// String returns the verdict in lower case.
func (v Verdict) String() string {
	switch v {
	case Undecided:
		return "undecided"
	case Faster:
		return "faster"
	case Slower:
		return "slower"
	case Equivalent:
		return "equivalent"
	}
	return "Verdict(?)"
}

// Decision is the outcome of a look for one arm.
type Decision struct {
	Name    string
	Verdict Verdict
	// N is the number of log-ratios, len(Arm.D).
	N int
	// Estimate is the Hodges–Lehmann estimate of the log-ratio, and Lo and
	// Hi its HLInterval at confidence 1-Level; they are infinite while N
	// is too small for that confidence and NaN when N is 0. Looks spend
	// small levels, so this interval is wide: it is the one the verdict
	// rests on, not the one to report (use HLInterval at 95% for that).
	Estimate, Lo, Hi float64
	// P is the signed-rank p-value and PHolm its Holm-adjusted value in
	// the look's family.
	P, PHolm float64
	// Level is the error this look spends, Increment(PrevInfo, Info).
	Level float64
}

// Look decides, at one look, about several arms compared with one
// baseline. It spends α_look = o.Spending.Increment(o.PrevInfo, o.Info):
// each arm gets the two-sided signed-rank test of its log-ratios, the
// p-values are Holm-adjusted across the family (see LookOptions.Family),
// and an arm whose adjusted p-value is at most α_look is Faster or Slower
// by the direction of its signed-rank statistic. Until the first false
// Faster or Slower, every arm without a true effect is still in the family
// (see LookOptions.Family), so Holm keeps that look's chance of a first
// false call below α_look whatever the earlier looks did; the looks spend
// disjoint increments of α, so the chance of any false Faster or Slower
// over the whole run is at most Spending.Alpha (see Spending). The test
// needs log-ratios that are symmetric about 0 when a variant has no
// effect, which running the builds of a block in a random order provides;
// a fixed order lets a drift within a block lean every ratio one way.
//
// With a margin E = o.Equivalence > 0, an arm not called Faster or Slower
// is Equivalent when two one-sided tests at level α_look reject a change
// of ±ln(1+E) or more: when its HLInterval at confidence 1-2α_look lies
// strictly inside (-ln(1+E), +ln(1+E)). This is tested per arm, not
// Holm-adjusted; the chance of calling one given arm Equivalent when its
// true change lies outside the margin is at most Alpha over the run.
//
// Look is stateless and does not modify arms. Arms with a verdict other
// than Undecided are the caller's to drop from later looks; an arm dropped
// as Equivalent stays in the Holm family through LookOptions.Family.
func Look(arms []Arm, o LookOptions) []Decision {
	return look(arms, o, true)
}

// look is Look; without intervals and without an equivalence margin it
// leaves Estimate, Lo and Hi NaN and skips the Walsh averages, which do
// not enter the verdicts then. The long A/A simulations use it.
func look(arms []Arm, o LookOptions, intervals bool) []Decision {
	level := o.Spending.Increment(o.PrevInfo, o.Info)
	out := make([]Decision, len(arms))
	ps := make([]float64, len(arms))
	neg := make([]bool, len(arms))
	eqLog := math.Log1p(o.Equivalence)
	var tost []bool
	if o.Equivalence > 0 {
		tost = make([]bool, len(arms))
	}
	// Buffers reused from arm to arm.
	var (
		x      []float64
		ranks2 []int
		w      walsh
	)
	for i, a := range arms {
		x = append(x[:0], a.D...)
		slices.Sort(x)
		r := rankSorted(x, ranks2)
		ranks2 = r.ranks2
		t := testFromRanks(r)
		ps[i], neg[i] = t.P, t.Negative()
		d := Decision{Name: a.Name, N: len(x), P: t.P, Level: level, Estimate: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
		if len(x) > 0 && (intervals || tost != nil) {
			w.reset(x)
			d.Estimate = w.median()
			d.Lo, d.Hi = walshInterval(&w, level)
			// The 1-2α interval lies inside the 1-α one and around the
			// estimate, which settles most arms without computing it.
			switch {
			case tost == nil || level >= 0.5 || math.Abs(d.Estimate) >= eqLog:
			case d.Lo > -eqLog && d.Hi < eqLog:
				tost[i] = true
			default:
				lo, hi := walshInterval(&w, 2*level)
				tost[i] = lo > -eqLog && hi < eqLog
			}
		}
		out[i] = d
	}
	adj := holmFamily(ps, o.Family)
	for i := range out {
		out[i].PHolm = adj[i]
		switch {
		case level > 0 && adj[i] <= level && neg[i]:
			out[i].Verdict = Faster
		case level > 0 && adj[i] <= level:
			out[i].Verdict = Slower
		case tost != nil && tost[i]:
			out[i].Verdict = Equivalent
		}
	}
	return out
}
