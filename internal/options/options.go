// Package options holds the one options type of a gotune run: what the
// flags and gotune.yaml ask for, validated in one place, serialised as it
// is into the run's state (for --resume), its result and its cache key. It
// sits between the command line and the plan:
//
//	flags ──► options.Flags ──► Options.Validate ──► plan ──► engine
//
// The flags are registered here, once per group (as cmd/go's
// AddBuildFlags), so that run, check and matrix spell them alike.
package options

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/service"
)

// Search modes.
const (
	SearchAuto   = ""       // screen above ScreenAbove variants, else grid
	SearchGrid   = "grid"   // build and measure every variant
	SearchScreen = "screen" // one axis at a time, then the best values combined
)

// DefaultLayouts is the --layouts of the command line: four code layouts,
// padding steps 32 bytes apart, reach both 64-byte parities twice (what
// moved benchmarks on these machines), and with three or more the layouts'
// spread enters verdicts as a random effect, which keeps false wins at or
// below 5% in simulation where two layouts let up to 27% through. On the
// demo they cost +7% wall time (+3% for two; docs/layout.md). Layouts'
// zero value is off, so Defaults leaves it alone.
const DefaultLayouts = 4

// Defaults of the fields whose zero value means "not set".
const (
	// DefaultMinBlocks is the number of blocks of every benchmark before
	// the first look at the data.
	DefaultMinBlocks = 6
	// DefaultEquivalence is the margin within which two builds are called
	// the same speed: ±2%.
	DefaultEquivalence = 0.02
	// DefaultTrialTime is how long one trial's benchmark loop should take
	// when the trial length is chosen automatically.
	DefaultTrialTime = 60 * time.Millisecond
	// MinBudget is the shortest --budget: below it a run would stop before
	// its first block.
	MinBudget = time.Second
)

// Options are everything that defines a run. Zero values mean "not set":
// gotune.yaml or the defaults fill them (see Merge and the Default
// methods). The JSON form is the options as run, kept in the result and in
// the state an interrupted run is resumed from.
type Options struct {
	// The target.
	Dir      string   `json:"dir"`                // -C: the target directory
	Packages []string `json:"packages,omitempty"` // package patterns; nil = the config's, else ./...
	Config   string   `json:"config,omitempty"`   // gotune.yaml path; "" = <target>/gotune.yaml when present

	// The matrix.
	Axes         axis.Values `json:"axes,omitempty"` // from flags; an axis given here replaces the config's
	MaxVariants  int         `json:"max_variants,omitempty"`
	NoDedupe     bool        `json:"no_dedupe,omitempty"`     // measure variants with identical code separately
	BaselineOnly bool        `json:"baseline_only,omitempty"` // measure the baseline alone (a saved result for check --against)
	// Base is the revision check --base compares the worktree with: the
	// matrix is then those two revisions, the base first, and nothing
	// else (gotune.yaml's axes and variants are left out).
	Base   string `json:"base,omitempty"`
	Search string `json:"search,omitempty"` // SearchAuto, SearchGrid or SearchScreen

	// How to measure.
	Bench       string        `json:"bench,omitempty"`      // -test.bench regexp; "" = the config's, else "."
	Benchtime   string        `json:"benchtime,omitempty"`  // per trial, as go test; "" = chosen per benchmark
	Timeout     time.Duration `json:"timeout,omitempty"`    // per trial; 0 = derived from the trial length
	Seed        int64         `json:"seed,omitempty"`       // 0 = drawn at random (and printed)
	MinBlocks   int           `json:"min_blocks,omitempty"` // --count: blocks of every benchmark before deciding; 0 = the config's, else DefaultMinBlocks
	MaxBlocks   int           `json:"max_blocks,omitempty"` // stop after this many blocks of every benchmark; 0 = when the budget is spent
	Budget      time.Duration `json:"budget,omitempty"`     // measuring time; 0 = chosen from the matrix
	NoEarlyStop bool          `json:"no_early_stop,omitempty"`
	Equivalence float64       `json:"equivalence,omitempty"` // 0 = DefaultEquivalence
	Layouts     int           `json:"layouts,omitempty"`     // code layouts to cycle through; 0 = off
	QuietWait   time.Duration `json:"quiet_wait,omitempty"`  // wait up to this long for a calmer machine before a block
	Fresh       bool          `json:"fresh,omitempty"`       // ignore gotune's build and result caches

	// Shard is "K/N": measure the K-th of N deterministic, balanced parts
	// of the benchmarks (every variant), for gotune merge; "" = all.
	// ShardFrom is a previous result whose block times balance the parts;
	// "" = equal counts (docs/shards.md).
	Shard     string `json:"shard,omitempty"`
	ShardFrom string `json:"shard_from,omitempty"`
	// Service mode: the server and load to measure (gotune.yaml's
	// service: section with the service flags applied, requests file
	// read); nil measures benchmarks. Metric is the metric the verdicts
	// are about in service mode (a Metrics key); "" = DefaultMetric.
	Service *service.Config `json:"service,omitempty"`
	Metric  string          `json:"metric,omitempty"`
	// ServiceFlags are the service flags as given, merged into Service.
	ServiceFlags ServiceFlags `json:"-"`

	// Where binaries and results go; "" = the user cache dir.
	WorkDir string `json:"work_dir,omitempty"`
}

