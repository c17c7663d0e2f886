package options

import (
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/service"
)

func TestMergeService(t *testing.T) {
	section := &service.Config{Main: "./cmd/s", Args: []string{"-listen", "{addr}"}, Load: service.Load{Rate: 50, Requests: []service.Request{{Path: "/a"}}}}
	cases := []struct {
		name  string
		flags ServiceFlags
		cfg   *service.Config
		check func(t *testing.T, o Options)
	}{
		{"no flag: benchmarks", ServiceFlags{}, section, func(t *testing.T, o Options) {
			if o.Service != nil {
				t.Errorf("Service = %+v without --service", o.Service)
			}
		}},
		{"--service takes the section", ServiceFlags{On: true}, section, func(t *testing.T, o Options) {
			if o.Service == nil || o.Service.Main != "./cmd/s" || o.Service.Args[0] != "-listen" {
				t.Errorf("Service = %+v", o.Service)
			}
		}},
		{"flags win", ServiceFlags{On: true, Load: []string{"POST /b", "/c"}, Rate: 7}, section, func(t *testing.T, o Options) {
			s := o.Service
			if s.Load.Rate != 7 || len(s.Load.Requests) != 2 || s.Load.Requests[0].Method != "POST" || s.Load.Requests[0].Path != "/b" || s.Load.Requests[1].Path != "/c" {
				t.Errorf("Service = %+v", s)
			}
			if section.Load.Rate != 50 {
				t.Errorf("the section was changed: %+v", section)
			}
		}},
		{"simple case without a section", ServiceFlags{Main: ".", Load: []string{"/ping"}}, nil, func(t *testing.T, o Options) {
			s := o.Service
			if s.Main != "." || strings.Join(s.Args, " ") != "-addr {addr}" || s.Ready.Path != "/ping" {
				t.Errorf("Service = %+v", s)
			}
			if err := o.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := Options{ServiceFlags: c.flags}
			o.Merge(matrix.Config{Service: c.cfg})
			c.check(t, o)
		})
	}
}

func TestValidateService(t *testing.T) {
	ok := &service.Config{Main: ".", Args: []string{"{addr}"}, Load: service.Load{Requests: []service.Request{{Path: "/"}}}}
	cases := []struct {
		name string
		o    Options
		want string // "" = valid
	}{
		{"valid", Options{Service: ok}, ""},
		{"metric", Options{Service: ok, Metric: "p99"}, ""},
		{"unknown metric", Options{Service: ok, Metric: "p98"}, `--metric "p98": want one of cpu, p99`},
		{"metric without service", Options{Metric: "rss"}, "--metric rss is for service mode"},
		{"no section", Options{ServiceFlags: ServiceFlags{On: true}, Service: &service.Config{Args: DefaultServiceArgs}}, "--service: gotune.yaml has no service: section"},
		{"bad rate", Options{ServiceFlags: ServiceFlags{Rate: -1}}, "--rate -1: want requests per second above 0"},
		{"benchtime", Options{Service: ok, Benchtime: "1s"}, "--benchtime 1s: service mode measures each trial for service.duration"},
		{"refused URL", Options{Service: &service.Config{Main: ".", Args: []string{"{addr}"}, Load: service.Load{Requests: []service.Request{{Path: "http://10.1.1.1/"}}}}}, `service.load.requests[0].path "http://10.1.1.1/": want a path on the server`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			o.Defaults()
			err := o.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("Validate: %v, want %q", err, c.want)
			}
			if c.want == "" && o.MetricUnit() == "" {
				t.Errorf("MetricUnit is empty in service mode")
			}
		})
	}
	if u := (Options{}).MetricUnit(); u != "" {
		t.Errorf("MetricUnit outside service mode = %q", u)
	}
	if u := (Options{Service: ok}).MetricUnit(); u != service.UnitCPU {
		t.Errorf("default MetricUnit = %q, want %q", u, service.UnitCPU)
	}
}
