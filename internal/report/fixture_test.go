package report

import (
	"github.com/gotune/gotune/internal/axis"

	"fmt"
	"time"

	"github.com/gotune/gotune/internal/result"
)

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
		GotuneVersion: "v0.1.0",
		GoVersion:     "go1.26.8",
		Host: result.Host{
			GOOS: "linux", GOARCH: "amd64", CPU: "AMD EPYC 7B13 64-Core Processor",
			NumCPU: 8, GOAMD64Max: "v3",
		},
		Module:     fixModule,
		Dir:        "/home/dev/quote",
		Packages:   []string{fixAPI, fixStore},
		Seed:       1722,
		Count:      10,
		Bench:      ".",
		Benchtime:  "200ms",
		Started:    fixStarted,
		Finished:   fixStarted.Add(6*time.Minute + 30*time.Second),
		WorkDir:    "/tmp/gotune-1722",
		RawFile:    "/tmp/gotune-1722/raw.txt",
		Baseline:   "goamd64=v1",
		Alpha:      0.05,
		Confidence: 0.95,
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

// summary returns a sample summary with a symmetric CI of ±pct.
func summary(center, pct float64, n int) result.Summary {
	return result.Summary{Center: center, Lo: center * (1 - pct), Hi: center * (1 + pct), N: n}
}

// benchDef is one benchmark of the fixtures with its baseline median.
type benchDef struct {
	pkg, name     string
	sec, bytes    float64
	allocs        float64
	newSec        float64 // goamd64=v3 median
	p, pHolm      float64
	significant   bool
	secCI, newCI  float64
	equalMemories bool
}

var fixBenchmarks = []benchDef{
	{fixAPI, "BenchmarkQuote/small-8", 1.234e-6, 1024, 12, 1.171e-6, 0.0002, 0.0010, true, 0.02, 0.01, false},
	{fixAPI, "BenchmarkQuote/large-8", 48.2e-6, 65536, 140, 45.9e-6, 0.0004, 0.0016, true, 0.03, 0.02, false},
	{fixAPI, "BenchmarkParse-8", 312e-9, 256, 3, 309e-9, 0.165, 0.330, false, 0.02, 0.02, false},
	{fixStore, "BenchmarkGet-8", 85.1e-9, 0, 0, 81.9e-9, 0.0011, 0.0033, true, 0.01, 0.01, true},
	{fixStore, "BenchmarkPut-8", 210e-9, 48, 1, 211e-9, 0.570, 0.570, false, 0.02, 0.03, false},
}

// samples returns deterministic sec/op samples of one variant around the
// medians picked by med.
func samples(variant string, rounds int, med func(benchDef) float64) []result.Sample {
	var out []result.Sample
	for round := 1; round <= rounds; round++ {
		for i, b := range fixBenchmarks {
			jitter := float64((round*7+i*3)%5-2) * 0.004
			out = append(out, result.Sample{
				Variant: variant, Package: b.pkg, Benchmark: b.name, Unit: "sec/op",
				Round: round, Value: med(b) * (1 + jitter),
			})
		}
	}
	return out
}

// comparisons returns the comparisons of goamd64=v3 with the baseline.
func comparisons(variant string) []result.Comparison {
	var out []result.Comparison
	for _, b := range fixBenchmarks {
		out = append(out, result.Comparison{
			Variant: variant, Package: b.pkg, Benchmark: b.name, Unit: "sec/op",
			Base: summary(b.sec, b.secCI, 10), New: summary(b.newSec, b.newCI, 10),
			Delta: b.newSec/b.sec - 1, P: b.p, PHolm: b.pHolm, Significant: b.significant,
		})
	}
	for _, b := range fixBenchmarks {
		for _, m := range []struct {
			unit string
			v    float64
		}{{"B/op", b.bytes}, {"allocs/op", b.allocs}} {
			c := result.Comparison{
				Variant: variant, Package: b.pkg, Benchmark: b.name, Unit: m.unit,
				Base: summary(m.v, 0, 10), New: summary(m.v, 0, 10),
				P: 1, PHolm: 1,
			}
			if b.equalMemories {
				c.Warnings = []string{"all samples are equal"}
			}
			out = append(out, c)
		}
	}
	return out
}

