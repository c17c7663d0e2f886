package options

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/service"
)

// ServiceFlags are the command line's service mode: --service alone uses
// gotune.yaml's service: section; --service-main, --load and --rate make
// or change one for the simple case.
type ServiceFlags struct {
	On   bool     // --service
	Main string   // --service-main: the main package
	Load []string // --load: requests, "PATH" or "METHOD PATH"
	Rate float64  // --rate: requests per second
}

// Given reports whether any service flag was given.
func (f ServiceFlags) Given() bool {
	return f.On || f.Main != "" || len(f.Load) > 0 || f.Rate != 0
}

// Metric is a metric of service mode that verdicts can be about.
type Metric struct {
	Name  string // as --metric takes it
	Unit  string // the unit of its samples
	Words string // what it is, for help and reports
}

// Metrics are the metrics --metric takes, the default first.
var Metrics = []Metric{
	{"cpu", service.UnitCPU, "CPU seconds per 1,000 requests"},
	{"p99", service.UnitP99, "99th percentile latency"},
	{"p50", service.UnitP50, "median latency"},
	{"p90", service.UnitP90, "90th percentile latency"},
	{"p99.9", service.UnitP999, "99.9th percentile latency"},
	{"throughput", service.UnitThroughput, "successful requests per second"},
	{"rss", service.UnitPeakRSS, "peak resident memory"},
}

// DefaultMetric is the metric of service mode without --metric.
const DefaultMetric = "cpu"

// MetricUnit returns the unit the verdicts of a run with these options are
// about: the metric's in service mode, else "" (time per operation).
func (o Options) MetricUnit() string {
	if o.Service == nil {
		return ""
	}
	return metricUnit(o.Metric)
}

// metricUnit returns the unit of a metric name, "" = the default; "" when
// there is no such metric.
func metricUnit(name string) string {
	if name == "" {
		name = DefaultMetric
	}
	for _, m := range Metrics {
		if m.Name == name {
			return m.Unit
		}
	}
	return ""
}

func metricNames() string {
	var names []string
	for _, m := range Metrics {
		names = append(names, m.Name)
	}
	return strings.Join(names, ", ")
}

// DefaultServiceArgs are the server's arguments when neither gotune.yaml
// nor a flag gives them: the flag most Go servers take for their address.
var DefaultServiceArgs = []string{"-addr", "{addr}"}

// mergeService turns the service flags and gotune.yaml's service: section
// into o.Service, the flags winning. A Service already set (a resumed
// run's) stays as it is.
func (o *Options) mergeService(cfg *service.Config) {
	f := o.ServiceFlags
	if o.Service != nil || !f.Given() {
		return
	}
	var c service.Config
	if cfg != nil {
		c = *cfg
	}
	if f.Main != "" {
		c.Main = f.Main
	}
	if len(c.Args) == 0 && len(c.Env) == 0 {
		c.Args = slices.Clone(DefaultServiceArgs)
	}
	if len(f.Load) > 0 {
		c.Load.Requests, c.Load.RequestsFile = nil, ""
		for _, l := range f.Load {
			r := service.Request{Path: strings.TrimSpace(l)}
			if m, p, ok := strings.Cut(r.Path, " "); ok {
				r.Method, r.Path = m, strings.TrimSpace(p)
			}
			c.Load.Requests = append(c.Load.Requests, r)
		}
		if c.Ready.Path == "" {
			if r := c.Load.Requests[0]; r.Method == "" || r.Method == http.MethodGet {
				c.Ready.Path = r.Path
			}
		}
	}
	if f.Rate != 0 {
		c.Load.Rate = f.Rate
	}
	o.Service = &c
}

// validateService checks the service mode's options.
func (o *Options) validateService() []error {
	var errs []error
	serviceMode := o.Service != nil || o.ServiceFlags.Given()
	if o.Metric != "" {
		if metricUnit(o.Metric) == "" {
			errs = append(errs, fmt.Errorf("--metric %q: want one of %s", o.Metric, metricNames()))
		} else if !serviceMode {
			errs = append(errs, fmt.Errorf("--metric %s is for service mode: add --service (and a service: section in gotune.yaml, docs/service.md)", o.Metric))
		}
	}
	f := o.ServiceFlags
	if f.Rate < 0 {
		errs = append(errs, fmt.Errorf("--rate %v: want requests per second above 0, e.g. 200", f.Rate))
	}
	if o.Service == nil {
		return errs
	}
	if strings.TrimSpace(o.Service.Main) == "" && f.Main == "" && len(o.Service.Load.Requests) == 0 && o.Service.Load.RequestsFile == "" {
		return append(errs, errors.New("--service: gotune.yaml has no service: section: add one (docs/service.md), or name the server with --service-main ./cmd/server and its requests with --load /path"))
	}
	if _, err := o.Service.Resolve("."); err != nil {
		msg := err.Error()
		if f.Main != "" || len(f.Load) > 0 {
			msg = strings.Replace(msg, "service.main:", "service.main (or --service-main):", 1)
			msg = strings.Replace(msg, "service.load.requests:", "service.load.requests (or --load):", 1)
		}
		errs = append(errs, errors.New(msg))
	}
	if o.Benchtime != "" {
		errs = append(errs, fmt.Errorf("--benchtime %s: service mode measures each trial for service.duration; set that instead", o.Benchtime))
	}
	return errs
}
