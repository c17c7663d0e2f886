package result

// ReasonScreenedOut starts the Reason of a variant that screening did not
// build; reports list such variants in one note rather than a row each.
const ReasonScreenedOut = "not built: screening"

// Search values: how the variants of a run were chosen for measuring.
const (
	SearchGrid   = "grid"   // every variant of the matrix
	SearchScreen = "screen" // one axis at a time, then the best values combined
)

// Calibration sources.
const (
	CalibrationAA       = "a/a"      // the baseline's binary measured against itself
	CalibrationBaseline = "baseline" // the spread of the baseline's own rounds
)

// Search records how a run chose what to build and measure, and what that
// cost: builds done and reused, trials run, and gotune's own time.
type Search struct {
	Mode string `json:"mode"` // SearchGrid or SearchScreen
	Race bool   `json:"race"` // variants significantly slower than the best were dropped
	// Stages lists the measuring stages: one for a grid, one or two for
	// screening (one axis at a time, then the combination).
	Stages []Stage `json:"stages,omitempty"`
	// Combination is the variant screening combined the best value of each
	// axis into; "" when no axis had a value faster than the baseline's.
	Combination string `json:"combination,omitempty"`

	Builds       int `json:"builds"`        // variants built by this run
	CachedBuilds int `json:"cached_builds"` // variants whose binaries came from the build cache
	Trials       int `json:"trials"`        // test binary runs, resumed ones included
	// GridTrials is what measuring every distinct variant of the matrix
	// for every round would have cost, for comparison.
	GridTrials int `json:"grid_trials,omitempty"`

	// Budget is the --budget the rounds were planned for ("" = none), and
	// Rounds the rounds that fitted.
	Budget string `json:"budget,omitempty"`
	Rounds int    `json:"rounds,omitempty"`
	// ReusedFrom is the result file whose verdict this run reused: same
	// target source, Go version, settings and host.
	ReusedFrom string `json:"reused_from,omitempty"`
	Resumed    int    `json:"resumed,omitempty"` // times the run was interrupted and resumed

	WallSeconds float64 `json:"wall_seconds,omitempty"`
	// SelfCPUSeconds is the CPU time of gotune's own process, without the
	// go commands and test binaries it ran.
	SelfCPUSeconds float64 `json:"self_cpu_seconds,omitempty"`
}

// Stage is one measuring stage of a run: interleaved rounds of some variants.
type Stage struct {
	Name     string   `json:"name"`     // "grid", "axes" or "combination"
	Variants []string `json:"variants"` // measured (the baseline first)
	Seed     int64    `json:"seed"`     // of the stage's round order
	Rounds   int      `json:"rounds"`   // rounds run
	// FirstRound is the number of the stage's first round among the run's
	// samples: the rounds of later stages follow those of earlier ones.
	FirstRound int `json:"first_round"`
	// Stopped tells why the stage ended before its last planned round.
	Stopped string `json:"stopped,omitempty"`
}

// Drop says when and why racing stopped measuring a variant.
type Drop struct {
	Stage  string `json:"stage"`
	Round  int    `json:"round"`  // the last round it was measured in
	Leader string `json:"leader"` // the variant it is significantly slower than
	Ratio  Ratio  `json:"ratio"`  // geomean sec/op ratio to the leader then, with its interval
	Worse  int    `json:"worse"`  // benchmarks significantly slower than the leader's after Holm
}

// Calibration is this machine's measured noise and what it allows a run to
// detect.
type Calibration struct {
	Source string `json:"source"` // CalibrationAA or CalibrationBaseline
	Rounds int    `json:"rounds"` // rounds the noise was measured in
	// NoiseFloor is the median over benchmarks of the relative spread of a
	// single sec/op sample (1.4826·MAD/median): 0.02 = 2%.
	NoiseFloor float64 `json:"noise_floor"`
	// AA is the geomean sec/op ratio of the baseline to itself with its
	// interval; AAFalse counts its benchmarks an uncorrected U-test called
	// different (false positives by construction).
	AA      *Ratio `json:"aa,omitempty"`
	AAFalse int    `json:"aa_false,omitempty"`
	// MinDetectable is the smallest sec/op change a run of Count rounds
	// could detect over Comparisons comparisons (Holm's strictest step);
	// 0 when it cannot detect any.
	MinDetectable float64 `json:"min_detectable"`
	Count         int     `json:"count"`
	Comparisons   int     `json:"comparisons"`
}
