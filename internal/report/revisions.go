package report

import (
	"strings"

	"github.com/gotune/gotune/internal/result"
)

// revisionsLine names the revisions a run compared, each with its short
// hash and subject, the baseline's first: `revisions: HEAD~1 (3f2a9c1
// "Pre-size the buffer", baseline), worktree (5d6e7f8 + uncommitted
// changes)`. "" for a run without revisions.
func revisionsLine(run *result.Run) string {
	var labels []string
	seen := map[string]bool{}
	for i := range run.Variants {
		v := &run.Variants[i]
		r := v.Revision
		if r == nil || seen[r.Rev] {
			continue
		}
		seen[r.Rev] = true
		label := r.Label()
		if v.Name == run.Baseline {
			if strings.HasSuffix(label, ")") {
				label = strings.TrimSuffix(label, ")") + ", baseline)"
			} else {
				label += " (baseline)"
			}
		}
		labels = append(labels, label)
	}
	if len(labels) == 0 {
		return ""
	}
	return "revisions: " + strings.Join(labels, ", ")
}
