package report

import "github.com/gotune/gotune/internal/result"

// analysisOf returns the run's analysis, empty when the run has none.
func analysisOf(run *result.Run) *result.Analysis {
	if run.Analysis != nil {
		return run.Analysis
	}
	return &result.Analysis{}
}

// statsOf returns the analysis of the named variant; never nil.
func statsOf(run *result.Run, name string) *result.VariantStats {
	if s := run.Stats(name); s != nil {
		return s
	}
	return &result.VariantStats{Name: name}
}
