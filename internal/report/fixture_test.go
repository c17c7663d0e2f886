package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// The fixtures are runs as the engine leaves them: variants with their
// settings, blocks (one benchmark run once in every live variant, back to
// back, in a shuffled order) and the samples of every trial, generated
// from a known truth with seeded noise and drift, then analysed by
// stats.Analyze. Only a few tests patch the analysis by hand, for edge
// cases no generated run reaches.

// Fixture values shared by the runs below.
const (
	fixModule = "github.com/acme/quote"
	fixAPI    = fixModule + "/api"
	fixStore  = fixModule + "/store"
)

var fixStarted = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// baseRun returns the parts every fixture run shares: what was measured,
// where and how.
func baseRun() *result.Run {
	return &result.Run{
		SchemaVersion: result.SchemaVersion,
		GotuneVersion: "v0.1.0",
		GoVersion:     "go1.26.8",
		Host: result.Host{
			GOOS: "linux", GOARCH: "amd64", CPU: "AMD EPYC 7B13 64-Core Processor",
			NumCPU: 8, GOAMD64Max: "v3",
		},
		Module:   fixModule,
		Dir:      "/home/dev/quote",
		Packages: []string{fixAPI, fixStore},
		Started:  fixStarted,
		WorkDir:  "/tmp/gotune-1722",
		RawFile:  "/tmp/gotune-1722/raw.txt",
		Options: options.Options{
			Dir: "/home/dev/quote", Bench: ".", Seed: 1722, MinBlocks: options.DefaultMinBlocks,
			Budget: 5 * time.Minute, Equivalence: options.DefaultEquivalence,
		},
		Baseline: "goamd64=v1",
	}
}

// builds returns the two `go test -c` builds of a variant.
func builds(variant string, apiSize, storeSize int64, apiSec, storeSec float64, fp string) []result.Build {
	dir := "/tmp/gotune-1722/" + variant + "/"
	return []result.Build{
		{Package: fixAPI, Binary: dir + "api.test", Seconds: apiSec, Size: apiSize, Fingerprint: fp + "a1"},
		{Package: fixStore, Binary: dir + "store.test", Seconds: storeSec, Size: storeSize, Fingerprint: fp + "b2"},
	}
}

// fixRow is one benchmark of the fixtures (a top-level benchmark or one of
// its sub-benchmarks) with the baseline's true values.
type fixRow struct {
	pkg, top, name string // top is the top-level benchmark a block runs
	sec            float64
	bytes, allocs  float64
}

// fixRows are the benchmarks of the fixture module: four top-level
// benchmarks in two packages, one with two sub-benchmarks. BenchmarkGet
// allocates nothing, so its memory ratios have no finite value.
var fixRows = []fixRow{
	{fixAPI, "BenchmarkQuote", "BenchmarkQuote/small", 1.234e-6, 1024, 12},
	{fixAPI, "BenchmarkQuote", "BenchmarkQuote/large", 48.2e-6, 65536, 140},
	{fixAPI, "BenchmarkParse", "BenchmarkParse", 312e-9, 256, 3},
	{fixStore, "BenchmarkGet", "BenchmarkGet", 85.1e-9, 0, 0},
	{fixStore, "BenchmarkPut", "BenchmarkPut", 210e-9, 48, 1},
}

// rowsOf returns the fixture rows of the given packages.
func rowsOf(pkgs ...string) []fixRow {
	return slices.DeleteFunc(slices.Clone(fixRows), func(r fixRow) bool { return !slices.Contains(pkgs, r.pkg) })
}

// truth is how a variant really differs from the baseline, benchmark by
// benchmark (full name; "" for every benchmark not named): 0.05 is 5% more
// time, bytes or allocations.
type truth struct {
	time, bytes, allocs map[string]float64
}

func (t truth) of(m map[string]float64, name string) float64 {
	if x, ok := m[name]; ok {
		return x
	}
	return m[""]
}

// gen generates the blocks and samples of a run with a known truth.
type gen struct {
	rows   []fixRow
	cycles int
	noise  float64 // log-normal sd of one trial's time
	seed   uint64
	truth  map[string]truth // by variant; missing = the baseline's speed
	// live are the variants run in every block; nil means every variant
	// measured on its own binaries.
	live []string
	// fail returns the error of a variant's trial in a block, "" when the
	// trial succeeds.
	fail func(variant string, b result.Block) string
}

