package check

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/service"
	"github.com/gotune/gotune/internal/stats"
)

// variant describes one synthetic variant of a run.
type variant struct {
	name    string
	factor  float64   // true time relative to the baseline's; 0 means 1
	factors []float64 // per benchmark, overriding factor
	status  string    // "" = ok
	sameAs  string
}

// synth returns an analysed run whose first variant is the baseline: in
// each of cycles cycles, one block per benchmark with every measured
// variant, each value 1µs·(b+1)·factor·drift·(1+noise·u), the drift shared
// by the block (the machine's speed) and u uniform in [-1, 1).
func synth(seed uint64, cycles, benches int, noise float64, vs ...variant) *result.Run {
	run := &result.Run{Module: "example.com/m", Baseline: vs[0].name}
	var live []string
	for _, v := range vs {
		st := v.status
		if st == "" {
			st = result.StatusOK
		}
		run.Variants = append(run.Variants, result.Variant{Name: v.name, Status: st, SameCodeAs: v.sameAs, Reason: map[bool]string{true: "planted failure"}[st != result.StatusOK]})
		if st == result.StatusOK && v.sameAs == "" {
			live = append(live, v.name)
		}
	}
	h := fnv.New64a()
	fmt.Fprint(h, live)
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	block := 0
	for c := 1; c <= cycles; c++ {
		for b := range benches {
			block++
			drift := 1 + 0.5*rng.Float64()
			run.Blocks = append(run.Blocks, result.Block{Index: block, Cycle: c, Package: "example.com/m/p", Benchmark: fmt.Sprintf("BenchmarkB%d", b), Order: live})
			for _, v := range vs {
				if v.status != "" || v.sameAs != "" {
					continue
				}
				f := v.factor
				if v.factors != nil {
					f = v.factors[b]
				}
				if f == 0 {
					f = 1
				}
				run.Samples = append(run.Samples, result.Sample{Variant: v.name, Package: "example.com/m/p", Benchmark: fmt.Sprintf("B%d", b),
					Unit: "sec/op", Block: block, Value: 1e-6 * float64(b+1) * f * drift * (1 + noise*(2*rng.Float64()-1))})
			}
		}
	}
	run.Analysis = stats.Analyze(run, stats.Options{})
	return run
}

