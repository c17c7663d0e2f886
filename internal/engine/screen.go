package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// Screening measures less than the grid: it varies one axis at a time
// from the baseline, so that builds grow with the sum of the axis sizes
// instead of their product, then combines the best value of each axis
// into one variant and confirms it against the baseline. The first stage
// gets screenShare of the budget and of α, the combination the rest.
const screenShare = 0.75

// groupNamed holds the named variants of gotune.yaml (and any variant with
// the baseline's settings): whole builds, compared as they are.
const groupNamed = "named"

// screenPlan is what screening measures first.
type screenPlan struct {
	// first lists the variants of the first stage, the baseline first:
	// every variant that changes a single axis, and the named variants.
	first []string
	// groups maps each axis to the variants that change it alone.
	groups map[string][]string
	// later lists the variants that change two axes or more: built only
	// when one of them is the combination of the best values.
	later []string
}

// named reports whether v is a named variant of gotune.yaml: generated
// names always hold "=", and a valid name never does.
func named(v result.Variant) bool {
	return !strings.Contains(v.Name, "=")
}

// differ returns the names of the axes on which a and b build or run
// differently.
func differ(a, b *result.Variant) []string {
	var out []string
	for _, ax := range a.Build().Differ(b.Build()) {
		out = append(out, ax.Name)
	}
	return out
}

// planScreen plans the first stage of screening. Variants that are not
// StatusOK are left out.
func planScreen(run *result.Run) screenPlan {
	p := screenPlan{first: []string{run.Baseline}, groups: map[string][]string{}}
	base := run.Variant(run.Baseline)
	for _, v := range run.Variants {
		if v.Name == run.Baseline || v.Status != result.StatusOK {
			continue
		}
		d := differ(&v, base)
		switch {
		case named(v) || len(d) == 0:
			p.groups[groupNamed] = append(p.groups[groupNamed], v.Name)
		case len(d) == 1:
			p.groups[d[0]] = append(p.groups[d[0]], v.Name)
		default:
			p.later = append(p.later, v.Name)
			continue
		}
		p.first = append(p.first, v.Name)
	}
	return p
}

// combine picks the fastest value of each axis — a variant faster than the
// baseline, with the lowest change of its axis — from an analysed first
// stage, and returns the variant of the matrix with all of them among
// those planned, with the best variant of each axis. It returns "" when no
// axis has a faster value or the matrix lacks that point.
func combine(run *result.Run, a *result.Analysis, p screenPlan) (string, map[string]string) {
	best := map[string]string{}
	base := run.Variant(run.Baseline)
	want := base.Build()
	for _, ax := range axis.Names() {
		var win *result.VariantStats
		for _, name := range p.groups[ax] {
			i := slices.IndexFunc(a.Variants, func(s result.VariantStats) bool { return s.Name == name })
			if i < 0 {
				continue
			}
			s := &a.Variants[i]
			if s.Verdict == result.VerdictFaster && (win == nil || s.Change.Center < win.Change.Center) {
				win = s
			}
		}
		if win == nil {
			continue
		}
		best[ax] = win.Name
		want = want.With(axis.ByName(ax), run.Variant(win.Name).Build().Get(axis.ByName(ax)))
	}
	if len(best) == 0 {
		return "", best
	}
	for _, v := range run.Variants {
		planned := slices.Contains(p.first, v.Name) || slices.Contains(p.later, v.Name)
		if planned && !named(v) && v.Name != run.Baseline && len(v.Build().Differ(want)) == 0 {
			return v.Name, best
		}
	}
	return "", best
}

// screen runs the two stages of screening.
func (j *job) screen(ctx context.Context) error {
	run, o := j.run, j.p.Options
	p := planScreen(run)
	for _, name := range p.later {
		v := run.Variant(name)
		v.Status, v.Reason = result.StatusSkipped, result.ReasonScreenedOut+" varies one axis at a time (--search grid builds every variant)"
	}
	fmt.Fprintf(j.d.Log, "gotune: screening: %d of %d variants first, one axis at a time; then the best value of each axis combined and confirmed against %s\n",
		len(p.first), len(run.Variants), run.Baseline)
	if err := j.maker.Build(ctx, run, p.first); err != nil {
		return err
	}
	if err := j.maker.BuildLayouts(ctx, run, p.first, o.Layouts); err != nil {
		return err
	}
	budget := time.Duration(float64(o.Budget) * screenShare)
	if err := j.measure(ctx, "axes", p.first, budget, stats.DefaultAlpha*screenShare); err != nil {
		return err
	}

	// Analyse the first stage (a provisional analysis: the run's own comes
	// at the end) and combine the best values.
	provisional := *run
	a := stats.Analyze(&provisional, stats.Options{Equivalence: o.Equivalence})
	combo, best := combine(run, a, p)
	run.Search.Combination = combo
	var parts []string
	for _, ax := range axis.Names() {
		if n, ok := best[ax]; ok {
			parts = append(parts, n)
		}
	}
	switch {
	case len(best) == 0:
		fmt.Fprintf(j.d.Log, "gotune: screening: no axis has a value faster than %s's: nothing to combine\n", run.Baseline)
		return nil
	case combo == "":
		fmt.Fprintf(j.d.Log, "gotune: screening: the matrix lacks the combination of %s\n", strings.Join(parts, " + "))
		return nil
	case slices.Contains(p.first, combo):
		fmt.Fprintf(j.d.Log, "gotune: screening: only %s is faster on its axis; it was measured with the others\n", combo)
		return nil
	}
	fmt.Fprintf(j.d.Log, "gotune: screening: combining %s into %s\n", strings.Join(parts, " + "), combo)
	v := run.Variant(combo)
	v.Status, v.Reason = result.StatusOK, ""
	for _, name := range p.later {
		if name != combo {
			run.Variant(name).Reason = fmt.Sprintf(result.ReasonScreenedOut+" varies one axis at a time and combined the best values into %s (--search grid builds every variant)", combo)
		}
	}
	if err := j.maker.Build(ctx, run, []string{combo}); err != nil {
		return err
	}
	if err := j.maker.BuildLayouts(ctx, run, []string{combo}, o.Layouts); err != nil {
		return err
	}
	if v := run.Variant(combo); !v.Measured() {
		return nil
	}
	rest := o.Budget - j.measured
	return j.measure(ctx, "combination", []string{combo}, max(rest, o.Budget/10), stats.DefaultAlpha*(1-screenShare))
}
