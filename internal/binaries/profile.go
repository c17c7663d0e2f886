package binaries

import (
	"context"
	"slices"
	"time"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// ProfileNotes adds what an analysed run says about PGO profiles: the
// profile its recommended build needs committed as default.pgo
// (Recommendation.Profile, with the command that writes it), and a warning
// for each committed default.pgo that has gone stale against the current
// source (pgo.StaleThreshold), so that every report shows both.
func ProfileNotes(r gotool.Runner, tg *target.Target, run *result.Run) {
	if run.Analysis != nil {
		run.Analysis.Recommendation.Profile = pgo.ToApply(run, tg)
	}
	if tg.DefaultPGO() == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, w := range pgo.StaleWarnings(ctx, r, tg) {
		if !slices.Contains(run.Warnings, w) {
			run.Warnings = append(run.Warnings, w)
		}
	}
}
