package service

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// valid returns a minimal valid configuration.
func valid() Config {
	return Config{
		Main: "./cmd/server",
		Args: []string{"-addr", "{addr}"},
		Load: Load{Requests: []Request{{Path: "/"}}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
		want string // substring of the error; "" = valid
	}{
		{"minimal", func(c *Config) {}, ""},
		{"addr in env", func(c *Config) { c.Args = nil; c.Env = []string{"ADDR={addr}"} }, ""},
		{"pprof placeholder", func(c *Config) { c.Args = append(c.Args, "-pprof={pprof}") }, ""},
		{"closed loop", func(c *Config) { c.Load.MaxConcurrency = 8 }, ""},
		{"full", func(c *Config) {
			c.Ready = Ready{Path: "/healthz?deep=1", Timeout: 3 * time.Second}
			c.Load = Load{Rate: 500, MaxConcurrency: 64, Timeout: time.Second, Requests: []Request{
				{Method: "POST", Path: "/batch", Body: "{}", Headers: map[string]string{"Content-Type": "application/json"}, Weight: 2},
			}}
			c.Warmup, c.Duration, c.StopTimeout = time.Second, 3*time.Second, time.Second
			c.PprofPath = "/debug/pprof/profile"
		}, ""},
		{"no main", func(c *Config) { c.Main = " " }, "service.main: missing"},
		{"no addr", func(c *Config) { c.Args = []string{"-port", "8080"} }, "service.args: no {addr}"},
		{"unknown placeholder", func(c *Config) { c.Args = append(c.Args, "-port={port}") }, "service.args[2] \"-port={port}\": unknown placeholder {port}"},
		{"env not KEY=VALUE", func(c *Config) { c.Env = []string{"JUSTAKEY"} }, "service.env[0] \"JUSTAKEY\": want KEY=VALUE"},
		{"env placeholder", func(c *Config) { c.Env = []string{"X={host}"} }, "unknown placeholder {host}"},
		{"ready path without slash", func(c *Config) { c.Ready.Path = "healthz" }, "service.ready.path \"healthz\": want a path"},
		{"ready path with host", func(c *Config) { c.Ready.Path = "//example.com/" }, "service.ready.path"},
		{"negative ready timeout", func(c *Config) { c.Ready.Timeout = -time.Second }, "service.ready.timeout -1s: want a positive duration"},
		{"negative rate", func(c *Config) { c.Load.Rate = -1 }, "service.load.rate -1: want requests per second > 0"},
		{"rate over bound", func(c *Config) { c.Load.Rate = 1e6 }, "service.load.rate 1e+06: at most 10000"},
		{"too many in flight", func(c *Config) { c.Load.MaxConcurrency = 5000 }, "service.load.max_concurrency 5000"},
		{"long timeout", func(c *Config) { c.Load.Timeout = time.Hour }, "service.load.timeout 1h0m0s: at most 1m0s"},
		{"long trial", func(c *Config) { c.Duration = time.Hour }, "service.duration 1h0m0s: at most 10m0s"},
		{"negative warmup", func(c *Config) { c.Warmup = -time.Second }, "service.warmup -1s"},
		{"too many requests", func(c *Config) { c.Load.Rate = 10000; c.Duration = 5 * time.Minute }, "over the bound of 1000000"},
		{"too few requests", func(c *Config) { c.Load.Rate = 1; c.Duration = 5 * time.Second }, "is 5 requests, under the 10 a trial needs"},
		{"no requests", func(c *Config) { c.Load.Requests = nil }, "service.load.requests: missing"},
		{"both requests and file", func(c *Config) { c.Load.RequestsFile = "reqs.yaml" }, "both requests and requests_file"},
		{"bad method", func(c *Config) { c.Load.Requests[0].Method = "get" }, "service.load.requests[0].method \"get\""},
		{"absolute URL", func(c *Config) { c.Load.Requests[0].Path = "http://10.0.0.1/" }, "service.load.requests[0].path \"http://10.0.0.1/\": want a path on the server"},
		{"space in path", func(c *Config) { c.Load.Requests[0].Path = "/a b" }, "cannot hold spaces"},
		{"negative weight", func(c *Config) { c.Load.Requests[0].Weight = -2 }, "service.load.requests[0].weight -2"},
		{"bad header name", func(c *Config) { c.Load.Requests[0].Headers = map[string]string{"Bad Name": "x"} }, "is not a header name"},
		{"header injection", func(c *Config) { c.Load.Requests[0].Headers = map[string]string{"X": "a\r\nHost: b"} }, "line break"},
		{"bad pprof path", func(c *Config) { c.PprofPath = "debug" }, "service.pprof_path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Fatalf("Validate() = nil, want an error containing %q", tt.want)
			case err != nil && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("Validate() = %q, want it to contain %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Fatalf("Validate() = %q: not one line", err)
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	c := valid().WithDefaults()
	want := Config{
		Main:        "./cmd/server",
		Args:        []string{"-addr", "{addr}"},
		Ready:       Ready{Path: "/", Timeout: 10 * time.Second},
		Load:        Load{Rate: 200, Timeout: 5 * time.Second, Requests: []Request{{Method: "GET", Path: "/", Weight: 1}}},
		Warmup:      2 * time.Second,
		Duration:    5 * time.Second,
		StopTimeout: 5 * time.Second,
		PprofPath:   "/debug/pprof/profile",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("WithDefaults() =\n%+v\nwant\n%+v", c, want)
	}
	closed := valid()
	closed.Load.MaxConcurrency = 4
	if got := closed.WithDefaults().Load.Rate; got != 0 {
		t.Errorf("closed loop: WithDefaults().Load.Rate = %v, want 0", got)
	}
	// The caller's requests are not modified.
	orig := valid()
	_ = orig.WithDefaults()
	if orig.Load.Requests[0].Method != "" {
		t.Errorf("WithDefaults modified its receiver's requests")
	}
}

// TestDecodeYAML decodes a service: section as gotune.yaml does, strictly.
func TestDecodeYAML(t *testing.T) {
	const doc = `
main: ./cmd/quotesd
args: [-addr, "{addr}", -pprof, "{pprof}", -quiet]
env: [GOGC=200]
ready: {path: "/quote?symbol=SXXS", timeout: 5s}
load:
  rate: 150
  max_concurrency: 32
  timeout: 2s
  requests:
    - {method: GET, path: "/quote?symbol=SXXS", weight: 4}
    - method: POST
      path: /batch
      body: '{"symbols":["SXXS"],"window":10}'
      headers: {Content-Type: application/json}
warmup: 1s
duration: 3s
stop_timeout: 2s
pprof_path: /debug/pprof/profile
`
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Warmup != time.Second || c.Duration != 3*time.Second || c.Ready.Timeout != 5*time.Second || c.Load.Timeout != 2*time.Second {
		t.Errorf("durations: warmup %s, duration %s, ready %s, timeout %s", c.Warmup, c.Duration, c.Ready.Timeout, c.Load.Timeout)
	}
	if len(c.Load.Requests) != 2 || c.Load.Requests[1].Headers["Content-Type"] != "application/json" || c.Load.Requests[0].Weight != 4 {
		t.Errorf("requests: %+v", c.Load.Requests)
	}
	if !c.UsesPprofListener() {
		t.Errorf("UsesPprofListener() = false with {pprof} in args")
	}

	// A typo is an error with the caller's KnownFields.
	dec = yaml.NewDecoder(strings.NewReader("main: x\nlaod: {rate: 1}\n"))
	dec.KnownFields(true)
	if err := dec.Decode(&Config{}); err == nil || !strings.Contains(err.Error(), "laod") {
		t.Errorf("typo: err = %v, want it to name the field", err)
	}
}

func TestResolveRequestsFile(t *testing.T) {
	c := valid()
	c.Load.Requests = nil
	c.Load.RequestsFile = "requests.yaml"
	got, err := c.Resolve("testdata")
	if err != nil {
		t.Fatal(err)
	}
	want := []Request{
		{Method: "GET", Path: "/quote?symbol=SXXS", Weight: 3},
		{Method: "POST", Path: "/batch", Body: `{"symbols":["SXXS","MKH"],"window":100}`, Headers: map[string]string{"Content-Type": "application/json"}, Weight: 1},
	}
	if !reflect.DeepEqual(got.Load.Requests, want) {
		t.Errorf("requests = %+v, want %+v", got.Load.Requests, want)
	}
	if got.Load.RequestsFile != "" {
		t.Errorf("RequestsFile = %q after Resolve, want it cleared", got.Load.RequestsFile)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("a resolved config does not validate: %v", err)
	}

	for _, tt := range []struct{ name, file, want string }{
		{"missing", "nope.yaml", "service.load.requests_file: open"},
		{"typo", "requests_typo.yaml", "field pth not found"},
		{"bad path", "requests_badpath.yaml", "service.load.requests_file requests_badpath.yaml[0].path"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c.Load.RequestsFile = tt.file
			_, err := c.Resolve(filepath.Join(".", "testdata"))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Resolve() = %v, want one line containing %q", err, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	got := Expand([]string{"-addr", "{addr}", "-pprof={pprof}", "URL=http://{addr}/x", "{other}"}, "127.0.0.1:1", "127.0.0.1:2")
	want := []string{"-addr", "127.0.0.1:1", "-pprof=127.0.0.1:2", "URL=http://127.0.0.1:1/x", "{other}"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Expand = %q, want %q", got, want)
	}
	if valid().UsesPprofListener() {
		t.Errorf("UsesPprofListener() = true without {pprof}")
	}
}