// InputError is a problem with what the user gave: flags, configuration
// or target (exit status 2).
type InputError struct{ Err error }

func (e InputError) Error() string { return e.Err.Error() }
func (e InputError) Unwrap() error { return e.Err }

// Inputf returns an InputError.
func Inputf(format string, args ...any) error {
	return InputError{fmt.Errorf(format, args...)}
}

// Validate checks every field and returns every problem at once, each one
// line naming the flag and the fix, as an InputError.
func (o *Options) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := o.Axes.Validate("--"); err != nil {
		errs = append(errs, err)
	}
	if o.Base != "" {
		if _, err := axis.ParseRev(o.Base); err != nil {
			errs = append(errs, fmt.Errorf("--base: %w", err))
		} else if o.Base == axis.Worktree {
			bad("--base %s: the base is a commit to compare this worktree with, e.g. main or HEAD~1", o.Base)
		}
		if !o.Axes.Empty() {
			bad("--base compares this worktree with one revision, alone: drop the axis flags, or drop --base and give the revisions with --rev %s,worktree to cross them with other axes", o.Base)
		}
		if o.BaselineOnly {
			bad("--base measures two revisions: drop --baseline-only")
		}
	}
	if o.MaxVariants < 0 {
		bad("--max-variants %d: want a positive number of variants, e.g. 64", o.MaxVariants)
	}
	switch o.Search {
	case SearchAuto, SearchGrid, SearchScreen:
	default:
		bad("--search %q: want grid or screen", o.Search)
	}
	if _, err := regexp.Compile(o.Bench); err != nil {
		bad("--bench %q is not a valid regular expression: %v", o.Bench, err)
	}
	if o.Benchtime != "" {
		if _, err := matrix.ParseBenchtime(o.Benchtime); err != nil {
			bad("--benchtime: %v", err)
		}
	}
	if o.Timeout < 0 {
		bad("--timeout %s: want a positive duration such as 2m (it kills a hanging trial)", o.Timeout)
	}
	if o.MinBlocks < 0 {
		bad("--count %d: want at least 1 block per benchmark (%d or more for a verdict)", o.MinBlocks, DefaultMinBlocks)
	}
	if o.MaxBlocks < 0 {
		bad("--max-blocks %d: want a positive number of blocks per benchmark, or 0 for no limit", o.MaxBlocks)
	}
	switch {
	case o.Budget < 0:
		bad("--budget %s: want a positive duration such as 5m", o.Budget)
	case o.Budget > 0 && o.Budget < MinBudget:
		bad("--budget %s is too short to measure anything: give at least %s", o.Budget, MinBudget)
	}
	if o.Equivalence < 0 || o.Equivalence >= 0.5 || math.IsNaN(o.Equivalence) {
		bad("--equivalence %s: want a margin between 0%% and 50%%, e.g. 2%%", pct(o.Equivalence))
	}
	if o.Layouts < 0 || o.Layouts > 64 {
		bad("--layouts %d: want 0 (off) to 64", o.Layouts)
	}
	if o.QuietWait < 0 {
		bad("--quiet-wait %s: want a positive duration such as 30s", o.QuietWait)
	}
	if o.Shard != "" {
		if _, _, err := ParseShard(o.Shard); err != nil {
			bad("--shard %q: %v", o.Shard, err)
		}
		if o.Base != "" || o.BaselineOnly {
			bad("--shard splits a tuning run's benchmarks across runners: drop --base and --baseline-only (compare revisions with --rev BASE,worktree)")
		}
	} else if o.ShardFrom != "" {
		bad("--shard-from balances the shards of --shard K/N: give --shard too, or drop --shard-from")
	}
	errs = append(errs, o.validateService()...)
	if err := errors.Join(errs...); err != nil {
		return InputError{err}
	}
	return nil
}

