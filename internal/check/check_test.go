package check

import (
	"github.com/gotune/gotune/internal/axis"

	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// variant describes one synthetic variant of a run.
type variant struct {
	name    string
	factor  float64   // true sec/op relative to the baseline's; 0 means 1
	factors []float64 // per benchmark, overriding factor
	status  string    // "" = ok
	sameAs  string
	rounds  []int // per benchmark: how many rounds have samples; nil = all
}

// synth returns an analysed run whose first variant is the baseline: each
// benchmark b of each measured variant has one sec/op sample per round,
// 1µs·(b+1)·factor·(1+noise·u), u uniform in [-1, 1) from a PCG stream
// seeded by seed and the variant's name.
func synth(seed uint64, rounds, benches int, noise float64, vs ...variant) *result.Run {
	run := &result.Run{Module: "example.com/m", Baseline: vs[0].name, Seed: int64(seed), Count: rounds}
	for _, v := range vs {
		st := v.status
		if st == "" {
			st = result.StatusOK
		}
		run.Variants = append(run.Variants, result.Variant{Name: v.name, Status: st, SameCodeAs: v.sameAs, Reason: map[bool]string{true: "planted failure"}[st != result.StatusOK]})
		if st != result.StatusOK || v.sameAs != "" {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(v.name))
		rng := rand.New(rand.NewPCG(seed, h.Sum64()))
		for round := 1; round <= rounds; round++ {
			for b := range benches {
				f := v.factor
				if v.factors != nil {
					f = v.factors[b]
				}
				if f == 0 {
					f = 1
				}
				val := 1e-6 * float64(b+1) * f * (1 + noise*(2*rng.Float64()-1))
				if v.rounds != nil && round > v.rounds[b] {
					continue
				}
				run.Samples = append(run.Samples, result.Sample{
					Variant: v.name, Package: "example.com/m/p", Benchmark: fmt.Sprintf("B%d", b),
					Unit: "sec/op", Round: round, Value: val,
				})
			}
		}
	}
	stats.Analyze(run, stats.Options{Seed: int64(seed)})
	return run
}

func TestEvaluate(t *testing.T) {
	base := variant{name: "baseline"}
	tests := []struct {
		name       string
		run        *result.Run
		max        float64
		want       Status
		regressed  int    // benchmarks regressed beyond the limit
		minor      int    // significantly slower within it
		reasonHas  string // a part of the outcome's reason
		candidates []Status
	}{
		{"10x slower fails", synth(1, 8, 2, 0.03, base, variant{name: "slow", factor: 10}), 0.05, Regression, 2, 0, "2 benchmarks regressed by more than 5%", []Status{Regression}},
		{"one of three slower fails", synth(2, 8, 3, 0.03, base, variant{name: "slow", factors: []float64{1, 1.5, 1}}), 0.05, Regression, 1, 0, "./p.BenchmarkB1 +", []Status{Regression}},
		{"no change passes", synth(3, 8, 2, 0.03, base, variant{name: "same"}), 0.05, Pass, 0, 0, "No regression beyond 5%", []Status{Pass}},
		{"faster passes", synth(4, 8, 2, 0.03, base, variant{name: "fast", factor: 0.5}), 0.05, Pass, 0, 0, "no significant regression in 2 benchmarks", []Status{Pass}},
		{"a slowdown within the limit passes", synth(5, 8, 2, 0.001, base, variant{name: "bit", factor: 1.02}), 0.05, Pass, 0, 2, "within the limit", []Status{Pass}},
		{"the same slowdown fails a zero limit", synth(5, 8, 2, 0.001, base, variant{name: "bit", factor: 1.02}), 0, Regression, 2, 0, "by more than 0%", []Status{Regression}},
		{"too few rounds cannot decide", synth(6, 3, 2, 0.03, base, variant{name: "slow", factor: 10}), 0.05, Undecided, 0, 0, "too few samples", []Status{Undecided}},
		{"a benchmark with too few samples cannot decide", synth(7, 8, 2, 0.03, base, variant{name: "part", rounds: []int{8, 1}}), 0.05, Undecided, 0, 0, "1 of 2 benchmarks has too few samples", []Status{Undecided}},
		{"a regression decides despite too few samples elsewhere", synth(7, 8, 2, 0.03, base, variant{name: "part", factors: []float64{10, 1}, rounds: []int{8, 1}}), 0.05, Regression, 1, 0, "regressed", []Status{Regression}},
		{"a candidate that did not build cannot decide", synth(8, 8, 2, 0.03, base, variant{name: "broken", status: result.StatusBuildFailed}), 0.05, Undecided, 0, 0, "broken could not be measured (build failed: planted failure)", []Status{Undecided}},
		{"same code as the baseline passes", synth(9, 8, 2, 0.03, base, variant{name: "strip", sameAs: "baseline"}), 0.05, Pass, 0, 0, "same code as the baseline", []Status{Pass}},
		{"same code as a slow variant fails", synth(10, 8, 2, 0.03, base, variant{name: "slow", factor: 10}, variant{name: "slow-stripped", sameAs: "slow"}), 0.05, Regression, 4, 0, "4 benchmarks regressed", []Status{Regression, Regression}},
		{"a regression beats an undecided candidate", synth(11, 8, 2, 0.03, base, variant{name: "slow", factor: 10}, variant{name: "broken", status: result.StatusFailed}), 0.05, Regression, 2, 0, "regressed", []Status{Regression, Undecided}},
		{"the baseline failed", synth(12, 8, 2, 0.03, variant{name: "baseline", status: result.StatusFailed}, variant{name: "x"}), 0.05, Undecided, 0, 0, "The baseline baseline could not be measured", nil},
		{"only the baseline", synth(13, 8, 2, 0.03, base), 0.05, Undecided, 0, 0, "no candidate", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Evaluate(tt.run, Options{MaxRegression: tt.max, Seed: 1})
			if o.Status != tt.want {
				t.Errorf("status %s, want %s (reason: %s)", o.Status, tt.want, o.Reason)
			}
			if len(o.Regressions) != tt.regressed {
				t.Errorf("%d regressions, want %d: %+v", len(o.Regressions), tt.regressed, o.Regressions)
			}
			minor := 0
			var statuses []Status
			for _, c := range o.Candidates {
				minor += len(c.Minor)
				statuses = append(statuses, c.Status)
			}
			if minor != tt.minor {
				t.Errorf("%d minor slowdowns, want %d", minor, tt.minor)
			}
			if fmt.Sprint(statuses) != fmt.Sprint(tt.candidates) {
				t.Errorf("candidate statuses %v, want %v", statuses, tt.candidates)
			}
			if !strings.Contains(o.Reason, tt.reasonHas) {
				t.Errorf("reason %q lacks %q", o.Reason, tt.reasonHas)
			}
			if strings.Contains(o.Reason, "\n") {
				t.Errorf("reason %q is not one line", o.Reason)
			}
		})
	}
}

