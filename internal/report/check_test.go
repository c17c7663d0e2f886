package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/result"
)

// passRun returns regressionRun without its slower variant.
func passRun() *result.Run {
	run := regressionRun()
	const slow = "gcflags=-N -l"
	run.Variants = slices.DeleteFunc(run.Variants, func(v result.Variant) bool { return v.Name == slow })
	run.Comparisons = slices.DeleteFunc(run.Comparisons, func(c result.Comparison) bool { return c.Variant == slow })
	run.Samples = slices.DeleteFunc(run.Samples, func(s result.Sample) bool { return s.Variant == slow })
	run.Verdict = "No variant is significantly faster than the baseline; with 8 rounds this run could detect changes of about 2.9% or more."
	return run
}

// checkFixtures are the check outcomes golden-tested in every format.
var checkFixtures = []struct {
	name    string
	outcome func() *check.Outcome
}{
	{"check-regression", func() *check.Outcome {
		return check.Evaluate(regressionRun(), check.Options{MaxRegression: check.DefaultMaxRegression, Seed: 1722})
	}},
	{"check-pass", func() *check.Outcome {
		o := check.Evaluate(passRun(), check.Options{MaxRegression: check.DefaultMaxRegression, Seed: 1722})
		o.Against = "main.json"
		o.Warnings = []string{`the saved result was measured with host CPU "AMD EPYC 7B13", this run with "Intel Xeon": a difference may come from that, not from the code`}
		return o
	}},
	{"check-undecided", func() *check.Outcome {
		return check.Evaluate(typicalRun(), check.Options{MaxRegression: check.DefaultMaxRegression, Seed: 1722})
	}},
}

func TestCheckGolden(t *testing.T) {
	for _, f := range []struct {
		format Format
		ext    string
	}{{FormatText, "golden"}, {FormatMarkdown, "md"}, {FormatJSON, "json"}} {
		for _, fx := range checkFixtures {
			t.Run(string(f.format)+"/"+fx.name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := RenderCheck(&buf, f.format, fx.outcome(), Options{}); err != nil {
					t.Fatal(err)
				}
				golden(t, fx.name+"."+f.ext, buf.Bytes())
			})
		}
	}
}

func TestCheckRendering(t *testing.T) {
	o := checkFixtures[0].outcome()
	if o.Status != check.Regression || len(o.Regressions) != 2 {
		t.Fatalf("fixture outcome %s with %d regressions, want a regression with 2", o.Status, len(o.Regressions))
	}
	tests := []struct {
		name   string
		format Format
		want   []string
	}{
		{"text names each regression with its change and CI", FormatText, []string{
			"Check: regression. 2 benchmarks regressed by more than 5%",
			"./api.BenchmarkQuote/small  +216.",
			"1.234µs   3.902µs",
		}},
		{"markdown starts with the decision", FormatMarkdown, []string{"### ❌ gotune check: regression\n", "| `gcflags=-N -l` | ./api.BenchmarkQuote/small | +216."}},
		{"html is the run's page", FormatHTML, []string{`id="geomean-chart"`}},
		{"benchstat is the run's samples", FormatBenchstat, []string{"gcflags: -N -l"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderCheck(&buf, tt.format, o, Options{}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, buf.String())
				}
			}
		})
	}
	// The JSON carries the decision and the run whole.
	var buf bytes.Buffer
	if err := CheckJSON(&buf, o); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Status      string
		Regressions []struct{ Benchmark string }
		Run         *result.Run
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Status != "regression" || len(back.Regressions) != 2 || back.Run == nil || len(back.Run.Samples) != len(o.Run.Samples) {
		t.Errorf("JSON read back as status %q, %d regressions, run %v", back.Status, len(back.Regressions), back.Run != nil)
	}
	if err := RenderCheck(&buf, FormatText, nil, Options{}); err == nil {
		t.Error("RenderCheck(nil) = nil error, want one")
	}
}
