package stats

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/pairstat"
	"github.com/gotune/gotune/internal/result"
)

// rank ranks only what is significant: the faster variants from the
// fastest, then the baseline with every variant it cannot be told apart
// from (one shared rank), then the slower ones from the least slow.
// Same-code twins share their twin's rank; unmeasured variants have none.
func rank(a *result.Analysis, run *result.Run) {
	center := func(s *result.VariantStats) float64 {
		if s.Change == nil {
			return 1
		}
		return s.Change.Center
	}
	var faster, slower []*result.VariantStats
	var middle []*result.VariantStats
	for i := range a.Variants {
		s := &a.Variants[i]
		if run.Variants[i].SameCodeAs != "" {
			continue
		}
		switch s.Verdict {
		case result.VerdictFaster:
			faster = append(faster, s)
		case result.VerdictSlower:
			slower = append(slower, s)
		case result.VerdictBaseline, result.VerdictSame, result.VerdictUnclear:
			middle = append(middle, s)
		}
	}
	by := func(x, y *result.VariantStats) int { return compareFloat(center(x), center(y)) }
	slices.SortStableFunc(faster, by)
	slices.SortStableFunc(slower, by)
	r := 1
	for _, s := range faster {
		s.Rank = r
		r++
	}
	for _, s := range middle {
		s.Rank = r
	}
	if len(middle) > 0 {
		r++
	}
	for _, s := range slower {
		s.Rank = r
		r++
	}
	for i, v := range run.Variants {
		if v.SameCodeAs == "" {
			continue
		}
		if j := slices.IndexFunc(run.Variants, func(w result.Variant) bool { return w.Name == v.SameCodeAs }); j >= 0 {
			a.Variants[i].Rank = a.Variants[j].Rank
		}
	}
}

func compareFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// winner returns the fastest variant that is significantly faster than
// the baseline. Faster variants it cannot be told apart from (their
// per-cycle difference to it, paired, is not significant at α) tie with
// it, and among tied variants and their same-code twins the simpler build
// wins: the lowest Complexity, then the lowest GOAMD64 level.
func winner(t *table, a *result.Analysis, run *result.Run) string {
	var best *result.VariantStats
	for i := range a.Variants {
		s := &a.Variants[i]
		if s.Verdict == result.VerdictFaster && (best == nil || s.Change.Center < best.Change.Center) {
			best = s
		}
	}
	if best == nil {
		return ""
	}
	tied := []string{best.Name}
	for _, s := range a.Variants {
		if s.Verdict == result.VerdictFaster && s.Name != best.Name && !apart(t, best, &s, a.Alpha) {
			tied = append(tied, s.Name)
		}
	}
	for _, v := range run.Variants {
		if v.SameCodeAs != "" && slices.Contains(tied, v.SameCodeAs) {
			tied = append(tied, v.Name)
		}
	}
	// Among tied builds the simpler wins: fewer settings changed, then
	// the lower GOAMD64 level (it runs on more machines).
	win := run.Variant(best.Name)
	for _, n := range tied {
		v := run.Variant(n)
		if v.Complexity < win.Complexity || v.Complexity == win.Complexity && v.Settings.Get(axis.GOAMD64) < win.Settings.Get(axis.GOAMD64) {
			win = v
		}
	}
	return win.Name
}

// apart reports whether variants x and y differ significantly: paired by
// cycle when they were measured in the same cycles (the signed-rank test
// of their per-cycle difference), else — measured in different stages —
// when their intervals do not overlap.
func apart(t *table, x, y *result.VariantStats, alpha float64) bool {
	cx, cy := t.cycles(x.Name), t.cycles(y.Name)
	my := map[int]float64{}
	for _, c := range cy {
		my[c.n] = c.m
	}
	var d []float64
	for _, c := range cx {
		if m, ok := my[c.n]; ok {
			d = append(d, c.m-m)
		}
	}
	if len(d) < 6 {
		return x.Change.Hi < y.Change.Lo || y.Change.Hi < x.Change.Lo
	}
	return pairstat.SignedRank(d).P <= alpha
}

