package service

import (
	"fmt"
	"strings"
	"time"
)

// Metrics is what one trial measured, over its measured window only (the
// warm-up is discarded).
type Metrics struct {
	// Requests is the number of requests sent in the measured window.
	Requests int
	// Window runs from the first request sent to the last answer received.
	Window time.Duration
	// TargetRate is the rate asked for in requests per second; 0 in a
	// closed loop.
	TargetRate float64
	// SentRate is the rate requests actually left at.
	SentRate float64
	// SendLag is how late requests left against the constant-rate
	// schedule.
	SendLag Lag
	// RateMet reports whether the load kept its schedule: at least 95% of
	// the target rate sent, with a median send lag within MaxSendLag.
	// Always true in a closed loop.
	RateMet bool
	// Throughput is the number of successful (2xx) answers per second of
	// the window.
	Throughput float64
	// Latency holds percentiles of the time from sending a request to
	// reading its whole answer, over every request of the window, failed
	// ones included.
	Latency Latency
	// Errors counts the failed requests.
	Errors Errors
	// ErrorRate is Errors.Total / Requests.
	ErrorRate float64
	// CPU is the CPU time (user+system) of the server's process group
	// during the window, its waited-for children included.
	CPU time.Duration
	// CPUPerKReq is CPU seconds per 1,000 requests of the window.
	CPUPerKReq float64
	// PeakRSS is the server process's peak resident memory (VmHWM) in
	// bytes at the end of the window.
	PeakRSS int64
	// Warnings say what made this trial less than clean without failing
	// it: the rate not met, SIGTERM ignored, a bad exit after SIGTERM.
	Warnings []string
}

// Latency holds latency percentiles (nearest rank over every request of
// the window: exact, not estimated from buckets).
type Latency struct {
	P50, P90, P99, P999, Max time.Duration
}

// Lag holds percentiles of how late requests left against the schedule of
// a constant rate.
type Lag struct {
	P50, P90, P99 time.Duration
}

// Errors counts failed requests: any answer outside 2xx (redirects are not
// followed, so a 3xx counts), timeouts, and connection errors.
type Errors struct {
	Total      int
	Status     int // answered with a status outside 2xx
	Timeout    int // no answer within service.load.timeout
	Connection int // refused, reset, or another transport error
	// Examples are up to five distinct messages, most frequent first,
	// each with its count, e.g. "12× GET /work: HTTP 500 Internal Server
	// Error: boom".
	Examples []string
}

// Sample is one number of a trial in Go benchmark format: Unit is the
// benchfmt unit, Name a short label.
type Sample struct {
	Name  string
	Unit  string
	Value float64
}

// Units of the samples. A unit ending in "/s" is better higher; every
// other one is better lower.
const (
	UnitThroughput = "req/s"
	UnitP50        = "p50-latency-sec"
	UnitP90        = "p90-latency-sec"
	UnitP99        = "p99-latency-sec"
	UnitP999       = "p99.9-latency-sec"
	UnitCPU        = "cpu-sec/kreq"
	UnitPeakRSS    = "peak-RSS-bytes"
	UnitErrors     = "errors/req"
)

// Samples returns the metrics as benchmark samples, always the same units
// in the same order: throughput, latency percentiles, CPU per 1,000
// requests, peak RSS, error rate.
func (m Metrics) Samples() []Sample {
	return []Sample{
		{"throughput", UnitThroughput, m.Throughput},
		{"p50 latency", UnitP50, m.Latency.P50.Seconds()},
		{"p90 latency", UnitP90, m.Latency.P90.Seconds()},
		{"p99 latency", UnitP99, m.Latency.P99.Seconds()},
		{"p99.9 latency", UnitP999, m.Latency.P999.Seconds()},
		{"cpu per 1k requests", UnitCPU, m.CPUPerKReq},
		{"peak RSS", UnitPeakRSS, float64(m.PeakRSS)},
		{"error rate", UnitErrors, m.ErrorRate},
	}
}

