package report

import "github.com/gotune/gotune/internal/result"

// revisionsLine names the revisions a run compared, each with its short
// hash and subject, the baseline's first; "" for a run without revisions.
func revisionsLine(run *result.Run) string {
	return result.RevisionsLine(run.Variants, run.Baseline)
}
