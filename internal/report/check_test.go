package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/result"
)

// passRun returns regressionRun without its slower variant, analysed
// again.
func passRun() *result.Run {
	run := regressionRun()
	const slow = "gcflags=-N -l"
	run.Variants = slices.DeleteFunc(run.Variants, func(v result.Variant) bool { return v.Name == slow })
	run.Samples = slices.DeleteFunc(run.Samples, func(s result.Sample) bool { return s.Variant == slow })
	for i := range run.Blocks {
		b := &run.Blocks[i]
		b.Order = slices.DeleteFunc(slices.Clone(b.Order), func(v string) bool { return v == slow })
	}
	return analysed(run)
}

// checkOptions are the options of the checks below: the default limit.
var checkOptions = check.Options{MaxRegression: check.DefaultMaxRegression}

// checkFixtures are the check outcomes golden-tested in every format.
var checkFixtures = []struct {
	name    string
	outcome func() *check.Outcome
}{
	{"check-regression", func() *check.Outcome {
		return check.Evaluate(regressionRun(), checkOptions)
	}},
	{"check-pass", func() *check.Outcome {
		o := check.Evaluate(passRun(), checkOptions)
		o.Against = "main.json"
		o.Warnings = []string{`the saved result was measured with host CPU "AMD EPYC 7B13", this run with "Intel Xeon": a difference may come from that, not from the code`}
		return o
	}},
	{"check-undecided", func() *check.Outcome {
		return check.Evaluate(typicalRun(), checkOptions)
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
	// The truth of regressionRun: -N -l makes Quote/small and Quote/large
	// more than twice as slow (significant), Parse 0.4% slower (not): two
	// regressions, the worst first. The variant is slower overall too,
	// which adds nothing once a benchmark alone regressed.
	if o.Status != check.Regression || len(o.Regressions) != 2 {
		t.Fatalf("fixture outcome %s with %d regressions, want a regression with 2", o.Status, len(o.Regressions))
	}
	if r := o.Regressions; r[0].Benchmark != "BenchmarkQuote/small" || r[1].Benchmark != "BenchmarkQuote/large" || r[0].Delta() < 2 {
		t.Fatalf("regressions %+v, want Quote/small (+216%%), Quote/large (+110%%)", r)
	}
	// Each row shows the label, the change with its interval and both
	// medians (none for the overall change), as the outcome holds them.
	var rows []*regexp.Regexp
	for _, ch := range o.Regressions {
		rows = append(rows, regexp.MustCompile(fmt.Sprintf(`\n    %s +%s +%s +%s +%s\n`, regexp.QuoteMeta(changeLabel(o, ch)),
			regexp.QuoteMeta(regressionCell(ch)), regexp.QuoteMeta(changeValue(ch, ch.Base)), regexp.QuoteMeta(changeValue(ch, ch.New)), regexp.QuoteMeta(pCell(ch.PHolm)))))
	}
	var text bytes.Buffer
	if err := RenderCheck(&text, FormatText, o, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, re := range rows {
		if !re.MatchString(text.String()) {
			t.Errorf("text lacks a row matching %s:\n%s", re, text.String())
		}
	}
	tests := []struct {
		name   string
		format Format
		want   []string
	}{
		{"text says the decision", FormatText, []string{"Check: regression. 2 regressions beyond 5%"}},
		{"markdown starts with the decision", FormatMarkdown, []string{
			"### ❌ gotune check: regression\n",
			"| `gcflags=-N -l` | ./api.BenchmarkQuote/small | **" + mdText(regressionCell(o.Regressions[0])) + "** | " + changeValue(o.Regressions[0], o.Regressions[0].Base),
			"| `gcflags=-N -l` | ./api.BenchmarkQuote/large | **" + mdText(regressionCell(o.Regressions[1])) + "** | ",
		}},
		{"html is the run's page", FormatHTML, []string{`id="overall-chart"`}},
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

// TestCheckServiceUnits renders regressions of service metrics: each in
// its own unit and words (throughput slower, p99 and CPU more), with the
// values as the service table shows them, not as sec/op.
func TestCheckServiceUnits(t *testing.T) {
	for _, tc := range []struct {
		unit      string
		ratio     float64
		base, new float64
		want      []string
		not       string
	}{
		{"req/s", 0.8, 200, 160, []string{"20.0% slower", "200.0/s", "160.0/s"}, "faster"},
		{"p99-latency-sec", 1.25, 0.004, 0.005, []string{"25.0% more", "4ms", "5ms"}, "less"},
		{"cpu-sec/kreq", 1.5, 0.4, 0.6, []string{"50.0% more", "0.4ms", "0.6ms"}, "less"},
	} {
		ch := check.Change{Variant: "cand", Package: "example.com/svc", Benchmark: "BenchmarkService", Unit: tc.unit,
			Base: tc.base, New: tc.new, Change: result.Ratio{Center: tc.ratio, Lo: tc.ratio * 0.98, Hi: tc.ratio * 1.02}}
		got := regressionCell(ch) + " | " + changeValue(ch, ch.Base) + " | " + changeValue(ch, ch.New)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.unit, got, w)
			}
		}
		if strings.Contains(got, tc.not) {
			t.Errorf("%s: %q says %q", tc.unit, got, tc.not)
		}
	}
}