// typicalRun returns a run with a baseline, a faster winner, a same-code
// twin of the baseline, a GOAMD64 level the host cannot run and a variant
// that failed to build.
func typicalRun() *result.Run {
	run := baseRun()
	run.Variants = []result.Variant{
		{
			Name:      "goamd64=v1",
			Settings:  axis.Settings{"goamd64": "v1", "pgo": "off"},
			Status:    result.StatusOK,
			BuildLine: "GOAMD64=v1 go build -pgo=off ./...",
			Builds:    builds("goamd64=v1", 6_412_345, 5_301_120, 2.1, 1.4, "9f3c"),
			Rank:      2,
			Verdict:   result.VerdictBaseline,
		},
		{
			Name:       "goamd64=v1,ldflags=-s -w",
			Settings:   axis.Settings{"goamd64": "v1", "ldflags": "-s -w", "pgo": "off"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v1 go build -pgo=off -ldflags='-s -w' ./...",
			Builds:     builds("goamd64=v1,ldflags=-s -w", 4_505_600, 3_702_784, 1.9, 1.2, "9f3c"),
			SameCodeAs: "goamd64=v1",
			Verdict:    result.VerdictSameCode,
		},
		{
			Name:        "goamd64=v3",
			Settings:    axis.Settings{"goamd64": "v3", "pgo": "off"},
			Complexity:  1,
			Status:      result.StatusOK,
			BuildLine:   "GOAMD64=v3 go build -pgo=off ./...",
			Builds:      builds("goamd64=v3", 6_420_537, 5_305_216, 2.3, 1.5, "4d1e"),
			Rank:        1,
			Verdict:     result.VerdictFaster,
			Geomean:     &result.Ratio{Center: 0.959, Lo: 0.937, Hi: 0.980},
			BytesRatio:  ptr(1.0),
			AllocsRatio: ptr(1.0),
			Improved:    3,
			Unchanged:   2,
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
	run.Samples = append(samples("goamd64=v1", 10, func(b benchDef) float64 { return b.sec }),
		samples("goamd64=v3", 10, func(b benchDef) float64 { return b.newSec })...)
	run.Comparisons = comparisons("goamd64=v3")
	run.Failures = []result.Failure{{
		Variant: "goamd64=v3", Package: fixStore, Round: 4,
		Error:  "exit status 2: panic: runtime error: index out of range [3] with length 3",
		Output: "goroutine 7 [running]:\ngithub.com/acme/quote/store.(*Cache).Get(...)\n",
	}}
	run.Winner = "goamd64=v3"
	run.Verdict = "goamd64=v3 is 4.1% faster than goamd64=v1 (95% CI: 2.0% to 6.3% faster); 3 of 5 benchmarks improved, none got worse."
	run.MinDetectable = 0.032
	run.Warnings = []string{`CPU frequency scaling is on (governor "powersave"): expect more noise; the "performance" governor gives steadier numbers`}
	return run
}

// noWinnerRun returns a run where nothing beats the baseline: a variant
// with no significant difference, a same-code twin and a variant with too
// few samples after most of its trials timed out.
func noWinnerRun() *result.Run {
	run := baseRun()
	run.Variants = []result.Variant{
		{
			Name:      "goamd64=v1",
			Settings:  axis.Settings{"goamd64": "v1", "pgo": "off"},
			Status:    result.StatusOK,
			BuildLine: "GOAMD64=v1 go build -pgo=off ./...",
			Builds:    builds("goamd64=v1", 6_412_345, 5_301_120, 2.1, 1.4, "9f3c"),
			Verdict:   result.VerdictBaseline,
		},
		{
			Name:        "goamd64=v3",
			Settings:    axis.Settings{"goamd64": "v3", "pgo": "off"},
			Complexity:  1,
			Status:      result.StatusOK,
			BuildLine:   "GOAMD64=v3 go build -pgo=off ./...",
			Builds:      builds("goamd64=v3", 6_420_537, 5_305_216, 2.3, 1.5, "4d1e"),
			Rank:        1,
			Verdict:     result.VerdictNoDiff,
			Geomean:     &result.Ratio{Center: 0.996, Lo: 0.981, Hi: 1.012},
			BytesRatio:  ptr(1.0),
			AllocsRatio: ptr(0.9931),
			Unchanged:   5,
		},
		{
			Name:       "goamd64=v3,ldflags=-s -w",
			Settings:   axis.Settings{"goamd64": "v3", "ldflags": "-s -w", "pgo": "off"},
			Complexity: 2,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v3 go build -pgo=off -ldflags='-s -w' ./...",
			Builds:     builds("goamd64=v3,ldflags=-s -w", 4_510_000, 3_705_000, 2.0, 1.3, "4d1e"),
			SameCodeAs: "goamd64=v3",
			Verdict:    result.VerdictSameCode,
		},
		{
			Name:     "pgo=auto,gcflags=all=-d=pgoinlinebudget=160",
			Settings: axis.Settings{"goamd64": "v1", "gcflags": "all=-d=pgoinlinebudget=160", "pgo": "auto"}, Profile: "/home/dev/quote/cmd/quoted/default.pgo",
			Complexity: 2,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v1 go build -pgo=auto -gcflags='all=-d=pgoinlinebudget=160' ./...",
			Builds:     builds("pgo=auto", 6_530_000, 5_390_000, 9.8, 6.1, "77aa"),
			Verdict:    result.VerdictTooFew,
		},
	}
	run.Comparisons = comparisons("goamd64=v3")
	for i := range run.Comparisons {
		c := &run.Comparisons[i]
		c.New = summary(c.Base.Center*0.996, 0.02, 10)
		c.Delta = -0.004
		c.P, c.PHolm, c.Significant = 0.48, 1, false
	}
	for round := 1; round <= 7; round++ {
		run.Failures = append(run.Failures, result.Failure{
			Variant: "pgo=auto,gcflags=all=-d=pgoinlinebudget=160", Package: fixAPI, Round: round,
			Error: "trial timed out after 2m0s",
		})
	}
	run.Verdict = "No variant is significantly faster than goamd64=v1."
	run.MinDetectable = 0.032
	return run
}

// allFailedRun returns a run where nothing could be measured: every trial
// failed, the other variants were skipped or did not build, and stats had
// nothing to work on.
func allFailedRun() *result.Run {
	run := baseRun()
	run.Alpha, run.Confidence = 0, 0
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
	for _, v := range []string{"goamd64=v1", "goamd64=v3"} {
		for round := 1; round <= 3; round++ {
			for _, pkg := range []string{fixAPI, fixStore} {
				run.Failures = append(run.Failures, result.Failure{
					Variant: v, Package: pkg, Round: round,
					Error:  "exit status 1: FAIL: TestMain: cannot connect to database at localhost:5432",
					Output: fmt.Sprintf("dial tcp 127.0.0.1:5432: connect: connection refused (round %d)", round),
				})
			}
		}
	}
	run.Verdict = "No variant could be measured: every trial failed (see the failures above)."
	return run
}

// regressionRun returns a run with a variant that is significantly slower
// (-N -l turns the optimiser off), one with no significant difference, and
// a same-code twin of the baseline: the case a CI gate and the "regressions
// first" part of the Markdown summary are for.
func regressionRun() *result.Run {
	run := baseRun()
	run.Packages = []string{fixAPI}
	run.Baseline = "baseline"
	run.Count = 8
	run.Variants = []result.Variant{
		{
			Name:      "baseline",
			Settings:  axis.Settings{"goamd64": "v1", "pgo": "auto"},
			Status:    result.StatusOK,
			BuildLine: "go build ./...",
			Builds:    builds("baseline", 6_412_345, 0, 2.1, 0, "9f3c")[:1],
			Verdict:   result.VerdictBaseline,
			Rank:      1,
			Geomean:   &result.Ratio{Center: 1, Lo: 1, Hi: 1},
		},
		{
			Name:       "goamd64=v3",
			Settings:   axis.Settings{"goamd64": "v3", "pgo": "auto"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "GOAMD64=v3 go build ./...",
			Builds:     builds("goamd64=v3", 6_420_537, 0, 2.3, 0, "4d1e")[:1],
			Rank:       2,
			Verdict:    result.VerdictNoDiff,
			Geomean:    &result.Ratio{Center: 1.004, Lo: 0.991, Hi: 1.019},
			Unchanged:  3,
		},
		{
			Name:       "gcflags=-N -l",
			Settings:   axis.Settings{"goamd64": "v1", "gcflags": "-N -l", "pgo": "auto"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "go build -gcflags='-N -l' ./...",
			Builds:     builds("gcflags=-N -l", 7_340_032, 0, 1.2, 0, "e0e0")[:1],
			Rank:       3,
			Verdict:    result.VerdictSlower,
			Geomean:    &result.Ratio{Center: 2.31, Lo: 2.12, Hi: 2.52},
			Worse:      2,
			Unchanged:  1,
		},
		{
			Name:       "ldflags=-s -w",
			Settings:   axis.Settings{"goamd64": "v1", "ldflags": "-s -w", "pgo": "auto"},
			Complexity: 1,
			Status:     result.StatusOK,
			BuildLine:  "go build -ldflags='-s -w' ./...",
			Builds:     builds("ldflags=-s -w", 4_505_600, 0, 1.9, 0, "9f3c")[:1],
			SameCodeAs: "baseline",
			Verdict:    result.VerdictSameCode,
			Rank:       1,
			Geomean:    &result.Ratio{Center: 1, Lo: 1, Hi: 1},
		},
	}
	type bench struct {
		name              string
		base, v3, noopt   float64
		pV3, pNoopt       float64
		sigNoopt          bool
		ciBase, ciV3, ciN float64
	}
	benches := []bench{
		{"BenchmarkQuote/small", 1.234e-6, 1.239e-6, 3.902e-6, 0.72, 0.0002, true, 0.02, 0.02, 0.03},
		{"BenchmarkQuote/large", 48.2e-6, 48.5e-6, 101.3e-6, 0.51, 0.0002, true, 0.03, 0.02, 0.04},
		{"BenchmarkParse", 312e-9, 313e-9, 318e-9, 0.80, 0.44, false, 0.02, 0.02, 0.03},
	}
	for round := 1; round <= run.Count; round++ {
		for i, b := range benches {
			jitter := 1 + float64((round*5+i*3)%7-3)*0.003
			for _, s := range []struct {
				v   string
				med float64
			}{{"baseline", b.base}, {"goamd64=v3", b.v3}, {"gcflags=-N -l", b.noopt}} {
				run.Samples = append(run.Samples, result.Sample{
					Variant: s.v, Package: fixAPI, Benchmark: b.name, Unit: "sec/op", Round: round, Value: s.med * jitter,
				})
			}
			run.Samples = append(run.Samples, result.Sample{
				Variant: "baseline", Package: fixAPI, Benchmark: b.name, Unit: "B/op", Round: round, Value: 1024,
			})
		}
	}
	n := len(benches) * 2
	for _, b := range benches {
		run.Comparisons = append(run.Comparisons,
			result.Comparison{
				Variant: "goamd64=v3", Package: fixAPI, Benchmark: b.name, Unit: "sec/op",
				Base: summary(b.base, b.ciBase, 8), New: summary(b.v3, b.ciV3, 8),
				Delta: b.v3/b.base - 1, P: b.pV3, PHolm: 1, Significant: false,
			},
			result.Comparison{
				Variant: "gcflags=-N -l", Package: fixAPI, Benchmark: b.name, Unit: "sec/op",
				Base: summary(b.base, b.ciBase, 8), New: summary(b.noopt, b.ciN, 8),
				Delta: b.noopt/b.base - 1, P: b.pNoopt, PHolm: min(1, b.pNoopt*float64(n)), Significant: b.sigNoopt,
			})
	}
	run.Verdict = "No variant is significantly faster than the baseline (1 is slower); with 8 rounds this run could detect changes of about 2.9% or more."
	run.MinDetectable = 0.029
	return run
}
