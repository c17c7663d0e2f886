package engine

import (
	"context"
	"slices"
	"time"

	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/result"
)

// profileNotes adds what an analysed run says about PGO profiles: the
// profile its recommended build needs committed as default.pgo
// (Recommendation.Profile, with the command that writes it), and a warning
// for each committed default.pgo that has gone stale against the current
// source (pgo.StaleThreshold), so that every report shows both.
func (j *job) profileNotes(run *result.Run) {
	if run.Analysis != nil {
		run.Analysis.Recommendation.Profile = pgo.ToApply(run, j.p.Target)
	}
	if j.p.Target.DefaultPGO() == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, w := range pgo.StaleWarnings(ctx, j.d.Runner, j.p.Target) {
		if !slices.Contains(run.Warnings, w) {
			run.Warnings = append(run.Warnings, w)
		}
	}
}