// TestEvaluateChange checks the numbers of a regression: the change of
// the medians and an interval around it.
func TestEvaluateChange(t *testing.T) {
	run := synth(21, 8, 1, 0.02, variant{name: "baseline"}, variant{name: "slow", factor: 10})
	o := Evaluate(run, Options{MaxRegression: DefaultMaxRegression, Seed: 3})
	if len(o.Regressions) != 1 {
		t.Fatalf("regressions = %+v, want one", o.Regressions)
	}
	ch := o.Regressions[0]
	if ch.Delta < 8 || ch.Delta > 10 {
		t.Errorf("delta %g, want about +900%%", ch.Delta)
	}
	if !(ch.Lo <= ch.Delta && ch.Delta <= ch.Hi) || ch.Hi-ch.Lo > 2 || math.IsInf(ch.Lo, 0) {
		t.Errorf("interval [%g, %g] does not hold the delta %g tightly", ch.Lo, ch.Hi, ch.Delta)
	}
	if ch.PHolm >= o.Alpha {
		t.Errorf("p(Holm) %g is not significant at %g", ch.PHolm, o.Alpha)
	}
	if ch.Base <= 0 || ch.New <= ch.Base {
		t.Errorf("medians %g → %g, want a slowdown", ch.Base, ch.New)
	}
	// The same inputs give the same interval.
	again := Evaluate(run, Options{MaxRegression: DefaultMaxRegression, Seed: 3}).Regressions[0]
	if again.Lo != ch.Lo || again.Hi != ch.Hi {
		t.Errorf("interval not reproducible: [%g, %g] then [%g, %g]", ch.Lo, ch.Hi, again.Lo, again.Hi)
	}
	// JSON has no infinities: an unknown bound is null.
	ch.Lo = math.Inf(-1)
	data, err := json.Marshal(ch)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"lo":null`) || !strings.Contains(string(data), `"benchmark":"B0"`) {
		t.Errorf("JSON %s, want a null lower bound and the fields", data)
	}
}

// TestEvaluateNoiseNeverFails runs A/A checks on many noisy synthetic runs:
// noise must not fail a build (Holm keeps the family-wise error at alpha,
// and the limit cuts the rest).
func TestEvaluateNoiseNeverFails(t *testing.T) {
	failed := 0
	const runs = 200
	for seed := range uint64(runs) {
		run := synth(1000+seed, 8, 5, 0.10, variant{name: "baseline"}, variant{name: "twin"})
		if Evaluate(run, Options{MaxRegression: DefaultMaxRegression, Seed: int64(seed)}).Status == Regression {
			failed++
		}
	}
	// At most alpha (5%) of A/A runs may fail; with ±10% noise and a 5%
	// limit far fewer do.
	if failed > runs*5/100 {
		t.Errorf("%d of %d A/A runs failed the check, want at most 5%%", failed, runs)
	}
	t.Logf("%d of %d A/A runs with ±10%% noise failed", failed, runs)
}

func TestAgainst(t *testing.T) {
	mk := func(seed uint64, factor float64, cpu, goVersion string) *result.Run {
		r := synth(seed, 8, 2, 0.03, variant{name: "baseline", factor: factor})
		r.Host.CPU, r.GoVersion = cpu, goVersion
		r.Variants[0].Settings = axis.Settings{"goamd64": "v1", "pgo": "auto"}
		r.Variants[0].Builds = []result.Build{{Package: "example.com/m/p", Size: 1 << 20, Fingerprint: fmt.Sprint(factor)}}
		return r
	}
	tests := []struct {
		name       string
		saved, cur *result.Run
		want       Status
		warnHas    []string
	}{
		{"10x slower than the saved result", mk(1, 1, "cpu A", "go1.26.8"), mk(2, 10, "cpu A", "go1.26.8"), Regression, nil},
		{"as fast as the saved result", mk(3, 1, "cpu A", "go1.26.8"), mk(4, 1, "cpu A", "go1.26.8"), Pass, []string{"compiled code is identical"}},
		{"another machine and Go", mk(5, 1, "cpu A", "go1.25.0"), mk(6, 2, "cpu B", "go1.26.8"), Regression, []string{`host CPU "cpu A", this run with "cpu B"`, "Go version go1.25.0, this run with go1.26.8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, warns, err := Against(tt.saved, tt.cur)
			if err != nil {
				t.Fatal(err)
			}
			if run.Baseline != SavedName || len(run.Variants) != 2 || run.Variants[1].Name != CurrentName {
				t.Fatalf("joined run has baseline %q and variants %+v", run.Baseline, run.Variants)
			}
			o := Evaluate(run, Options{MaxRegression: DefaultMaxRegression})
			if o.Status != tt.want {
				t.Errorf("status %s, want %s: %s", o.Status, tt.want, o.Reason)
			}
			all := strings.Join(warns, "\n")
			for _, w := range tt.warnHas {
				if !strings.Contains(all, w) {
					t.Errorf("warnings lack %q:\n%s", w, all)
				}
			}
			if len(tt.warnHas) == 0 && len(warns) > 0 {
				t.Errorf("unexpected warnings: %q", warns)
			}
		})
	}
}

func TestAgainstErrors(t *testing.T) {
	good := func() *result.Run { return synth(1, 8, 1, 0.03, variant{name: "baseline"}) }
	tests := []struct {
		name       string
		saved, cur func() *result.Run
		want       string
	}{
		{"no baseline", func() *result.Run { r := good(); r.Baseline = "gone"; return r }, good, `the saved result has no baseline variant "gone"`},
		{"saved baseline failed", func() *result.Run { r := good(); r.Variants[0].Status = result.StatusFailed; return r }, good, "the baseline of the saved result was not measured"},
		{"no samples", func() *result.Run { r := good(); r.Samples = nil; return r }, good, "the saved result has no samples of its baseline"},
		{"this run's baseline failed", good, func() *result.Run { r := good(); r.Variants[0].Status = result.StatusBuildFailed; return r }, "the baseline of this run was not measured (build failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Against(tt.saved(), tt.cur())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestBenchLabel(t *testing.T) {
	tests := []struct {
		name, module, pkg, bench, want string
	}{
		{"sub package", "example.com/m", "example.com/m/api", "Quote/small", "./api.BenchmarkQuote/small"},
		{"root package", "example.com/m", "example.com/m", "BenchmarkX", "BenchmarkX"},
		{"other module", "example.com/m", "example.com/o", "X", "example.com/o.BenchmarkX"},
		{"no package", "", "", "X", "BenchmarkX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BenchLabel(tt.module, tt.pkg, tt.bench); got != tt.want {
				t.Errorf("BenchLabel = %q, want %q", got, tt.want)
			}
		})
	}
}
