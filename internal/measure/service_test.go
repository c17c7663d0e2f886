package measure

import (
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/service"
)

// TestServiceLine checks that a service trial's metrics survive the trip
// through the Go benchmark format: readTrial gives back one sample per
// metric but the error rate, with its value.
func TestServiceLine(t *testing.T) {
	m := service.Metrics{Requests: 500, Throughput: 99.5, CPUPerKReq: 0.41, PeakRSS: 25 << 20,
		Latency: service.Latency{P50: 700 * time.Microsecond, P90: time.Millisecond, P99: 37 * time.Millisecond, P999: 50 * time.Millisecond},
		Errors:  service.Errors{Total: 5, Status: 5, Examples: []string{"5× GET /x: HTTP 500 Internal Server Error: boom"}}, ErrorRate: 0.01}
	line := ServiceLine("BenchmarkService", m)
	u := Unit{Variant: "v", Package: "example.com/m/cmd/s", Binary: "/w/s"}
	tr := readTrial([]byte(line), nil, nil, u, "BenchmarkService", 3, 0)
	if tr.err != "" || len(tr.warnings) > 0 {
		t.Fatalf("readTrial(%q): err %q, warnings %q", line, tr.err, tr.warnings)
	}
	want := map[string]float64{
		service.UnitThroughput: 99.5, service.UnitP50: 0.0007, service.UnitP90: 0.001, service.UnitP99: 0.037,
		service.UnitP999: 0.05, service.UnitCPU: 0.41, service.UnitPeakRSS: 25 << 20,
	}
	if len(tr.samples) != len(want) {
		t.Fatalf("%d samples, want %d: %+v", len(tr.samples), len(want), tr.samples)
	}
	for _, s := range tr.samples {
		if w, ok := want[s.Unit]; !ok || s.Value != w || s.Benchmark != "Service" || s.Block != 3 {
			t.Errorf("sample %+v, want %s = %v", s, s.Unit, w)
		}
	}
	ws := ServiceWarnings(m)
	if len(ws) != 1 || !strings.HasPrefix(ws[0], "requests failed: 5 of 500 (1%; status 5") || !strings.Contains(ws[0], "HTTP 500") {
		t.Errorf("ServiceWarnings = %q", ws)
	}
}

// TestServiceWarn checks that a service warning is said once per variant
// and kind, with the count of trials it came from.
func TestServiceWarn(t *testing.T) {
	st := newState(Options{})
	st.serviceWarn("v", "target rate not met: sent 90 of 100 req/s")
	st.serviceWarn("v", "target rate not met: sent 80 of 100 req/s")
	st.serviceWarn("w", "target rate not met: sent 80 of 100 req/s")
	st.serviceWarn("v", "server ignored SIGTERM for 1s")
	want := []string{
		"v: target rate not met: sent 90 of 100 req/s (in 2 trials; the first shown)",
		"w: target rate not met: sent 80 of 100 req/s",
		"v: server ignored SIGTERM for 1s",
	}
	if strings.Join(st.out.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("Warnings =\n%s\nwant\n%s", strings.Join(st.out.Warnings, "\n"), strings.Join(want, "\n"))
	}
	if got := serviceTrialWarnings("warning: a\nnoise\nwarning: b: c\n"); strings.Join(got, "|") != "a|b: c" {
		t.Errorf("serviceTrialWarnings = %q", got)
	}
}
