package result

import "github.com/gotune/gotune/internal/axis"

// Verdict codes of a variant against the baseline: machine-readable
// values, with the sentence beside them in VariantStats.Says.
const (
	VerdictBaseline    = "baseline"
	VerdictFaster      = "faster"       // the whole interval of its change is below 0
	VerdictSlower      = "slower"       // the whole interval is above 0
	VerdictSame        = "same"         // the whole interval lies within ±Equivalence
	VerdictUnclear     = "unclear"      // none of the above: the data cannot tell
	VerdictSameCode    = "same-code"    // compiled code identical to another variant's: measured once
	VerdictNotMeasured = "not-measured" // skipped, failed or not built
)

// Run verdict codes.
const (
	RunWinner  = "winner"  // a variant is faster than the baseline: use it
	RunKeep    = "keep"    // nothing is faster: keep the current build
	RunUnclear = "unclear" // some variants could not be told apart from the baseline
	RunNone    = "none"    // the baseline could not be measured
)

// Analysis is what stats concluded from a run's samples. Every number a
// report shows comes from here, so the formats never disagree.
type Analysis struct {
	Alpha       float64 `json:"alpha"`       // family-wise error rate over variants and looks
	Equivalence float64 `json:"equivalence"` // the margin of "same speed", 0.02 = ±2%
	// Method says in one line how the verdicts were reached.
	Method string `json:"method"`

	Variants []VariantStats `json:"variants"` // in the run's variant order
	// Comparisons are the per-benchmark details: every measured variant
	// against the baseline, benchmark by benchmark and unit by unit.
	Comparisons []Comparison `json:"comparisons"`

	Winner string `json:"winner,omitempty"` // "" when nothing beats the baseline
	// Verdict is the run's conclusion: a code (RunWinner, …) and the
	// sentence people read.
	Verdict     string `json:"verdict"`
	VerdictText string `json:"verdict_text"`
	// Detectable is the smallest overall change this run could have
	// detected with 90% power, for the least measured variant: 0.03 = 3%.
	Detectable float64 `json:"detectable"`
	// Recommendation is what to do, for machines: which build, its
	// speed-up, the exact commands.
	Recommendation Recommendation `json:"recommendation"`

	// LayoutSensitive lists the benchmarks whose speed moved beyond
	// LayoutThreshold with code layout alone.
	LayoutSensitive []LayoutSpread `json:"layout_sensitive,omitempty"`
	// Noise names the benchmark that limits what the run could detect,
	// when one does; nil otherwise.
	Noise    *Noise   `json:"noise,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Noise is a benchmark whose paired times vary so much more than the
// others' that it makes up most of the noise of the overall change, and
// so most of what the run could not detect.
type Noise struct {
	Package   string `json:"package"`
	Benchmark string `json:"benchmark"`
	// SD is the standard deviation between blocks of its log time ratio
	// to the baseline, pooled over the variants, as a fraction; OthersSD
	// the median of the other benchmarks' SD.
	SD       float64 `json:"sd"`
	OthersSD float64 `json:"others_sd"`
	// Share is its part of the summed variances: about its share of the
	// variance of the overall per-cycle change.
	Share float64 `json:"share"`
	// DetectableWithout estimates what the run could have detected from
	// the same cycles without this benchmark.
	DetectableWithout float64 `json:"detectable_without"`
	// Allocates says the baseline's timed loop allocates (B/op > 0).
	Allocates bool `json:"allocates,omitempty"`
	// Text says it in words, with what usually steadies such a benchmark.
	Text string `json:"text"`
}

// Recommendation actions.
const (
	ActionUse    = "use"            // build the winner
	ActionKeep   = "keep"           // keep the current build: nothing beat it
	ActionLonger = "measure-longer" // nothing shown faster, but some variants could not be told apart
	ActionNone   = "none"           // the baseline could not be measured
)

// Recommendation is what a run tells the user to do.
type Recommendation struct {
	Action string `json:"action"` // one of the Action values
	// Variant is the build to use (ActionUse) and Change its speed-up:
	// its time ratio to the baseline with the interval.
	Variant  string        `json:"variant,omitempty"`
	Settings axis.Settings `json:"settings,omitempty"`
	Change   *Ratio        `json:"change,omitempty"`
	// BuildLine is the exact go build command of the build to use, and
	// RunEnv the environment to run it with.
	BuildLine string   `json:"build_line,omitempty"`
	RunEnv    []string `json:"run_env,omitempty"`
	// Profile is set when the build to use needs a PGO profile that is
	// not yet the target's default.pgo.
	Profile *ProfileToApply `json:"profile,omitempty"`
}

// ProfileToApply is a profile the recommended build uses that the target
// does not commit yet: where it is and how to commit it as default.pgo.
type ProfileToApply struct {
	Path    string   `json:"path"`              // the profile the winner was built with
	Mains   []string `json:"mains"`             // the main packages' directories whose default.pgo it becomes
	Command string   `json:"command"`           // the one command that writes it there, with provenance
	Applied bool     `json:"applied,omitempty"` // written by this run (--apply)
}

// VariantStats is the analysis of one variant against the baseline.
type VariantStats struct {
	Name    string `json:"name"`
	Verdict string `json:"verdict"` // a Verdict code
	Says    string `json:"says"`    // the verdict in words, e.g. "4.1% faster"
	Rank    int    `json:"rank,omitempty"`
	// Change is the overall sec/op ratio to the baseline (geometric mean
	// over benchmarks, per cycle, then the Hodges–Lehmann estimate over
	// cycles) with its interval at Level; nil when not measured.
	Change *Ratio   `json:"change,omitempty"`
	Level  float64  `json:"level,omitempty"` // 1 − the confidence of Change's interval, after the corrections
	P      *float64 `json:"p,omitempty"`     // signed-rank p-value of Change, before corrections
	Cycles int      `json:"cycles"`          // paired cycles behind Change
	// DecidedAt is the cycle at which the sequential rule decided the
	// variant; 0 when it was decided at the end.
	DecidedAt int `json:"decided_at,omitempty"`
	// Detectable is the change a test at Level detects with 90% power
	// given Change's interval: what this variant's data could have seen.
	Detectable float64 `json:"detectable,omitempty"`
	// Improved, Worse and Unchanged count its benchmarks significantly
	// faster, slower and neither, after Holm over the sec/op family.
	Improved  int `json:"improved"`
	Worse     int `json:"worse"`
	Unchanged int `json:"unchanged"`
	// Bytes and Allocs are the geometric means of the B/op and allocs/op
	// ratios; nil without such samples. BytesSignificant and
	// AllocsSignificant say whether any benchmark's change is significant.
	Bytes             *float64 `json:"bytes,omitempty"`
	Allocs            *float64 `json:"allocs,omitempty"`
	BytesSignificant  bool     `json:"bytes_significant,omitempty"`
	AllocsSignificant bool     `json:"allocs_significant,omitempty"`
	// LayoutSpread is the standard deviation of the variant's overall
	// change between code layouts, as a fraction; 0 without layouts.
	// LayoutSensitive says the change was significant but not on the same
	// side in every layout, so the verdict is "could not tell".
	LayoutSpread    float64 `json:"layout_spread,omitempty"`
	LayoutSensitive bool    `json:"layout_sensitive,omitempty"`
}

// Ratio is a ratio to the baseline with its interval: 0.96 is 4% less
// time. Non-finite bounds (too few pairs for the interval) encode as null.
type Ratio struct {
	Center float64 `json:"center"`
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
}

// Comparison is one benchmark and unit of one variant against the
// baseline, paired by block.
type Comparison struct {
	Variant   string `json:"variant"`
	Package   string `json:"package"`
	Benchmark string `json:"benchmark"`
	Unit      string `json:"unit"`
	N         int    `json:"n"` // pairs
	// Base and New are the medians of the baseline's and the variant's
	// values in the paired blocks.
	Base float64 `json:"base"`
	New  float64 `json:"new"`
	// Change is the Hodges–Lehmann ratio with its 95% interval.
	Change      Ratio   `json:"change"`
	P           float64 `json:"p"`      // signed-rank p-value
	PHolm       float64 `json:"p_holm"` // Holm-adjusted within the unit's family
	Significant bool    `json:"significant"`
	// LayoutSpread is the spread (largest minus smallest) of the change's
	// estimate between code layouts; LayoutSensitive says the change is
	// within that spread or changes sign between layouts: where the
	// linker put the code may explain it. Both 0/false without layouts.
	LayoutSpread    float64  `json:"layout_spread,omitempty"`
	LayoutSensitive bool     `json:"layout_sensitive,omitempty"`
	Warnings        []string `json:"warnings,omitempty"`
}

// LayoutSpread is how much one benchmark moved with code layout alone.
type LayoutSpread struct {
	Package   string  `json:"package"`
	Benchmark string  `json:"benchmark"`
	Spread    float64 `json:"spread"` // the SD of the baseline's per-layout median, relative
}

// Sequential records the looks at the data while a run measured. Every
// look tests the undecided variants at a level spent from the run's α, so
// that the error rate over all looks stays at α.
type Sequential struct {
	Spending string `json:"spending"` // the alpha-spending function
	// PlannedCycles is the most cycles the budget allowed at the last look.
	PlannedCycles int     `json:"planned_cycles"`
	Spent         float64 `json:"spent"` // the α spent so far
	Looks         []Look  `json:"looks"`
	// Decided maps each variant the rule decided to its decision.
	Decided map[string]Decision `json:"decided,omitempty"`
}

// Look is one look at the data.
type Look struct {
	Cycle int     `json:"cycle"`
	Info  float64 `json:"info"`  // information fraction: cycles / planned cycles
	Level float64 `json:"level"` // the α spent at this look
}

// Decision is how the sequential rule decided one variant.
type Decision struct {
	Cycle   int     `json:"cycle"`
	Verdict string  `json:"verdict"`
	Change  Ratio   `json:"change"`
	Level   float64 `json:"level"`
	P       float64 `json:"p"`
}

// Search values: how the variants of a run were chosen for measuring.
const (
	SearchGrid   = "grid"   // every variant of the matrix
	SearchScreen = "screen" // one axis at a time, then the best values combined
)

// ReasonScreenedOut starts the Reason of a variant that screening did not
// build; reports list such variants in one note rather than a row each.
const ReasonScreenedOut = "not built: screening"

// Search records how a run chose what to build and measure, and what that
// cost.
type Search struct {
	Mode string `json:"mode"` // SearchGrid or SearchScreen
	// Stages lists the measuring stages: one for a grid, one or two for
	// screening (one axis at a time, then the combination).
	Stages []Stage `json:"stages,omitempty"`
	// Combination is the variant screening combined the best value of each
	// axis into; "" when no axis had a value faster than the baseline's.
	Combination string `json:"combination,omitempty"`

	Builds       int `json:"builds"`        // variants built by this run
	CachedBuilds int `json:"cached_builds"` // variants whose binaries came from the build cache
	Trials       int `json:"trials"`        // test binary runs, resumed ones included
	// ReusedFrom is the result file whose verdict this run reused: same
	// target source, Go version, settings and host.
	ReusedFrom string `json:"reused_from,omitempty"`
	Resumed    int    `json:"resumed,omitempty"` // times the run was interrupted and resumed

	WallSeconds    float64 `json:"wall_seconds,omitempty"`
	MeasureSeconds float64 `json:"measure_seconds,omitempty"` // time spent in blocks
	// SelfCPUSeconds is the CPU time of gotune's own process, without the
	// go commands and test binaries it ran.
	SelfCPUSeconds float64 `json:"self_cpu_seconds,omitempty"`
	// Disturbed is the share of blocks during which other processes used
	// more than a quarter of the machine.
	Disturbed float64 `json:"disturbed,omitempty"`
}

// Stage is one measuring stage of a run: cycles of blocks over some
// variants.
type Stage struct {
	Name       string   `json:"name"`     // "grid", "axes" or "combination"
	Variants   []string `json:"variants"` // measured (the baseline first)
	Seed       int64    `json:"seed"`     // of the stage's block order
	Cycles     int      `json:"cycles"`   // cycles run
	FirstBlock int      `json:"first_block"`
	// Stopped tells why the stage ended: every variant decided, the
	// budget spent, or an interrupt.
	Stopped string `json:"stopped,omitempty"`
}
