package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/gotune/gotune/internal/result"
)

// The one sign convention of every report: a change is said in words next
// to its number, never as a bare signed percentage. For time (sec/op),
// "faster" is less time per operation and "slower" more, as stats'
// verdicts say: 3.1% faster is a time ratio of 0.969, 2.0% slower one of
// 1.020. Rates (units ending in /s) are faster when they grow. Every other
// unit (B/op, allocs/op, custom metrics) is "less" or "more". An interval
// is said the same way: "(2.7% to 3.5%)" when both ends go the same way as
// the number before it, else with a word at each end, the worse end first:
// "(1.2% slower to 2.0% faster)". A change that is not significant is "~",
// followed by its interval, so that no report calls faster what the
// statistics could not tell from noise.

// Direction words of a unit.
type words struct{ better, worse string }

var (
	speedWords  = words{"faster", "slower"}
	amountWords = words{"less", "more"}
)

// wordsOf returns the words a change of unit is said with.
func wordsOf(unit string) words {
	u := tidyUnit(unit)
	if u == "sec/op" || strings.HasSuffix(u, "/s") {
		return speedWords
	}
	return amountWords
}

// gain returns the improvement a ratio to the baseline stands for, as a
// fraction: +0.031 for a time ratio of 0.969 (3.1% faster), −0.02 for one
// of 1.02 (2.0% slower); for a rate, +0.05 for a ratio of 1.05.
func gain(ratio float64, unit string) float64 {
	if higherIsBetter(unit) {
		return ratio - 1
	}
	return 1 - ratio
}

// higherIsBetter reports whether a larger value of unit is an
// improvement: true for rates such as B/s.
func higherIsBetter(unit string) bool {
	return strings.HasSuffix(tidyUnit(unit), "/s")
}

// usable reports whether a ratio can be said as a change: finite and
// positive.
func usable(ratio float64) bool { return finite(ratio) && ratio > 0 }

// changeWords says a ratio to the baseline in words: "3.1% faster",
// "2.0% slower", "5.0% less"; "no change" when it rounds to 0.0%, "?"
// when it is not a number.
func changeWords(ratio float64, unit string) string {
	if !usable(ratio) {
		return "?"
	}
	g := gain(ratio, unit)
	if math.Abs(g) < 0.0005 {
		return "no change"
	}
	w := wordsOf(unit)
	if g > 0 {
		return pct1(g) + " " + w.better
	}
	return pct1(-g) + " " + w.worse
}

// timeWords is changeWords for sec/op.
func timeWords(ratio float64) string { return changeWords(ratio, "sec/op") }

// pct1 formats a fraction as a percentage with one decimal: 0.031 → "3.1%".
func pct1(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

// intervalWords says the interval of a ratio in parentheses: "(2.7% to
// 3.5% faster)", "(1.2% slower to 2.0% faster)"; "(too few pairs for an
// interval)" when it is unbounded. With short, the word after the two
// numbers is left out when both go one way (the number before says it).
func intervalWords(r result.Ratio, unit string, short bool) string {
	if !bounded(r) {
		return "(too few pairs for an interval)"
	}
	a, b := gain(r.Lo, unit), gain(r.Hi, unit)
	if a > b {
		a, b = b, a // a is the worse end
	}
	w := wordsOf(unit)
	word := func(g float64) string {
		if math.Abs(g) < 0.0005 {
			return "0.0%"
		}
		if g > 0 {
			return pct1(g) + " " + w.better
		}
		return pct1(-g) + " " + w.worse
	}
	switch {
	case a >= 0.0005 || b <= -0.0005: // both ends one way
		lo, hi, dir := math.Abs(a), math.Abs(b), w.better
		if b < 0 {
			lo, hi, dir = math.Abs(b), math.Abs(a), w.worse
		}
		if short {
			return fmt.Sprintf("(%s to %s)", pct1(lo), pct1(hi))
		}
		return fmt.Sprintf("(%s to %s %s)", pct1(lo), pct1(hi), dir)
	}
	return fmt.Sprintf("(%s to %s)", word(a), word(b))
}

// changeCell says a change with its interval: "3.1% faster (2.7% to
// 3.5%)" when significant, "~ (1.2% slower to 2.0% faster)" when not.
func changeCell(r result.Ratio, unit string, significant bool) string {
	if !usable(r.Center) {
		if bounded(r) {
			return "? " + intervalWords(r, unit, false)
		}
		return "?"
	}
	if !significant {
		return "~ " + intervalWords(r, unit, false)
	}
	return changeWords(r.Center, unit) + " " + intervalWords(r, unit, oneWay(r, unit))
}

// oneWay reports whether both ends of r's interval go the way of its
// centre, so that the interval needs no words of its own.
func oneWay(r result.Ratio, unit string) bool {
	if !bounded(r) {
		return false
	}
	c, a, b := gain(r.Center, unit), gain(r.Lo, unit), gain(r.Hi, unit)
	return c > 0 && a > 0 && b > 0 || c < 0 && a < 0 && b < 0
}

// overallCell says a variant's overall change, significant when its
// verdict (for a same-code twin, its twin's) is faster or slower.
func overallCell(run *result.Run, v *result.Variant) string {
	st := statsOf(run, v.Name)
	if st.Change == nil {
		return "-"
	}
	verdict := verdictOf(run, v)
	return changeCell(*st.Change, "sec/op", verdict == result.VerdictFaster || verdict == result.VerdictSlower)
}

// overallOf is overallCell of the named variant.
func overallOf(run *result.Run, name string) string {
	if v := run.Variant(name); v != nil {
		return overallCell(run, v)
	}
	st := statsOf(run, name)
	if st.Change == nil {
		return "-"
	}
	return changeCell(*st.Change, "sec/op", st.Verdict == result.VerdictFaster || st.Verdict == result.VerdictSlower)
}

// amountCell says a variant's B/op or allocs/op ratio: "-" when unknown,
// "~" when no benchmark's change is significant, "5.0% less" otherwise.
func amountCell(ratio *float64, significant bool) string {
	switch {
	case ratio == nil || !usable(*ratio):
		return "-"
	case !significant:
		return "~"
	}
	return changeWords(*ratio, "B/op")
}

// countsCell says how many benchmarks got faster, slower or neither:
// "3 faster, 2 ~".
func countsCell(st *result.VariantStats) string {
	var parts []string
	if st.Improved > 0 {
		parts = append(parts, fmt.Sprintf("%d faster", st.Improved))
	}
	if st.Worse > 0 {
		parts = append(parts, fmt.Sprintf("%d slower", st.Worse))
	}
	if st.Unchanged > 0 {
		parts = append(parts, fmt.Sprintf("%d ~", st.Unchanged))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
