package pairstat

import (
	"math"

	"github.com/aclements/go-moremath/stats"
)

// SpendKind selects the shape of an alpha-spending function.
type SpendKind int

const (
	// OBrienFleming is the Lan–DeMets O'Brien–Fleming-type function
	// 2-2Φ(z_{α/2}/√t): it spends almost nothing early (5.7e-10 of α=0.05
	// at t=0.1) and most of α near the end, so early stops need
	// overwhelming evidence and the last look is close to a fixed-size
	// test. It is the zero value.
	OBrienFleming SpendKind = iota
	// Pocock is the Lan–DeMets Pocock-type function α·ln(1+(e-1)t): it
	// spends α more evenly (16% of α by t=0.1), which favours early stops.
	Pocock
	// Linear spends α·t, Bonferroni over equally spaced looks.
	Linear
)

// String returns the kind's name.
func (k SpendKind) String() string {
	switch k {
	case OBrienFleming:
		return "obrien-fleming"
	case Pocock:
		return "pocock"
	case Linear:
		return "linear"
	}
	return "SpendKind(?)"
}

// Spending is an alpha-spending plan (Lan and DeMets, 1983): how much of
// the family-wise error rate Alpha may have been spent once the fraction t
// of the planned information has been gathered. For gotune t is the number
// of cycles measured over the planned maximum.
//
// Look spends each look's Increment with a union bound over looks: the
// chance of any false decision in the whole run is at most the sum of the
// increments, which telescopes to Cumulative of the last look's t ≤ Alpha.
// This holds whatever the number and spacing of the looks and however the
// looks' statistics correlate, and even when the looks are chosen as the
// data arrive, as long as t itself does not depend on the outcomes. It is
// conservative: unlike exact group-sequential boundaries it does not
// recover the error the correlation of looks saves. In simulated A/A
// races of 8 arms looked at after each of 55 cycles, the realised
// family-wise error was 0.6–1.0% for Alpha = 5%. The fewer the looks, the
// less is lost: a 3% slowdown that every-cycle looks found in 82% of
// 450-cycle races was found in 96% with a look every 45 cycles.
type Spending struct {
	Alpha float64
	Kind  SpendKind
}

// Cumulative returns the error spent by information fraction t: 0 for
// t ≤ 0, Alpha for t ≥ 1 and the plan's function in between. It is
// non-decreasing in t.
func (s Spending) Cumulative(t float64) float64 {
	switch {
	case !(t > 0) || !(s.Alpha > 0):
		return 0
	case t >= 1:
		return s.Alpha
	}
	var c float64
	switch s.Kind {
	case Pocock:
		c = s.Alpha * math.Log1p((math.E-1)*t)
	case Linear:
		c = s.Alpha * t
	default:
		z := stats.StdNormal.InvCDF(1 - s.Alpha/2)
		c = 2 * stats.StdNormal.CDF(-z/math.Sqrt(t))
	}
	return min(c, s.Alpha)
}

// Increment returns the error a look at information fraction t may spend
// when the previous look was at tPrev (0 for the first look):
// Cumulative(t) - Cumulative(tPrev), and 0 when t ≤ tPrev. Looks past
// t = 1 spend nothing, so a run that overruns its plan can no longer
// decide.
func (s Spending) Increment(tPrev, t float64) float64 {
	return max(0, s.Cumulative(t)-s.Cumulative(tPrev))
}
