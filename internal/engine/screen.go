package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// Screening measures less than the grid: it varies one axis at a time
// from the baseline, so that builds grow with the sum of the axis sizes
// instead of their product, then combines the best value of each axis
// into one variant and confirms it against the baseline. The first stage
// gets screenShare of the budget and of α, the combination the rest.
const screenShare = 0.75

// screen runs the two stages of screening.
func (j *job) screen(ctx context.Context) error {
	run, o := j.run, j.p.Options
	p := plan.ScreenOf(run)
	for _, name := range p.Later {
		v := run.Variant(name)
		v.Status, v.Reason = result.StatusSkipped, result.ReasonScreenedOut+" varies one axis at a time (--search grid builds every variant)"
	}
	fmt.Fprintf(j.d.Log, "gotune: screening: %d of %d variants first, one axis at a time; then the best value of each axis combined and confirmed against %s\n",
		len(p.First), len(run.Variants), run.Baseline)
	if err := j.maker.Build(ctx, run, p.First); err != nil {
		return err
	}
	if err := j.maker.BuildLayouts(ctx, run, p.First, o.Layouts); err != nil {
		return err
	}
	budget := time.Duration(float64(o.Budget) * screenShare)
	if err := j.measure(ctx, "axes", p.First, budget, stats.DefaultAlpha*screenShare); err != nil {
		return err
	}

	// Analyse the first stage (a provisional analysis: the run's own comes
	// at the end) and combine the best values.
	provisional := *run
	a := stats.Analyze(&provisional, stats.Options{Equivalence: o.Equivalence})
	combo, best := plan.Combine(run, a, p)
	run.Search.Combination = combo
	parts := best
	switch {
	case len(best) == 0:
		fmt.Fprintf(j.d.Log, "gotune: screening: no axis has a value faster than %s's: nothing to combine\n", run.Baseline)
		return nil
	case combo == "":
		fmt.Fprintf(j.d.Log, "gotune: screening: the matrix lacks the combination of %s\n", strings.Join(parts, " + "))
		return nil
	case slices.Contains(p.First, combo):
		fmt.Fprintf(j.d.Log, "gotune: screening: only %s is faster on its axis; it was measured with the others\n", combo)
		return nil
	}
	fmt.Fprintf(j.d.Log, "gotune: screening: combining %s into %s\n", strings.Join(parts, " + "), combo)
	v := run.Variant(combo)
	v.Status, v.Reason = result.StatusOK, ""
	for _, name := range p.Later {
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