func TestEvaluate(t *testing.T) {
	base := variant{name: "baseline"}
	tests := []struct {
		name       string
		run        *result.Run
		max        float64
		want       Status
		regressed  int    // changes beyond the limit (benchmarks and overall)
		minor      int    // benchmarks significantly slower within it
		reasonHas  string // a part of the outcome's reason
		candidates []Status
	}{
		{
			name:      "a 10× slowdown fails",
			run:       synth(1, 12, 3, 0.02, base, variant{name: "slow", factor: 10}),
			max:       0.05,
			want:      Regression,
			regressed: 3, // the three benchmarks; the overall change adds nothing
			reasonHas: "regressions beyond 5%",
		},
		{
			name:      "one benchmark slower beyond the limit fails, its overall change alone would not",
			run:       synth(2, 16, 4, 0.01, base, variant{name: "one", factors: []float64{1.2, 1, 1, 1}}),
			max:       0.10,
			want:      Regression,
			regressed: 1,
			reasonHas: "./p.BenchmarkB0 +19.9%",
		},
		{
			name:      "many small slowdowns add up to an overall regression",
			run:       synth(10, 16, 24, 0.3, base, variant{name: "creep", factor: 1.06}),
			max:       0.05,
			want:      Regression,
			regressed: 1, // no benchmark alone is significant
			reasonHas: "creep overall +",
		},
		{
			name:  "a small slowdown within the limit passes, named as minor",
			run:   synth(3, 16, 3, 0.005, base, variant{name: "minor", factor: 1.03}),
			max:   0.05,
			want:  Pass,
			minor: 3,
		},
		{
			name:      "noise passes",
			run:       synth(4, 12, 3, 0.05, base, variant{name: "aa"}),
			max:       0.05,
			want:      Pass,
			reasonHas: "No regression beyond 5%",
		},
		{
			name:       "a candidate that did not build: could not decide",
			run:        synth(5, 12, 3, 0.02, base, variant{name: "broken", status: result.StatusBuildFailed}),
			max:        0.05,
			want:       Undecided,
			reasonHas:  "broken could not be measured (build failed: planted failure)",
			candidates: []Status{Undecided},
		},
		{
			name:       "too few cycles: could not decide",
			run:        synth(6, 3, 3, 0.02, base, variant{name: "short", factor: 2}),
			max:        0.05,
			want:       Undecided,
			reasonHas:  "measured in 3 paired cycles, fewer than the 6",
			candidates: []Status{Undecided},
		},
		{
			name:       "a twin of the baseline passes without measurement",
			run:        synth(7, 12, 3, 0.02, base, variant{name: "stripped", sameAs: "baseline"}),
			max:        0.05,
			want:       Pass,
			candidates: []Status{Pass},
			reasonHas:  "same code as the baseline",
		},
		{
			name:       "a regression wins over an undecided candidate",
			run:        synth(8, 12, 3, 0.02, base, variant{name: "slow", factor: 2}, variant{name: "broken", status: result.StatusFailed}),
			max:        0.05,
			want:       Regression,
			regressed:  3,
			candidates: []Status{Regression, Undecided},
		},
		{
			name:      "a zero limit fails on any significant slowdown",
			run:       synth(9, 16, 3, 0.005, base, variant{name: "minor", factor: 1.03}),
			max:       0,
			want:      Regression,
			regressed: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Evaluate(tt.run, Options{MaxRegression: tt.max})
			if o.Status != tt.want {
				t.Fatalf("status %s (%s), want %s", o.Status, o.Reason, tt.want)
			}
			if len(o.Regressions) != tt.regressed {
				t.Errorf("%d regressions, want %d: %+v", len(o.Regressions), tt.regressed, o.Regressions)
			}
			minor := 0
			for _, c := range o.Candidates {
				minor += len(c.Minor)
			}
			if minor != tt.minor {
				t.Errorf("%d minor slowdowns, want %d", minor, tt.minor)
			}
			if !strings.Contains(o.Reason, tt.reasonHas) {
				t.Errorf("reason %q lacks %q", o.Reason, tt.reasonHas)
			}
			if tt.candidates != nil {
				var got []Status
				for _, c := range o.Candidates {
					got = append(got, c.Status)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.candidates) {
					t.Errorf("candidates %v, want %v", got, tt.candidates)
				}
			}
			for i := 1; i < len(o.Regressions); i++ {
				if o.Regressions[i].Delta() > o.Regressions[i-1].Delta() {
					t.Errorf("regressions not worst first: %+v", o.Regressions)
				}
			}
		})
	}
}

// Noise never fails a check: over many A/A runs, a regression is reported
// at most at the error rate.
func TestEvaluateAA(t *testing.T) {
	n, fails := 60, 0
	for seed := range n {
		run := synth(uint64(100+seed), 12, 4, 0.08, variant{name: "baseline"}, variant{name: "aa"})
		if Evaluate(run, Options{MaxRegression: 0}).Status == Regression {
			fails++
		}
	}
	if rate := float64(fails) / float64(n); rate > 0.05+3*math.Sqrt(0.05*0.95/float64(n)) {
		t.Errorf("%d of %d A/A checks failed", fails, n)
	}
}

