package engine

import (
	"github.com/gotune/gotune/internal/binaries"
	"github.com/gotune/gotune/internal/result"
)

// profileNotes adds what an analysed run says about PGO profiles: the
// profile its recommended build needs committed as default.pgo
// (Recommendation.Profile, with the command that writes it), and a warning
// for each committed default.pgo that has gone stale against the current
// source (pgo.StaleThreshold), so that every report shows both.
func (j *job) profileNotes(run *result.Run) {
	binaries.ProfileNotes(j.d.Runner, run, j.p.Target)
}