// String prints the metrics as a few lines for logs and debugging.
func (m Metrics) String() string {
	var b strings.Builder
	rate := "closed loop"
	if m.TargetRate > 0 {
		rate = fmt.Sprintf("target %.4g req/s, sent %.4g req/s, send lag p50 %s p90 %s p99 %s, rate met %t", m.TargetRate, m.SentRate,
			m.SendLag.P50.Round(time.Microsecond), m.SendLag.P90.Round(time.Microsecond), m.SendLag.P99.Round(time.Microsecond), m.RateMet)
	}
	fmt.Fprintf(&b, "requests %d in %s (%s)\n", m.Requests, m.Window.Round(time.Millisecond), rate)
	fmt.Fprintf(&b, "throughput %.4g req/s; latency p50 %s p90 %s p99 %s p99.9 %s max %s\n", m.Throughput,
		m.Latency.P50.Round(time.Microsecond), m.Latency.P90.Round(time.Microsecond), m.Latency.P99.Round(time.Microsecond),
		m.Latency.P999.Round(time.Microsecond), m.Latency.Max.Round(time.Microsecond))
	fmt.Fprintf(&b, "errors %d (%.3g%%: status %d, timeout %d, connection %d)\n", m.Errors.Total, 100*m.ErrorRate, m.Errors.Status, m.Errors.Timeout, m.Errors.Connection)
	for _, e := range m.Errors.Examples {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	fmt.Fprintf(&b, "cpu %s = %.4g cpu-sec/kreq; peak RSS %.1f MiB\n", m.CPU.Round(time.Microsecond), m.CPUPerKReq, float64(m.PeakRSS)/(1<<20))
	for _, w := range m.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for _, s := range m.Samples() {
		fmt.Fprintf(&b, "  %-22s %.6g %s\n", s.Name, s.Value, s.Unit)
	}
	return b.String()
}

// metricsOf reduces a measured phase and the server's usage before and
// after it.
func metricsOf(ph phase, rate float64, before, after Usage) Metrics {
	m := Metrics{Requests: len(ph.latencies), TargetRate: rate}
	if m.Requests == 0 {
		return m
	}
	m.Window = ph.end.Sub(ph.first)
	m.SentRate, m.SendLag = ph.sendStats(rate)
	m.RateMet = rate <= 0 || (m.SentRate >= 0.95*rate && m.SendLag.P50 <= MaxSendLag)
	if m.Requests == 1 && rate > 0 {
		m.RateMet = false
	}
	if m.Window > 0 {
		m.Throughput = float64(m.Requests-ph.errs.total) / m.Window.Seconds()
	}
	lat := ph.latencies
	m.Latency = Latency{
		P50:  quantile(lat, 0.50),
		P90:  quantile(lat, 0.90),
		P99:  quantile(lat, 0.99),
		P999: quantile(lat, 0.999),
		Max:  lat[len(lat)-1],
	}
	m.Errors = Errors{
		Total: ph.errs.total, Status: ph.errs.status, Timeout: ph.errs.timeout, Connection: ph.errs.conn,
		Examples: ph.errs.examples(5),
	}
	m.ErrorRate = float64(ph.errs.total) / float64(m.Requests)
	m.CPU = cpuDelta(before, after)
	m.CPUPerKReq = m.CPU.Seconds() * 1000 / float64(m.Requests)
	m.PeakRSS = after.PeakRSS
	if !m.RateMet {
		m.Warnings = append(m.Warnings, fmt.Sprintf("target rate not met: sent %.4g of %.4g req/s, median send lag %s (limit %s): the generator or service.load.max_concurrency could not keep up, so latencies are understated; lower service.load.rate",
			m.SentRate, rate, m.SendLag.P50.Round(time.Microsecond), MaxSendLag))
	}
	return m
}