// trialSeconds is how long one generated trial takes: a process start
// and a 60ms benchmark loop.
const trialSeconds = 0.25

// fill fills run's benchmarks, blocks, samples, failures, timing and
// search record from g, then analyses it.
func (g gen) fill(run *result.Run) *result.Run {
	rng := rand.New(rand.NewPCG(g.seed, 1722))
	live := g.live
	if live == nil {
		for _, v := range run.Variants {
			if v.Measured() {
				live = append(live, v.Name)
			}
		}
	}
	type top struct{ pkg, name string }
	var tops []top
	for _, r := range g.rows {
		if t := (top{r.pkg, r.top}); !slices.Contains(tops, t) {
			tops = append(tops, t)
			ns := 0.0
			for _, s := range g.rows {
				if s.top == r.top && s.pkg == r.pkg {
					ns += s.sec * 1e9
				}
			}
			iters := int(math.Round(60e6 / ns / 10))
			run.Benchmarks = append(run.Benchmarks, result.Benchmark{Package: r.pkg, Name: r.top, Benchtime: fmt.Sprintf("%dx", iters*10), NsPerOp: ns})
		}
	}
	clock := run.Started.Add(40 * time.Second) // builds and calibration
	idx := 0
	trials := 0
	for c := 1; c <= g.cycles; c++ {
		for _, t := range tops {
			idx++
			order := slices.Clone(live)
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			b := result.Block{Index: idx, Cycle: c, Stage: "grid", Package: t.pkg, Benchmark: t.name, Order: order, Started: clock}
			speed := 1 + 0.15*math.Sin(float64(idx)/6) // the machine drifts between blocks
			for _, v := range order {
				trials++
				if g.fail != nil {
					if err := g.fail(v, b); err != "" {
						run.Failures = append(run.Failures, result.Failure{Variant: v, Package: t.pkg, Benchmark: t.name, Block: idx, Error: err})
						continue
					}
				}
				tr := g.truth[v]
				for _, r := range g.rows {
					if r.top != t.name || r.pkg != t.pkg {
						continue
					}
					sec := r.sec * (1 + tr.of(tr.time, r.name)) * speed * math.Exp(rng.NormFloat64()*g.noise)
					run.Samples = append(run.Samples,
						result.Sample{Variant: v, Package: r.pkg, Benchmark: r.name, Unit: "sec/op", Block: idx, Value: sec},
						result.Sample{Variant: v, Package: r.pkg, Benchmark: r.name, Unit: "B/op", Block: idx, Value: math.Round(r.bytes * (1 + tr.of(tr.bytes, r.name)))},
						result.Sample{Variant: v, Package: r.pkg, Benchmark: r.name, Unit: "allocs/op", Block: idx, Value: math.Round(r.allocs * (1 + tr.of(tr.allocs, r.name)))},
					)
				}
			}
			b.Seconds = trialSeconds*float64(len(order)) + 0.02
			clock = clock.Add(time.Duration(b.Seconds * float64(time.Second)))
			run.Blocks = append(run.Blocks, b)
		}
	}
	measure := 0.0
	for _, b := range run.Blocks {
		measure += b.Seconds
	}
	run.Finished = clock.Add(2 * time.Second)
	built, cached := 0, 0
	for _, v := range run.Variants {
		if len(v.Builds) > 0 {
			built++
		}
	}
	run.Search = &result.Search{
		Mode:   result.SearchGrid,
		Stages: []result.Stage{{Name: "grid", Variants: live, Seed: run.Options.Seed, Cycles: g.cycles, FirstBlock: 1, Stopped: "every variant decided"}},
		Builds: built, CachedBuilds: cached, Trials: trials,
		WallSeconds:    math.Round(run.Finished.Sub(run.Started).Seconds()),
		MeasureSeconds: math.Round(measure*10) / 10,
	}
	return analysed(run)
}

// analysed sets run's analysis from its samples.
func analysed(run *result.Run) *result.Run {
	run.Analysis = stats.Analyze(run, stats.Options{Equivalence: run.Options.Equivalence})
	return run
}