// MaxShards is the largest N of --shard K/N.
const MaxShards = 256

// ParseShard reads --shard K/N: the K-th (1-based) of N shards.
func ParseShard(s string) (k, n int, err error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return 0, 0, errors.New("want K/N, e.g. 2/3 for the second of three shards")
	case n < 1 || n > MaxShards:
		return 0, 0, fmt.Errorf("want between 1 and %d shards", MaxShards)
	case k < 1 || k > n:
		return 0, 0, fmt.Errorf("shard %d of %d: want K from 1 to %d", k, n, n)
	}
	return k, n, nil
}

// Merge fills the fields the flags left unset from gotune.yaml: its axes
// (an axis given as a flag replaces the file's), packages, bench,
// benchtime, count and the matrix size limit.
func (o *Options) Merge(cfg matrix.Config) {
	o.Axes = cfg.Axes.Override(o.Axes)
	if o.Packages == nil {
		o.Packages = cfg.Packages
	}
	if o.Bench == "" {
		o.Bench = cfg.Bench
	}
	if o.Benchtime == "" {
		o.Benchtime = cfg.Benchtime
	}
	if o.MinBlocks == 0 {
		o.MinBlocks = cfg.Count
	}
	if o.MaxVariants == 0 {
		o.MaxVariants = cfg.MaxVariants
	}
	o.mergeService(cfg.Service)
}

// Defaults fills the unset fields that have a fixed default. The seed,
// the budget and the timeout are chosen later, from the plan.
func (o *Options) Defaults() {
	if o.Bench == "" {
		o.Bench = "."
	}
	if o.MinBlocks == 0 {
		o.MinBlocks = DefaultMinBlocks
	}
	if o.Equivalence == 0 {
		o.Equivalence = DefaultEquivalence
	}
}

// Key returns the options that decide what a run measures, as one string
// for the result cache: everything but where files go and whether caches
// are used. With random, the seed is left out (a run whose seed was drawn
// may reuse the result of any other).
func (o Options) Key(random bool) string {
	k := o
	k.WorkDir, k.Fresh, k.Dir, k.Config = "", false, "", ""
	if random {
		k.Seed = 0
	}
	data, _ := json.Marshal(k)
	return string(data)
}

// ParsePercent reads a percentage such as "5%", "5" or "2.5%" as a
// fraction (0.05, 0.05, 0.025).
func ParsePercent(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	switch {
	case err != nil:
		return 0, errors.New("want a percentage such as 5% or 2.5")
	case v < 0 || math.IsNaN(v):
		return 0, errors.New("want a percentage of 0 or more")
	case v > 10000:
		return 0, errors.New("want a percentage of at most 10000%")
	}
	return v / 100, nil
}

func pct(f float64) string {
	return strconv.FormatFloat(100*f, 'g', 4, 64) + "%"
}
