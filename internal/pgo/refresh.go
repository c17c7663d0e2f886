package pgo

import (
	"fmt"
	"math"
	"strings"

	"github.com/gotune/gotune/internal/result"
)

// Refresh outcomes: what `gotune pgo refresh` does with a candidate
// profile once it has measured it against the committed one.
const (
	RefreshApply = "applied" // the candidate replaces the committed profile
	RefreshKeep  = "kept"    // the committed profile stays, for a stated reason
	RefreshWorse = "worse"   // the candidate is slower: the committed profile stays
)

// RefreshCoverMargin is how much lower the candidate's stale share
// (Staleness.Stale) must be than the committed profile's for a candidate
// of the same speed to count as covering more of the current source: one
// percentage point, so that a scheduled refresh does not churn a fresh
// profile for noise in its samples.
const RefreshCoverMargin = 0.01

// RefreshFacts are what DecideRefresh weighs.
type RefreshFacts struct {
	// Run is the measured run: its baseline builds with the committed
	// default.pgo (pgo auto), beside the candidate and pgo=off.
	Run *result.Run
	// Candidate and Off name the candidate's variant and the pgo=off one
	// ("" when there is none: without a committed profile, auto is off).
	Candidate, Off string
	// Committed tells that the target commits a default.pgo.
	Committed bool
	// CommittedStale and CandidateStale are the shares of the module's
	// profiled CPU that no longer match the current source
	// (Staleness.Stale).
	CommittedStale, CandidateStale float64
}

// RefreshDecision is what a refresh does, and why. It is kept in the
// provenance of a profile a refresh applied.
type RefreshDecision struct {
	Outcome string `json:"outcome"` // RefreshApply, RefreshKeep or RefreshWorse
	Reason  string `json:"reason"`  // one sentence
	// Verdict is the candidate's verdict against the committed profile
	// (a result.Verdict code) and Change its time ratio to it; Off is
	// -pgo=off's ratio to it. Nil when not measured.
	Verdict        string        `json:"verdict,omitempty"`
	Change         *result.Ratio `json:"change,omitempty"`
	Off            *result.Ratio `json:"off_change,omitempty"`
	Cycles         int           `json:"cycles,omitempty"`
	CommittedStale float64       `json:"committed_stale"`
	CandidateStale float64       `json:"candidate_stale"`
	// Replaced is the SHA-256 of the default.pgo the candidate replaced.
	Replaced string `json:"replaced,omitempty"`
}

// DecideRefresh decides what a refresh does with its candidate:
//
//   - applied, when the candidate is significantly faster than the
//     committed profile, or the same speed (within the run's equivalence
//     margin, ±2% by default) while covering more of the current source
//     (a stale share lower by RefreshCoverMargin or more);
//   - worse, when it is significantly slower, or its build failed;
//   - kept otherwise, with the reason: the same speed and no fresher, the
//     run could not tell them apart, the candidate changed no compiled
//     code.
//
// Without a committed profile the baseline builds without one, and the
// candidate is applied only when it is significantly faster.
func DecideRefresh(f RefreshFacts) RefreshDecision {
	d := RefreshDecision{CommittedStale: f.CommittedStale, CandidateStale: f.CandidateStale}
	run := f.Run
	base := "the committed profile"
	if !f.Committed {
		base = "the build without a profile"
	}
	if off := run.Stats(f.Off); off != nil && off.Change != nil {
		d.Off = off.Change
	}
	v, st := run.Variant(f.Candidate), run.Stats(f.Candidate)
	if st != nil {
		d.Verdict, d.Change, d.Cycles = st.Verdict, st.Change, st.Cycles
	}
	eq := 0.0
	if run.Analysis != nil {
		eq = run.Analysis.Equivalence
	}
	switch {
	case v == nil:
		d.Outcome, d.Reason = RefreshKeep, "the candidate was not measured"
		return d
	case v.Status == result.StatusSkipped:
		d.Outcome, d.Reason = RefreshKeep, "the candidate was not measured: "+firstLine(v.Reason)
		return d
	case v.Status != result.StatusOK:
		d.Outcome, d.Reason = RefreshWorse, "the candidate's build or benchmarks failed: "+firstLine(v.Reason)
		return d
	}
	verdict := d.Verdict
	sameCode := v.SameCodeAs != "" && v.SameCodeAs == run.Baseline
	if sameCode {
		verdict = result.VerdictSame
	}
	measured := "its change " + FormatRatio(d.Change)
	if sameCode {
		measured = "it compiles to the same code as " + base
	}
	switch verdict {
	case result.VerdictFaster:
		d.Outcome = RefreshApply
		d.Reason = fmt.Sprintf("the candidate is significantly faster than %s: %s", base, FormatRatio(d.Change))
	case result.VerdictSlower:
		d.Outcome = RefreshWorse
		d.Reason = fmt.Sprintf("the candidate is significantly slower than %s: %s", base, FormatRatio(d.Change))
	case result.VerdictSame:
		fresher := f.Committed && f.CandidateStale+RefreshCoverMargin <= f.CommittedStale
		stale := fmt.Sprintf("%.1f%% of the module's profiled CPU no longer matches the source in the candidate, %.1f%% in the committed profile", 100*f.CandidateStale, 100*f.CommittedStale)
		switch {
		case fresher:
			d.Outcome = RefreshApply
			d.Reason = fmt.Sprintf("the candidate is the same speed as %s within ±%.0f%% (%s) and covers more of the current source: %s", base, 100*eq, measured, stale)
		case f.Committed:
			d.Outcome = RefreshKeep
			d.Reason = fmt.Sprintf("the candidate is the same speed as %s within ±%.0f%% (%s) and covers no more of the current source (%s): nothing to gain", base, 100*eq, measured, stale)
		default:
			d.Outcome = RefreshKeep
			d.Reason = fmt.Sprintf("the candidate is the same speed as %s within ±%.0f%% (%s): a profile that gives nothing only slows builds", base, 100*eq, measured)
		}
	default:
		d.Outcome = RefreshKeep
		d.Reason = fmt.Sprintf("could not tell the candidate apart from %s (%s, after %d cycles): measure longer with --budget", base, FormatRatio(d.Change), d.Cycles)
	}
	return d
}

// FormatRatio formats a time ratio as a signed change with its interval:
// "-3.1% [-4.2%, -1.9%]"; "not measured" for nil.
func FormatRatio(r *result.Ratio) string {
	if r == nil {
		return "not measured"
	}
	pc := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "?"
		}
		return fmt.Sprintf("%+.1f%%", 100*(x-1))
	}
	return fmt.Sprintf("%s [%s, %s]", pc(r.Center), pc(r.Lo), pc(r.Hi))
}

// firstLine returns the first line of s, trimmed.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