// typicalRun returns a run with a baseline, a winner clearly faster on
// three of five benchmarks, a same-code twin of the baseline, a GOAMD64
// level the host cannot run, a variant that failed to build, one failed
// trial and a warning.
func typicalRun() *result.Run {
	run := baseRun()
	run.Variants = []result.Variant{
		{
			Name:      "goamd64=v1",
			Settings:  axis.Settings{"goamd64": "v1", "pgo": "off"},
			Status:    result.StatusOK,
			BuildLine: "GOAMD64=v1 go build -pgo=off ./...",
			Builds:    builds("goamd64=v1", 6_412_345, 5_301_120, 2.1, 1.4, "9f3c"),
		},
		{
			Name:       "goamd64=v1,ldflags=-s -w",
			Settings:   axis.Settings{"goamd64": "v1", "ldflags": "-s -w", "pgo": "off"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v1 go build -pgo=off -ldflags='-s -w' ./...",
			Builds:     builds("goamd64=v1,ldflags=-s -w", 4_505_600, 3_702_784, 1.9, 1.2, "9f3c"),
			SameCodeAs: "goamd64=v1",
		},
		{
			Name:       "goamd64=v3",
			Settings:   axis.Settings{"goamd64": "v3", "pgo": "off"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v3 go build -pgo=off ./...",
			Builds:     builds("goamd64=v3", 6_420_537, 5_305_216, 2.3, 1.5, "4d1e"),
		},
		{
			Name:       "goamd64=v4",
			Settings:   axis.Settings{"goamd64": "v4", "pgo": "off"},
			Complexity: 1,
			Status:     result.StatusSkipped,
			Reason:     `the host CPU supports GOAMD64 up to v3; a v4 binary would exit with "This program can only be run on AMD64 processors with v4 microarchitecture support."`,
		},
		{
			Name:     "pgo=profiles/stale.pgo",
			Settings: axis.Settings{"goamd64": "v1", "pgo": "profiles/stale.pgo"}, Profile: "/home/dev/quote/profiles/stale.pgo",
			Complexity: 1,
			Status:     result.StatusBuildFailed,
			Reason:     "# github.com/acme/quote/api\nerror: could not read profile /home/dev/quote/profiles/stale.pgo: profile.Parse: unrecognized profile format\n",
			Builds: []result.Build{{
				Package: fixAPI, Seconds: 0.4,
				Error: "could not read profile /home/dev/quote/profiles/stale.pgo: profile.Parse: unrecognized profile format",
			}},
		},
	}
	run.Warnings = []string{`CPU frequency scaling is on (governor "powersave"): expect more noise; the "performance" governor gives steadier numbers`}
	return gen{
		rows: fixRows, cycles: 12, noise: 0.015, seed: 1,
		truth: map[string]truth{"goamd64=v3": {time: map[string]float64{
			"BenchmarkQuote/small": -0.05, "BenchmarkQuote/large": -0.05, "BenchmarkParse": -0.01, "BenchmarkGet": -0.04,
		}}},
		fail: func(v string, b result.Block) string {
			if v == "goamd64=v3" && b.Cycle == 4 && b.Benchmark == "BenchmarkGet" {
				return "exit status 2: panic: runtime error: index out of range [3] with length 3"
			}
			return ""
		},
	}.fill(run)
}

// noWinnerRun returns a run where nothing beats the baseline: a variant of
// the same speed, its same-code twin, and a PGO variant (with its evidence)
// whose trials timed out in most cycles, too few pairs left to tell.
func noWinnerRun() *result.Run {
	run := baseRun()
	const pgoName = "pgo=auto,gcflags=all=-d=pgoinlinebudget=160"
	run.Variants = []result.Variant{
		{
			Name:      "goamd64=v1",
			Settings:  axis.Settings{"goamd64": "v1", "pgo": "off"},
			Status:    result.StatusOK,
			BuildLine: "GOAMD64=v1 go build -pgo=off ./...",
			Builds:    builds("goamd64=v1", 6_412_345, 5_301_120, 2.1, 1.4, "9f3c"),
		},
		{
			Name:       "goamd64=v3",
			Settings:   axis.Settings{"goamd64": "v3", "pgo": "off"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v3 go build -pgo=off ./...",
			Builds:     builds("goamd64=v3", 6_420_537, 5_305_216, 2.3, 1.5, "4d1e"),
		},
		{
			Name:       "goamd64=v3,ldflags=-s -w",
			Settings:   axis.Settings{"goamd64": "v3", "ldflags": "-s -w", "pgo": "off"},
			Complexity: 2,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v3 go build -pgo=off -ldflags='-s -w' ./...",
			Builds:     builds("goamd64=v3,ldflags=-s -w", 4_510_000, 3_705_000, 2.0, 1.3, "4d1e"),
			SameCodeAs: "goamd64=v3",
		},
		{
			Name:     pgoName,
			Settings: axis.Settings{"goamd64": "v1", "gcflags": "all=-d=pgoinlinebudget=160", "pgo": "auto"}, Profile: "/home/dev/quote/cmd/quoted/default.pgo",
			Complexity: 2,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v1 go build -pgo=auto -gcflags='all=-d=pgoinlinebudget=160' ./...",
			Builds:     builds("pgo=auto", 6_530_000, 5_390_000, 9.8, 6.1, "77aa"),
			PGOEffect:  &result.PGOEffect{Profile: "/home/dev/quote/cmd/quoted/default.pgo", CodeChanged: true, HotInlines: 23, Devirtualized: 2, HotFunctions: 31},
		},
	}
	return gen{
		rows: fixRows, cycles: 10, noise: 0.012, seed: 2,
		truth: map[string]truth{
			"goamd64=v3": {time: map[string]float64{"": -0.004}, allocs: map[string]float64{"BenchmarkQuote/large": -1.0 / 140}},
			pgoName:      {time: map[string]float64{"": -0.02}},
		},
		fail: func(v string, b result.Block) string {
			if v == pgoName && b.Cycle <= 7 {
				return "trial timed out after 2m0s"
			}
			return ""
		},
	}.fill(run)
}

// allFailedRun returns a run where nothing could be measured: every trial
// failed, the other variants were skipped or did not build, and stats had
// nothing to compare.
func allFailedRun() *result.Run {
	run := baseRun()
	run.Variants = []result.Variant{
		{
			Name:      "goamd64=v1",
			Settings:  axis.Settings{"goamd64": "v1", "pgo": "off"},
			Status:    result.StatusFailed,
			Reason:    "every trial failed",
			BuildLine: "GOAMD64=v1 go build -pgo=off ./...",
			Builds:    builds("goamd64=v1", 6_412_345, 5_301_120, 2.1, 1.4, "9f3c"),
		},
		{
			Name:       "goamd64=v3",
			Settings:   axis.Settings{"goamd64": "v3", "pgo": "off"},
			Complexity: 1,
			Status:     result.StatusFailed,
			Reason:     "every trial failed",
			BuildLine:  "GOAMD64=v3 go build -pgo=off ./...",
			Builds:     builds("goamd64=v3", 6_420_537, 5_305_216, 2.3, 1.5, "4d1e"),
		},
		{
			Name:       "goamd64=v4",
			Settings:   axis.Settings{"goamd64": "v4", "pgo": "off"},
			Complexity: 1,
			Status:     result.StatusSkipped,
			Reason:     "the host CPU supports GOAMD64 up to v3",
		},
		{
			Name:       "gcflags=-N -l",
			Settings:   axis.Settings{"goamd64": "v1", "gcflags": "-N -l", "pgo": "off", "env": "CGO_ENABLED=0"},
			Complexity: 1,
			Status:     result.StatusBuildFailed,
			Reason:     "# github.com/acme/quote/store\nstore/cgo_sqlite.go:9:8: could not import C (cgo disabled)\nstore/cgo_sqlite.go:21:2: undefined: C.sqlite3_open\n",
		},
	}
	return gen{
		rows: fixRows, cycles: 3, seed: 3,
		live: []string{"goamd64=v1", "goamd64=v3"},
		fail: func(string, result.Block) string {
			return "exit status 1: FAIL: TestMain: cannot connect to database at localhost:5432"
		},
	}.fill(run)
}

// regressionRun returns a run of one package with a variant that is
// clearly slower (-N -l turns the optimiser off; it also allocates more),
// one of the same speed, and a same-code twin of the baseline: the case a
// CI gate and the "regressions first" part of the Markdown summary are
// for.
func regressionRun() *result.Run {
	return regressionLike(map[string]truth{
		"goamd64=v3": {time: map[string]float64{"": 0.003}},
		"gcflags=-N -l": {
			time:   map[string]float64{"BenchmarkQuote/small": 2.16, "BenchmarkQuote/large": 1.10, "BenchmarkParse": 0.004},
			bytes:  map[string]float64{"BenchmarkQuote/small": 0.5, "BenchmarkQuote/large": 0.25},
			allocs: map[string]float64{"BenchmarkQuote/small": 2.0 / 12, "BenchmarkQuote/large": 10.0 / 140},
		},
	})
}

// regressionLike returns the variants of regressionRun measured with the
// given truth.
func regressionLike(tr map[string]truth) *result.Run {
	run := baseRun()
	run.Packages = []string{fixAPI}
	run.Baseline = "baseline"
	run.Variants = []result.Variant{
		{
			Name:      "baseline",
			Settings:  axis.Settings{"goamd64": "v1", "pgo": "auto"},
			Status:    result.StatusOK,
			BuildLine: "go build ./...",
			Builds:    builds("baseline", 6_412_345, 0, 2.1, 0, "9f3c")[:1],
		},
		{
			Name:       "goamd64=v3",
			Settings:   axis.Settings{"goamd64": "v3", "pgo": "auto"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v3 go build ./...",
			Builds:     builds("goamd64=v3", 6_420_537, 0, 2.3, 0, "4d1e")[:1],
		},
		{
			Name:       "gcflags=-N -l",
			Settings:   axis.Settings{"goamd64": "v1", "gcflags": "-N -l", "pgo": "auto"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "go build -gcflags='-N -l' ./...",
			Builds:     builds("gcflags=-N -l", 7_340_032, 0, 1.2, 0, "e0e0")[:1],
		},
		{
			Name:       "ldflags=-s -w",
			Settings:   axis.Settings{"goamd64": "v1", "ldflags": "-s -w", "pgo": "auto"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "go build -ldflags='-s -w' ./...",
			Builds:     builds("ldflags=-s -w", 4_505_600, 0, 1.9, 0, "9f3c")[:1],
			SameCodeAs: "baseline",
		},
	}
	return gen{rows: rowsOf(fixAPI), cycles: 10, noise: 0.015, seed: 4, truth: tr}.fill(run)
}

// axisRun returns a run over a 2×2 matrix of GOAMD64 and PGO, each
// variant measured on two benchmarks in two packages.
func axisRun() *result.Run {
	run := baseRun()
	run.Baseline = "baseline"
	type v struct{ name, goamd64, pgo string }
	vs := []v{{"baseline", "v1", "auto"}, {"goamd64=v3", "v3", "auto"}, {"pgo=off", "v1", "off"}, {"goamd64=v3,pgo=off", "v3", "off"}}
	tr := map[string]truth{}
	for i, x := range vs {
		pv := result.Variant{Name: x.name, Status: result.StatusOK, Complexity: []int{0, 1, 1, 2}[i],
			Settings: axis.Settings{"goamd64": x.goamd64, "pgo": x.pgo}}
		if x.pgo == "auto" {
			pv.Profile = "/p/default.pgo"
		}
		run.Variants = append(run.Variants, pv)
		tr[x.name] = truth{time: map[string]float64{"": float64(i)}}
	}
	rows := []fixRow{fixRows[0], fixRows[3]}
	return gen{rows: rows, cycles: 3, noise: 0.01, seed: 5, truth: tr}.fill(run)
}

// renameVariant renames a variant everywhere in run: its entry, its
// analysis, its comparisons, samples, blocks and failures.
func renameVariant(run *result.Run, from, to string) {
	re := func(s *string) {
		if *s == from {
			*s = to
		}
	}
	for i := range run.Variants {
		re(&run.Variants[i].Name)
		re(&run.Variants[i].SameCodeAs)
	}
	re(&run.Baseline)
	for i := range run.Samples {
		re(&run.Samples[i].Variant)
	}
	for i := range run.Failures {
		re(&run.Failures[i].Variant)
	}
	for i := range run.Blocks {
		for j := range run.Blocks[i].Order {
			re(&run.Blocks[i].Order[j])
		}
	}
	if a := run.Analysis; a != nil {
		re(&a.Winner)
		for i := range a.Variants {
			re(&a.Variants[i].Name)
		}
		for i := range a.Comparisons {
			re(&a.Comparisons[i].Variant)
		}
	}
}
