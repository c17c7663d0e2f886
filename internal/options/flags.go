package options

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/service"
)

// Group selects a set of flags to register.
type Group int

const (
	// Matrix: one flag per axis, --config, --max-variants, --no-dedupe.
	Matrix Group = 1 << iota
	// Measure: --count, --bench, --benchtime, --timeout, --seed,
	// --budget, --early-stop, --equivalence, --layouts, --quiet-wait,
	// --fresh, --workdir.
	Measure
	// Search: --search, --baseline-only, --shard and --shard-from,
	// which only run has.
	Search
)

// Flags registers option flags on a flag set and, once the command line
// is parsed, turns what was given into Options.
type Flags struct {
	// Warnings say what the command line asked for in an old way, for
	// stderr.
	Warnings []string

	o           *Options
	fs          *pflag.FlagSet
	axes        map[string]*[]string // by flag name
	equivalence string
	earlyStop   bool
	race        bool
}

// Register adds the flags of the groups to fs, writing into o.
func Register(fs *pflag.FlagSet, o *Options, groups Group) *Flags {
	f := &Flags{o: o, fs: fs, axes: map[string]*[]string{}}
	if groups&Matrix != 0 {
		for _, a := range axis.All {
			p := new([]string)
			f.axes[a.FlagName()] = p
			fs.StringArrayVar(p, a.FlagName(), nil, a.Usage)
		}
		fs.StringVar(&o.Config, "config", "", "matrix `file` (default: gotune.yaml in the target, when present)")
		fs.IntVar(&o.MaxVariants, "max-variants", 0, fmt.Sprintf("refuse matrices larger than `n` variants (default %d)", matrix.DefaultMaxVariants))
		fs.BoolVar(&o.NoDedupe, "no-dedupe", false, "measure variants with identical compiled code separately (an A/A check)")
	}
	if groups&Search != 0 {
		fs.StringVar(&o.Search, "search", "", "how to choose what to build, a `mode`: grid builds every variant; screen varies one axis at a time, then combines the best values (default: screen above 8 variants)")
		fs.BoolVar(&o.BaselineOnly, "baseline-only", false, "measure only the baseline build, to save a result for 'gotune check --against'")
		fs.StringVar(&o.Shard, "shard", "", "measure only shard `K/N` of the benchmarks (every variant), for 'gotune merge' of the N results: one per CI runner")
		fs.StringVar(&o.ShardFrom, "shard-from", "", "balance the shards by the benchmarks' times in an earlier result `file` (default: equal counts)")
	}
	if groups&Measure != 0 {
		fs.IntVar(&o.MinBlocks, "count", 0, fmt.Sprintf("measure every benchmark in at least `n` blocks before deciding (default %d)", DefaultMinBlocks))
		fs.IntVar(&o.MaxBlocks, "max-blocks", 0, "stop after `n` blocks of every benchmark, even with budget left (default: no limit)")
		fs.StringVar(&o.Bench, "bench", "", "run only benchmarks matching `regexp`, as go test -bench (default .)")
		fs.StringVar(&o.Benchtime, "benchtime", "", fmt.Sprintf("length of one trial, a `time` as go test -benchtime takes: 50ms or 1000x (default: chosen per benchmark, about %s)", DefaultTrialTime))
		fs.DurationVar(&o.Timeout, "timeout", 0, "kill a trial after `d` (default: 1m plus 10× the trial length)")
		fs.Int64Var(&o.Seed, "seed", 0, "`seed` of the block order; a run prints its seed so it can be replayed (default random)")
		fs.DurationVar(&o.Budget, "budget", 0, "measure for at most `d` (e.g. 10m); the run stops sooner when every variant is decided (default: chosen from the matrix, and stretched up to 10m when a cycle is too long for the cycles a verdict needs)")
		fs.BoolVar(&f.earlyStop, "early-stop", true, "stop measuring a variant once it is decided, and the run once all are (--early-stop=false measures to the budget)")
		fs.BoolVar(&f.race, "race", true, "")
		fs.MarkHidden("race") // the old name of --early-stop: see Finish
		fs.StringVar(&f.equivalence, "equivalence", "", fmt.Sprintf("call two builds the same speed when the interval of their difference lies within ±`percent` (default %s)", pct(DefaultEquivalence)))
		fs.IntVar(&o.Layouts, "layouts", DefaultLayouts, "cycle through `n` code layouts (padding ahead of each package) so that a verdict holds beyond where the linker put the code; 0 or 1 = off")
		fs.DurationVar(&o.QuietWait, "quiet-wait", 0, "before a block, wait up to `d` for other processes to leave the CPU")
		fs.BoolVar(&o.Fresh, "fresh", false, "ignore gotune's cached builds and results: build and measure again")
		fs.BoolVar(&o.ServiceFlags.On, "service", false, "service mode: build the server of gotune.yaml's service: section with go build and measure each variant under HTTP load (docs/service.md)")
		fs.StringVar(&o.ServiceFlags.Main, "service-main", "", "service mode without a service: section: the server's main `package`, started with -addr {addr}")
		fs.StringArrayVar(&o.ServiceFlags.Load, "load", nil, "service mode: a `request` of the load, \"/path?query\" or \"POST /path\" (repeatable; replaces the section's requests)")
		fs.Float64Var(&o.ServiceFlags.Rate, "rate", 0, fmt.Sprintf("service mode: requests per `second`, sent at a constant rate (default %v)", service.DefaultRate))
		fs.StringVar(&o.Metric, "metric", "", fmt.Sprintf("service mode: the `metric` verdicts are about: %s (default %s); the report shows them all", metricNames(), DefaultMetric))
		fs.StringVar(&o.WorkDir, "workdir", "", "the `dir` where binaries and results go (default: the user cache dir); never inside the target")
	}
	return f
}