func TestAgainst(t *testing.T) {
	saved := synth(20, 10, 3, 0.02, variant{name: "baseline"})
	current := synth(21, 10, 3, 0.02, variant{name: "baseline", factor: 1.5})
	joined, warns, err := Against(saved, current)
	if err != nil {
		t.Fatal(err)
	}
	if joined.Baseline != SavedName || len(joined.Variants) != 2 || len(joined.Blocks) != 30 {
		t.Fatalf("joined run: baseline %q, %d variants, %d blocks", joined.Baseline, len(joined.Variants), len(joined.Blocks))
	}
	if len(warns) == 0 || warns[0] != NotTogether {
		t.Errorf("warnings %q: want the two sides' not being measured together first", warns)
	}
	o := Evaluate(joined, Options{MaxRegression: 0.05})
	if o.Status != Regression {
		t.Errorf("a 50%% slowdown against the saved result: %s (%s)", o.Status, o.Reason)
	}
	// Only one side measured a benchmark: not compared, and said.
	current.Blocks = current.Blocks[:len(current.Blocks)-1]
	other := synth(22, 10, 4, 0.02, variant{name: "baseline"})
	_, warns, _ = Against(other, current)
	if !strings.Contains(strings.Join(warns, "\n"), "1 benchmark only in the saved result, so not compared: ./p.BenchmarkB3") {
		t.Errorf("warnings %q", warns)
	}
	broken := synth(23, 10, 3, 0.02, variant{name: "baseline", status: result.StatusFailed})
	if _, _, err := Against(broken, current); err == nil || !strings.Contains(err.Error(), "the baseline of the saved result was not measured") {
		t.Errorf("saved result without a measured baseline: %v", err)
	}
}

func TestBenchLabel(t *testing.T) {
	tests := []struct{ module, pkg, bench, want string }{
		{"example.com/m", "example.com/m/api", "Quote/small", "./api.BenchmarkQuote/small"},
		{"example.com/m", "example.com/m", "BenchmarkX", "BenchmarkX"},
		{"example.com/m", "other.org/x", "Y", "other.org/x.BenchmarkY"},
		{"", "", "Z", "BenchmarkZ"},
	}
	for _, tt := range tests {
		if got := BenchLabel(tt.module, tt.pkg, tt.bench); got != tt.want {
			t.Errorf("BenchLabel(%q, %q, %q) = %q, want %q", tt.module, tt.pkg, tt.bench, got, tt.want)
		}
	}
}

// TestEvaluateServiceMetric checks a service run whose verdict is on
// throughput, where less is worse: a candidate with 20% less throughput
// regresses by +20% (not −20%, which would pass as a gain), and its
// change carries the unit the report formats it in.
func TestEvaluateServiceMetric(t *testing.T) {
	for _, tc := range []struct {
		metric, unit string
		factor       float64
		want         Status
	}{
		{"throughput", service.UnitThroughput, 0.8, Regression},
		{"throughput", service.UnitThroughput, 1.25, Pass},
		{"p99", service.UnitP99, 1.25, Regression},
	} {
		t.Run(fmt.Sprintf("%s×%g", tc.metric, tc.factor), func(t *testing.T) {
			run := synth(7, 12, 1, 0.01, variant{name: "baseline"}, variant{name: "cand", factor: tc.factor})
			for i := range run.Samples {
				run.Samples[i].Unit = tc.unit
			}
			run.Options.Service = &service.Config{Main: "."}
			run.Options.Metric = tc.metric
			run.Analysis = stats.Analyze(run, stats.Options{})
			o := Evaluate(run, Options{MaxRegression: 0.05})
			if o.Status != tc.want {
				t.Fatalf("status %s, want %s: %s", o.Status, tc.want, o.Reason)
			}
			if tc.want != Regression {
				return
			}
			ch := o.Regressions[0]
			if ch.Unit != tc.unit || ch.UnitOrTime() != tc.unit {
				t.Errorf("unit %q, want %q", ch.Unit, tc.unit)
			}
			if d := ch.Delta(); d < 0.15 || d > 0.30 {
				t.Errorf("Delta = %.3f, want about +0.2 (worse)", d)
			}
			if !strings.Contains(o.Reason, "+2") {
				t.Errorf("reason %q does not say +2x%%", o.Reason)
			}
		})
	}
	if (Change{}).UnitOrTime() != stats.TimeUnit {
		t.Errorf("a change without a unit is not in sec/op")
	}
}
