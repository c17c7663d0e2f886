package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/service"
)

// serviceColumn is one metric of service mode's table.
type serviceColumn struct {
	head, unit string
}

// serviceColumns are the metrics the service table shows, side by side.
var serviceColumns = []serviceColumn{
	{"cpu/request", service.UnitCPU},
	{"p50 latency", service.UnitP50},
	{"p99 latency", service.UnitP99},
	{"throughput", service.UnitThroughput},
	{"peak RSS", service.UnitPeakRSS},
}

// serviceValue formats a median of a service metric for people: CPU per
// request in ms, latencies as durations, RSS in MiB.
func serviceValue(v float64, unit string) string {
	if !finite(v) {
		return "-"
	}
	switch unit {
	case service.UnitCPU: // CPU seconds per 1,000 requests = ms per request
		return fmt.Sprintf("%.3gms", v)
	case service.UnitP50, service.UnitP90, service.UnitP99, service.UnitP999:
		return time.Duration(v * float64(time.Second)).Round(time.Microsecond).String()
	case service.UnitThroughput:
		return fmt.Sprintf("%.1f/s", v)
	case service.UnitPeakRSS:
		return fmt.Sprintf("%.1fMiB", v/(1<<20))
	}
	return fmt.Sprintf("%.4g", v)
}

// serviceRows returns service mode's per-variant table: for each measured
// variant, each metric's median over its trials and, for the others than
// the baseline, the paired change against the baseline with its 95%
// interval ("~" when not significant). Nil outside service mode.
func serviceRows(run *result.Run) [][]string {
	if run.Options.Service == nil || run.Analysis == nil {
		return nil
	}
	head := []string{"variant"}
	for _, c := range serviceColumns {
		head = append(head, c.head)
	}
	rows := [][]string{head}
	medians := func(name, unit string) string {
		var xs []float64
		for _, s := range run.Samples {
			if s.Variant == name && s.Unit == unit {
				xs = append(xs, s.Value)
			}
		}
		if len(xs) == 0 {
			return "-"
		}
		return serviceValue(medianOf(xs), unit)
	}
	for _, v := range orderVariants(run) {
		if !v.Measured() && v.Name != run.Baseline {
			continue
		}
		name := v.Name
		if v.SameCodeAs != "" {
			name = v.SameCodeAs
		}
		row := []string{v.Name}
		for _, col := range serviceColumns {
			cell := medians(name, col.unit)
			if v.Name != run.Baseline {
				for i := range run.Analysis.Comparisons {
					c := &run.Analysis.Comparisons[i]
					if c.Variant == name && c.Unit == col.unit {
						cell = serviceValue(c.New, col.unit) + " " + deltaCell(c)
					}
				}
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

// medianOf returns the median of xs (not empty), sorting a copy.
func medianOf(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// serviceLegend says how the service table reads.
func serviceLegend(run *result.Run) string {
	return fmt.Sprintf("Service mode: each trial is a fresh server under %.4g req/s (open loop) for %s after a %s warm-up; medians over trials, and for each variant its paired change against the baseline with a 95%% interval (~ = not significant). cpu/request is the server's CPU time per request. Verdicts and ranks are on %s.",
		run.Options.Service.Load.Rate, run.Options.Service.Duration, run.Options.Service.Warmup, metricWords(run))
}

// metricWords names the metric of a service run's verdicts.
func metricWords(run *result.Run) string {
	unit := run.Options.MetricUnit()
	for _, c := range serviceColumns {
		if c.unit == unit {
			return c.head + " (" + unit + ")"
		}
	}
	return unit
}

// serviceTable prints the service table of the text report.
func (r *textReport) serviceTable() {
	rows := serviceRows(r.run)
	if rows == nil {
		return
	}
	tw := r.newTable()
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	r.printf("%s\n\n", serviceLegend(r.run))
}

// serviceHTML is the service table of the HTML report: serviceRows'
// header, its rows (the variant first) and the legend.
type serviceHTML struct {
	Head   []string
	Rows   [][]string
	Legend string
}

// serviceTable writes the service table of the Markdown report.
func (m *mdReport) serviceTable() {
	rows := serviceRows(m.run)
	if rows == nil {
		return
	}
	for i, row := range rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = mdText(c)
			if j == 0 && i > 0 {
				cells[j] = mdCode(c)
			}
		}
		m.printf("| %s |\n", strings.Join(cells, " | "))
		if i == 0 {
			m.printf("|---%s|\n", strings.Repeat("|--:", len(row)-1))
		}
	}
	m.printf("\n<sub>%s</sub>\n\n", mdText(serviceLegend(m.run)))
}

// serviceLegendFirst is the first line of the ranked table's legend in
// service mode.
func serviceLegendFirst(run *result.Run) string {
	return "faster/slower: " + metricWords(run) + " against the baseline, paired block by block (faster = better: less CPU, lower latency, more throughput or less memory); ~ = not significant."
}

// serviceCollectNote says where a service run's collected profile came
// from.
func serviceCollectNote(c *result.PGOCollection) string {
	return fmt.Sprintf("pgo=collect: profile from the baseline server under the service load, %s of %ds each from %s, apart from the measured trials: %d samples, %s",
		plural(c.Rounds, "trial"), c.Seconds, c.Endpoint, c.Samples, Bytes(c.Bytes))
}