// sentence says what the run found, as a code and in one or two
// sentences.
func sentence(a *result.Analysis, run *result.Run) (string, string) {
	var faster, slower, same, unclear []string
	for _, s := range a.Variants {
		switch s.Verdict {
		case result.VerdictFaster:
			faster = append(faster, s.Name)
		case result.VerdictSlower:
			slower = append(slower, s.Name)
		case result.VerdictSame:
			same = append(same, s.Name)
		case result.VerdictUnclear:
			unclear = append(unclear, s.Name)
		}
	}
	a.Detectable = worstDetectable(a.Variants, func(s result.VariantStats) float64 { return s.Detectable })
	if a.Winner != "" {
		w := a.Variants[slices.IndexFunc(a.Variants, func(s result.VariantStats) bool { return s.Name == a.Winner })]
		txt := fmt.Sprintf("%s is %s than the baseline, %s [%s, %s].", a.Winner, w.Says, signed(w.Change.Center), signed(w.Change.Lo), signed(w.Change.Hi))
		if n := len(faster) - 1; n > 0 {
			txt += fmt.Sprintf(" %d other %s faster too; %s is the fastest or ties with it and is simpler.", n, plural(n, "variant is", "variants are"), a.Winner)
		}
		return result.RunWinner, txt
	}
	var parts []string
	if len(slower) > 0 {
		parts = append(parts, fmt.Sprintf("%d slower", len(slower)))
	}
	if len(same) > 0 {
		parts = append(parts, fmt.Sprintf("%d the same speed within ±%s", len(same), pct(a.Equivalence)))
	}
	if len(unclear) > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be told apart", len(unclear)))
	}
	txt := "No variant is faster than the baseline"
	if len(parts) > 0 {
		txt += " (" + strings.Join(parts, ", ") + ")"
	}
	txt += "."
	if len(unclear) > 0 {
		// The undecided variants that had fewer cycles than their level
		// needs: no change of theirs, however large, could be significant.
		var short []string
		cycles, need, compared := 0, 0, 0
		for _, s := range a.Variants {
			switch s.Verdict {
			case result.VerdictFaster, result.VerdictSlower, result.VerdictSame:
				compared++
			case result.VerdictUnclear:
				compared++
				if s.Level > 0 && pairstat.MinP(s.Cycles) > s.Level {
					short = append(short, s.Name)
					cycles = max(cycles, s.Cycles)
					if n := cyclesFor(s.Level); need == 0 || n < need {
						need = n
					}
				}
			}
		}
		if len(short) > 0 {
			who := "With"
			if len(short) < compared {
				who = strings.Join(short, ", ") + ": with"
			}
			txt += fmt.Sprintf(" %s %d %s, no change could have been significant: at this level the signed-rank test needs %d or more; a longer --budget decides.", who, cycles, plural(cycles, "cycle", "cycles"), need)
		}
		if len(short) < len(unclear) && a.Detectable > 0 {
			txt += fmt.Sprintf(" This run could detect changes of about %s or more; a longer --budget decides the rest.", pct(a.Detectable))
		}
		return result.RunUnclear, txt + " Keep your current build unless a longer run says otherwise."
	}
	return result.RunKeep, txt + " Keep your current build."
}

// worstDetectable is what a run could detect: the largest finite
// detectable change, det, of its undecided and same-speed variants, or of
// all its variants when none of those has one; 0 when none has.
func worstDetectable(vs []result.VariantStats, det func(result.VariantStats) float64) float64 {
	worst := 0.0
	for _, all := range []bool{false, true} {
		for _, s := range vs {
			if !all && s.Verdict != result.VerdictUnclear && s.Verdict != result.VerdictSame {
				continue
			}
			if d := det(s); !math.IsInf(d, 0) && !math.IsNaN(d) {
				worst = max(worst, d)
			}
		}
		if worst > 0 {
			break
		}
	}
	return worst
}

// signed formats a ratio as a signed change: 0.959 is "-4.1%".
func signed(ratio float64) string {
	if math.IsInf(ratio, 0) || math.IsNaN(ratio) || ratio <= 0 {
		return "?"
	}
	return fmt.Sprintf("%+.1f%%", 100*(ratio-1))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
