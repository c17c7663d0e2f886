// Package result defines the result model of a gotune run: the one data
// structure that the measure and stats stages fill in and that every report
// renders. It is plain data with JSON tags, so `--json FILE` writes it whole
// and later commands can load it back.
package result

import (
	"time"

	"github.com/gotune/gotune/internal/axis"
)

// Variant status values.
const (
	StatusOK          = "ok"           // built and measured
	StatusSkipped     = "skipped"      // not built, e.g. a GOAMD64 level the host cannot run
	StatusBuildFailed = "build-failed" // the compiler or linker rejected it
	StatusFailed      = "failed"       // built, but every trial failed
)

// Verdict values of a variant against the baseline.
const (
	VerdictBaseline = "baseline"
	VerdictFaster   = "faster" // geomean CI wholly below 1 and an improvement survives Holm
	VerdictSlower   = "slower" // geomean CI wholly above 1 and a regression survives Holm
	VerdictNoDiff   = "no significant difference"
	VerdictSameCode = "same code"       // compiled code identical to another variant: measured once
	VerdictTooFew   = "too few samples" // fewer samples than a U-test needs to ever be significant
	VerdictNone     = ""                // not measured (skipped, failed)
)

// Run is the whole result of one `gotune run`.
type Run struct {
	GotuneVersion string    `json:"gotune_version"`
	GoVersion     string    `json:"go_version"`
	Host          Host      `json:"host"`
	Module        string    `json:"module"`
	Dir           string    `json:"dir"`
	Packages      []string  `json:"packages"`
	Seed          int64     `json:"seed"`
	Count         int       `json:"count"`
	Bench         string    `json:"bench"`
	Benchtime     string    `json:"benchtime"`
	Started       time.Time `json:"started"`
	Finished      time.Time `json:"finished"`
	WorkDir       string    `json:"work_dir"`
	RawFile       string    `json:"raw_file,omitempty"` // benchfmt results of every trial

	Baseline string    `json:"baseline"` // name of the baseline variant
	Variants []Variant `json:"variants"` // in matrix order, baseline first

	Samples     []Sample     `json:"samples"`
	Comparisons []Comparison `json:"comparisons"`
	Failures    []Failure    `json:"failures,omitempty"`

	// Filled by stats.
	Alpha         float64  `json:"alpha"`          // family-wise significance level (Holm)
	Confidence    float64  `json:"confidence"`     // CI confidence level
	Winner        string   `json:"winner"`         // "" when nothing beats the baseline
	Verdict       string   `json:"verdict"`        // one sentence for people
	MinDetectable float64  `json:"min_detectable"` // smallest relative sec/op change the data could detect (0.05 = 5%)
	Warnings      []string `json:"warnings,omitempty"`

	// Search and Calibration record how the run chose what to measure and
	// the machine's noise; nil when not recorded.
	Search      *Search      `json:"search,omitempty"`
	Calibration *Calibration `json:"calibration,omitempty"`

	// PGOCollected describes the profile gotune collected for pgo=collect
	// variants; nil when the run has none.
	PGOCollected *PGOCollection `json:"pgo_collected,omitempty"`
}

// PGOCollection is the profile a run collected from the baseline's
// benchmarks, in rounds of their own before the measured rounds, for its
// pgo=collect variants.
type PGOCollection struct {
	Profile string   `json:"profile"` // the merged profile the variants were built with
	Raw     []string `json:"raw"`     // the raw profiles, one per package and round
	Rounds  int      `json:"rounds"`
	Samples int      `json:"samples"`  // distinct stacks in the merged profile
	Bytes   int64    `json:"bytes"`    // size of the merged profile
	KeptCPU float64  `json:"kept_cpu"` // share of the CPU kept by trimming
	Error   string   `json:"error,omitempty"`
}

// PGOEffect is the evidence that a PGO variant's profile took effect: its
// compiled code differs from the same build with -pgo=off, and the count
// of decisions the compiler took because of the profile in the module's
// own packages (from -m -d=pgodebug=1). A variant whose code does not
// differ had no effect: it is not measured, its Status is skipped and its
// Reason says so.
type PGOEffect struct {
	Profile     string `json:"profile"`      // the profile it was built with
	CodeChanged bool   `json:"code_changed"` // compiled code differs from -pgo=off
	// OffVariant is the pgo=off variant of the run it was compared with;
	// "" when gotune fingerprinted a -pgo=off build of its own.
	OffVariant    string `json:"off_variant,omitempty"`
	HotInlines    int    `json:"hot_inlines"`     // call sites inlined because the profile marks them hot
	Devirtualized int    `json:"devirtualized"`   // calls devirtualized to the profile's hottest callee
	HotFunctions  int    `json:"hot_functions"`   // functions given the hot inlining budget
	Error         string `json:"error,omitempty"` // why the decisions could not be counted
}

