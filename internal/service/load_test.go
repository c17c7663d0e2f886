package service

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.1.2.3:1", true},
		{"[::1]:8080", true},
		{"localhost:8080", false}, // names are never resolved
		{"10.0.0.1:80", false},
		{"192.168.1.1:80", false},
		{"8.8.8.8:53", false},
		{"0.0.0.0:80", false},
		{"127.0.0.1", false}, // no port
	}
	for _, tt := range tests {
		err := CheckLoopback(tt.addr)
		if (err == nil) != tt.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%t", tt.addr, err, tt.ok)
		}
	}
}

// TestLoopbackClient checks that the load's client refuses a non-loopback
// address before dialing and does not follow a redirect off the server.
func TestLoopbackClient(t *testing.T) {
	c := loopbackClient(time.Second, 1)
	// 192.0.2.0/24 is TEST-NET-1; the dialer refuses it before any packet.
	_, err := c.Get("http://192.0.2.1:9/")
	if err == nil || !strings.Contains(err.Error(), "refusing to target 192.0.2.1:9") {
		t.Errorf("GET a TEST-NET address: err = %v, want a refusal", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://192.0.2.1:9/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET a redirecting server: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status = %d, want the 302 itself (redirects are not followed)", resp.StatusCode)
	}
}

func TestWeightedTargeter(t *testing.T) {
	tr, err := weightedTargeter("http://127.0.0.1:1", []Request{
		{Method: "GET", Path: "/a", Weight: 3},
		{Method: "POST", Path: "/b", Body: "x", Headers: map[string]string{"X-K": "v"}, Weight: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 8 {
		var tg vegeta.Target
		if err := tr(&tg); err != nil {
			t.Fatal(err)
		}
		got = append(got, tg.Method+" "+strings.TrimPrefix(tg.URL, "http://127.0.0.1:1"))
		if tg.Method == "POST" && (string(tg.Body) != "x" || tg.Header.Get("X-K") != "v") {
			t.Errorf("POST target = %+v, want its body and header", tg)
		}
	}
	// Smooth weighted round robin: the same spread-out order every trial.
	want := "GET /a,GET /a,POST /b,GET /a,GET /a,GET /a,POST /b,GET /a"
	if strings.Join(got, ",") != want {
		t.Errorf("order = %s, want %s", strings.Join(got, ","), want)
	}
}

func TestQuantile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var ds []time.Duration
		for _, n := range ns {
			ds = append(ds, time.Duration(n)*time.Millisecond)
		}
		return ds
	}
	tests := []struct {
		name string
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", ms(7), 0.999, 7 * time.Millisecond},
		{"median of 4", ms(4, 1, 3, 2), 0.5, 2 * time.Millisecond},
		{"p90 of 10", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 0.9, 9 * time.Millisecond},
		{"p99 of 10", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 0.99, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := quantile(tt.in, tt.q); got != tt.want {
			t.Errorf("%s: quantile(%v) = %s, want %s", tt.name, tt.q, got, tt.want)
		}
	}
	big := make([]time.Duration, 1000)
	for i := range big {
		big[i] = time.Duration(1000-i) * time.Microsecond
	}
	if got := quantile(big, 0.999); got != 999*time.Microsecond {
		t.Errorf("p99.9 of 1..1000µs = %s, want 999µs", got)
	}
}

func TestSendStats(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var ph phase
	// 100 req/s: every 10 ms; request 50 leaves 30 ms late.
	for i := range 101 {
		at := t0.Add(time.Duration(i) * 10 * time.Millisecond)
		if i == 50 {
			at = at.Add(30 * time.Millisecond)
		}
		ph.sends = append(ph.sends, send{uint64(i), at})
	}
	sent, lag := ph.sendStats(100)
	if sent < 99 || sent > 101 {
		t.Errorf("sent rate = %v, want about 100", sent)
	}
	if lag != (Lag{}) {
		t.Errorf("lag %+v with one late send of 101, want 0", lag)
	}
	late := func(from, to uint64, by time.Duration) {
		for i, s := range ph.sends {
			if s.seq >= from && s.seq < to {
				ph.sends[i].at = s.at.Add(by)
			}
		}
	}
	late(60, 68, 40*time.Millisecond)
	if _, lag := ph.sendStats(100); lag != (Lag{P99: 40 * time.Millisecond}) {
		t.Errorf("lag %+v with 9 of 101 sends late, want only p99 40ms", lag)
	}
	late(10, 30, 20*time.Millisecond)
	if _, lag := ph.sendStats(100); lag.P50 != 0 || lag.P90 != 20*time.Millisecond {
		t.Errorf("lag %+v with 20 more of 101 sends 20ms late, want p50 0 and p90 20ms", lag)
	}
	// A generator that falls behind: every send later than the last.
	for i := range ph.sends {
		ph.sends[i].at = t0.Add(time.Duration(ph.sends[i].seq) * 12 * time.Millisecond)
	}
	sent, lag = ph.sendStats(100)
	m := metricsOf(phase{sends: ph.sends, latencies: make([]time.Duration, len(ph.sends))}, 100, Usage{}, Usage{})
	if sent > 85 || lag.P50 < 100*time.Millisecond || m.RateMet || len(m.Warnings) != 1 {
		t.Errorf("falling behind: sent %v, lag %+v, rate met %t, warnings %q", sent, lag, m.RateMet, m.Warnings)
	}
}

func TestErrTally(t *testing.T) {
	const base = "http://127.0.0.1:5555"
	var e errTally
	for _, r := range []*vegeta.Result{
		{Code: 200, Method: "GET", URL: base + "/ok"},
		{Code: 204, Method: "GET", URL: base + "/ok"},
		{Code: 500, Method: "GET", URL: base + "/work", Body: []byte("boom\n"), Error: "500 Internal Server Error"},
		{Code: 500, Method: "GET", URL: base + "/work", Body: []byte("boom\n"), Error: "500 Internal Server Error"},
		{Code: 302, Method: "GET", URL: base + "/moved"},
		{Method: "GET", URL: base + "/slow", Error: `Get "` + base + `/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`},
		{Method: "GET", URL: base + "/x", Error: `Get "` + base + `/x": dial tcp 127.0.0.1:5555: connect: connection refused`},
	} {
		e.add(r, base)
	}
	if e.total != 5 || e.status != 3 || e.timeout != 1 || e.conn != 1 {
		t.Errorf("tally = total %d status %d timeout %d conn %d, want 5 3 1 1", e.total, e.status, e.timeout, e.conn)
	}
	ex := e.examples(2)
	if len(ex) != 2 || ex[0] != "2× GET /work: HTTP 500 Internal Server Error: boom" {
		t.Errorf("examples = %q, want the 500 first with its count and body", ex)
	}
	for _, x := range e.examples(10) {
		if strings.Contains(x, base) {
			t.Errorf("example %q repeats the server's address", x)
		}
	}
}

func TestCPUDelta(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		a, b Usage
		want time.Duration
	}{
		{"run time agrees", Usage{CPU: 100 * ms, RunTime: 101 * ms}, Usage{CPU: 150 * ms, RunTime: 158 * ms}, 57 * ms},
		{"no run time", Usage{CPU: 100 * ms}, Usage{CPU: 150 * ms}, 50 * ms},
		{"a thread exited", Usage{CPU: 100 * ms, RunTime: 101 * ms}, Usage{CPU: 400 * ms, RunTime: 120 * ms}, 300 * ms},
	}
	for _, tt := range tests {
		if got := cpuDelta(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: cpuDelta = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestTail(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"last lines", []string{"first line\n", "second\n\n", "third", " line\nfourth\n"}, "third line | fourth"},
		{"panic", []string{"serving\npanic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/main.go:9 +0x1d\n"},
			"panic: runtime error: index out of range [3] with length 3 (stacks follow)"},
		{"fatal error", []string{"fatal error: concurrent map writes\n"}, "fatal error: concurrent map writes"},
		{"flag usage", []string{"flag provided but not defined: -x\nUsage of /tmp/srv:\n  -addr string\n    \tlisten address\n"}, "flag provided but not defined: -x"},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		tl := newTail(1<<10, nil)
		for _, w := range tt.writes {
			tl.Write([]byte(w))
		}
		if got := tl.Lines(2); got != tt.want {
			t.Errorf("%s: Lines(2) = %q, want %q", tt.name, got, tt.want)
		}
	}

	var copied strings.Builder
	tl := newTail(64, &copied)
	tl.Write([]byte("first line\n"))
	tl.Write([]byte(strings.Repeat("x", 1000) + "\n"))
	if !strings.HasPrefix(copied.String(), "first line\n") {
		t.Errorf("copy = %q, want everything", copied.String()[:20])
	}
	if got := tl.Lines(1); len(got) > 310 {
		t.Errorf("Lines(1) is %d bytes, want at most about 300", len(got))
	}
	if len(tl.buf) > 2*64 {
		t.Errorf("the tail keeps %d bytes, want at most %d", len(tl.buf), 2*64)
	}
}

// TestGeneratorOpenLoop runs the generator against an in-process server
// that stalls every tenth request: an open loop keeps sending on schedule
// meanwhile (no coordinated omission), so the request count does not drop.
func TestGeneratorOpenLoop(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%10 == 0 {
			time.Sleep(300 * time.Millisecond)
		}
	}))
	defer srv.Close()
	g, err := newGenerator(srv.URL, Load{Rate: 100, Timeout: 2 * time.Second, Requests: []Request{{Method: "GET", Path: "/", Weight: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer g.close()
	ph := g.run(context.Background(), time.Second, nil, MaxRequests)
	// 100 req/s for 1 s: about 100 requests whatever the stalls (a closed
	// loop of 10 clients would send far fewer).
	if got := len(ph.latencies); got < 80 || got > 102 {
		t.Errorf("sent %d requests in 1s at 100/s, want about 100", got)
	}
	if ph.errs.total != 0 || ph.stopped != "" {
		t.Errorf("errors %d, stopped %q", ph.errs.total, ph.stopped)
	}
	m := metricsOf(ph, 100, Usage{}, Usage{CPU: 50 * time.Millisecond})
	if m.Latency.Max < 300*time.Millisecond {
		t.Errorf("max latency %s, want the 300ms stalls seen", m.Latency.Max)
	}

	// The request bound stops a phase early and says so.
	ph = g.run(context.Background(), time.Second, nil, 5)
	if len(ph.latencies) < 5 || len(ph.latencies) > 20 || !strings.Contains(ph.stopped, "bound of 5 requests") {
		t.Errorf("bounded phase: %d requests, stopped %q", len(ph.latencies), ph.stopped)
	}
}

// TestGeneratorClosedLoop checks that max_concurrency alone bounds the
// requests in flight.
func TestGeneratorClosedLoop(t *testing.T) {
	var inflight, most atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := inflight.Add(1)
		for {
			m := most.Load()
			if c <= m || most.CompareAndSwap(m, c) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		inflight.Add(-1)
	}))
	defer srv.Close()
	g, err := newGenerator(srv.URL, Load{MaxConcurrency: 3, Timeout: time.Second, Requests: []Request{{Method: "GET", Path: "/", Weight: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer g.close()
	ph := g.run(context.Background(), 300*time.Millisecond, nil, MaxRequests)
	if len(ph.latencies) == 0 || most.Load() > 3 {
		t.Errorf("closed loop: %d requests, at most %d in flight, want some and at most 3", len(ph.latencies), most.Load())
	}
}

func TestSamples(t *testing.T) {
	m := Metrics{Throughput: 99, Latency: Latency{P50: time.Millisecond, P99: 2 * time.Millisecond}, CPUPerKReq: 0.05, PeakRSS: 1 << 20, ErrorRate: 0.01}
	got := m.Samples()
	units := []string{UnitThroughput, UnitP50, UnitP90, UnitP99, UnitP999, UnitCPU, UnitPeakRSS, UnitErrors}
	if len(got) != len(units) {
		t.Fatalf("%d samples, want %d", len(got), len(units))
	}
	for i, s := range got {
		if s.Unit != units[i] || s.Name == "" {
			t.Errorf("sample %d = %+v, want unit %s and a name", i, s, units[i])
		}
		if strings.ContainsAny(s.Unit, " \t") {
			t.Errorf("unit %q has a space: not a benchfmt unit", s.Unit)
		}
		if higher := strings.HasSuffix(s.Unit, "/s"); higher != (s.Unit == UnitThroughput) {
			t.Errorf("unit %q: only throughput may end in /s (higher is better)", s.Unit)
		}
	}
	if got[1].Value != 0.001 || got[5].Value != 0.05 || got[6].Value != 1<<20 {
		t.Errorf("values: %+v", got)
	}
}
