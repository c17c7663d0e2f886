package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/service"
)

// serviceRun is a small analysed service-mode run: "slow" costs 3× the
// CPU per request of the baseline and has the same throughput.
func serviceRun() *result.Run {
	cfg := service.Config{Main: ".", Args: []string{"{addr}"}, Load: service.Load{Rate: 100, Requests: []service.Request{{Path: "/"}}}}.WithDefaults()
	run := &result.Run{Module: "example.com/s", Baseline: "baseline", Options: options.Options{Service: &cfg},
		Variants: []result.Variant{{Name: "baseline", Status: result.StatusOK}, {Name: "slow", Status: result.StatusOK}}}
	for b := 1; b <= 3; b++ {
		run.Samples = append(run.Samples,
			result.Sample{Variant: "baseline", Benchmark: "Service", Unit: service.UnitCPU, Block: b, Value: 0.4},
			result.Sample{Variant: "baseline", Benchmark: "Service", Unit: service.UnitP99, Block: b, Value: 0.008},
			result.Sample{Variant: "baseline", Benchmark: "Service", Unit: service.UnitPeakRSS, Block: b, Value: 8 << 20},
			result.Sample{Variant: "slow", Benchmark: "Service", Unit: service.UnitCPU, Block: b, Value: 1.2})
	}
	run.Analysis = &result.Analysis{Comparisons: []result.Comparison{
		{Variant: "slow", Benchmark: "Service", Unit: service.UnitCPU, Base: 0.4, New: 1.2, Significant: true, Change: result.Ratio{Center: 3, Lo: 2.5, Hi: 3.5}},
		{Variant: "slow", Benchmark: "Service", Unit: service.UnitThroughput, Base: 100, New: 99, Change: result.Ratio{Center: 0.99, Lo: 0.95, Hi: 1.02}},
	}}
	return run
}

func TestServiceTable(t *testing.T) {
	run := serviceRun()
	rows := serviceRows(run)
	if len(rows) != 3 || strings.Join(rows[0], "|") != "variant|cpu/request|p50 latency|p99 latency|throughput|peak RSS" {
		t.Fatalf("rows = %q", rows)
	}
	if got := strings.Join(rows[1], "|"); got != "baseline|0.4ms|-|8ms|-|8.0MiB" {
		t.Errorf("baseline row = %q", got)
	}
	if rows[2][1] != "1.2ms 200.0% more (150.0% to 250.0%)" || !strings.HasPrefix(rows[2][4], "99.0/s ~ (") {
		t.Errorf("slow row = %q", rows[2])
	}
	var text, md, html bytes.Buffer
	if err := Text(&text, run, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, run, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Render(&html, FormatHTML, run, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), `<table id="service">`) || !strings.Contains(html.String(), "<th>p99 latency</th>") {
		t.Errorf("the HTML report has no service table:\n%s", html.String())
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String(), "html": html.String()} {
		for _, want := range []string{"cpu/request", "200.0% more", "Verdicts and ranks are on cpu/request (cpu-sec/kreq)"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s report lacks %q:\n%s", name, want, out)
			}
		}
	}
	run.Options.Service = nil
	if serviceRows(run) != nil {
		t.Errorf("a benchmark run has a service table")
	}
	html.Reset()
	if err := Render(&html, FormatHTML, run, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), `id="service"`) {
		t.Errorf("the HTML report of a benchmark run has a service table")
	}
}