// Host describes the machine a run was measured on.
type Host struct {
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	CPU        string `json:"cpu"`
	NumCPU     int    `json:"num_cpu"`
	GOAMD64Max string `json:"goamd64_max,omitempty"` // highest level confirmed to run here
}

// Variant is one point of the matrix and what happened to it.
type Variant struct {
	Name string `json:"name"`
	// Settings are the variant's value on every axis, as the user wrote
	// them: pgo "auto", not a path.
	Settings axis.Settings `json:"settings"`
	// Profile is the PGO profile the variant builds with, resolved: the
	// default.pgo auto found, the collected profile, the file given; ""
	// when it builds without one.
	Profile    string  `json:"profile,omitempty"`
	Complexity int     `json:"complexity"` // settings that differ from a plain build; ties go to the lower
	Status     string  `json:"status"`
	Reason     string  `json:"reason,omitempty"`     // why skipped or failed: the compiler error, the CPU limit
	BuildLine  string  `json:"build_line,omitempty"` // the exact `go build` command a user would type
	Builds     []Build `json:"builds,omitempty"`
	SameCodeAs string  `json:"same_code_as,omitempty"` // variant whose binaries were measured in its place
	// Dropped says when racing stopped measuring the variant; nil when it
	// was measured to the end.
	Dropped *Drop `json:"dropped,omitempty"`
	// PGOEffect proves that a variant built with a profile (Profile set)
	// used it; nil for other variants.
	PGOEffect *PGOEffect `json:"pgo_effect,omitempty"`

	// Filled by stats.
	Rank        int      `json:"rank,omitempty"` // 1 = fastest; 0 = unranked
	Verdict     string   `json:"verdict"`
	Geomean     *Ratio   `json:"geomean,omitempty"`      // sec/op, variant/baseline
	BytesRatio  *float64 `json:"bytes_ratio,omitempty"`  // geomean of B/op ratios
	AllocsRatio *float64 `json:"allocs_ratio,omitempty"` // geomean of allocs/op ratios
	Improved    int      `json:"improved"`               // sec/op comparisons significantly better after Holm
	Worse       int      `json:"worse"`
	Unchanged   int      `json:"unchanged"`
}

// Ratio is a ratio to the baseline with its confidence interval.
type Ratio struct {
	Center float64 `json:"center"`
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
}

// Build records one `go test -c` of one package for one variant.
type Build struct {
	Package     string  `json:"package"`
	Binary      string  `json:"binary"`
	Seconds     float64 `json:"seconds"`
	Size        int64   `json:"size"`
	Fingerprint string  `json:"fingerprint"`
	Error       string  `json:"error,omitempty"`
	Cached      bool    `json:"cached,omitempty"` // the binary came from the build cache; Seconds is the original build's
}

// Sample is one measurement of one benchmark in one trial.
type Sample struct {
	Variant   string  `json:"variant"` // the variant whose binary ran
	Package   string  `json:"package"`
	Benchmark string  `json:"benchmark"` // full name, e.g. BenchmarkQuote/small-2
	Unit      string  `json:"unit"`      // sec/op, B/op, allocs/op, …
	Round     int     `json:"round"`
	Value     float64 `json:"value"`
}

// Comparison is one benchmark and unit of one variant against the baseline.
type Comparison struct {
	Variant     string   `json:"variant"`
	Package     string   `json:"package"`
	Benchmark   string   `json:"benchmark"`
	Unit        string   `json:"unit"`
	Base        Summary  `json:"base"`
	New         Summary  `json:"new"`
	Delta       float64  `json:"delta"`       // New.Center/Base.Center - 1
	P           float64  `json:"p"`           // Mann-Whitney U p-value
	PHolm       float64  `json:"p_holm"`      // Holm-adjusted over all comparisons of the run (every variant, benchmark and unit)
	Significant bool     `json:"significant"` // PHolm < Alpha
	Warnings    []string `json:"warnings,omitempty"`
}

// Summary is the centre and confidence interval of one sample set.
type Summary struct {
	Center float64 `json:"center"`
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
	N      int     `json:"n"`
}

// Failure is one trial or benchmark that failed; the run goes on without it.
type Failure struct {
	Variant string `json:"variant"`
	Package string `json:"package"`
	Round   int    `json:"round"`
	Error   string `json:"error"`
	Output  string `json:"output,omitempty"` // the tail of what the binary printed
}

// Variant returns the variant with the given name, or nil.
func (r *Run) Variant(name string) *Variant {
	for i := range r.Variants {
		if r.Variants[i].Name == name {
			return &r.Variants[i]
		}
	}
	return nil
}

// Build returns the settings v builds with: its own, with pgo replaced by
// the resolved profile (or off).
func (v *Variant) Build() axis.Settings {
	p := v.Profile
	if p == "" {
		p = axis.PGOOff
	}
	return v.Settings.With(axis.PGO, p)
}