// Finish turns what was given on the command line into o and validates
// it. An axis flag given with an empty value (--ldflags ”) is the axis
// with the one value "", not an axis not given.
func (f *Flags) Finish() error {
	raw := axis.Values{}
	for _, a := range axis.All {
		p, ok := f.axes[a.FlagName()]
		if ok && f.fs.Changed(a.FlagName()) {
			v := *p
			if v == nil {
				v = []string{""}
			}
			raw[a.Name] = v
		}
	}
	ax, err := axis.ParseFlagValues(raw)
	if err != nil {
		return InputError{err}
	}
	if len(f.axes) > 0 {
		f.o.Axes = ax
	}
	if f.fs.Lookup("early-stop") != nil {
		f.o.NoEarlyStop = !f.earlyStop || (f.fs.Changed("race") && !f.race)
		if f.fs.Changed("race") {
			f.Warnings = append(f.Warnings, "--race is now --early-stop (--race was easily taken for go test's race detector); it still works")
		}
	}
	if f.fs.Changed("count") && f.o.MinBlocks < 1 {
		return Inputf("--count %d: want at least 1 block per benchmark (%d or more for a verdict)", f.o.MinBlocks, DefaultMinBlocks)
	}
	if f.equivalence != "" {
		e, err := ParsePercent(f.equivalence)
		if err != nil {
			return Inputf("--equivalence %q: %v", f.equivalence, err)
		}
		if e == 0 {
			return Inputf("--equivalence 0: want a margin above 0%%, e.g. 2%%")
		}
		f.o.Equivalence = e
	}
	if f.fs.Changed("budget") && f.o.Budget == 0 {
		return Inputf("--budget 0: want a positive duration such as 5m")
	}
	return f.o.Validate()
}

// Changed reports whether any of the named flags was given.
func (f *Flags) Changed(names ...string) bool {
	for _, n := range names {
		if f.fs.Lookup(n) != nil && f.fs.Changed(n) {
			return true
		}
	}
	return false
}

// AxesGiven reports whether any axis flag was given.
func (f *Flags) AxesGiven() bool {
	for name := range f.axes {
		if f.fs.Changed(name) {
			return true
		}
	}
	return false
}

// Given returns the names of the run-defining flags that were given, for
// --resume's refusal to change a run half way.
func (f *Flags) Given() []string {
	var out []string
	f.fs.Visit(func(fl *pflag.Flag) {
		switch fl.Name {
		case "resume", "quiet", "workdir", "json", "format", "output", "verbose", "chdir":
			return
		}
		out = append(out, "--"+fl.Name)
	})
	return out
}
