package service

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Defaults of a Config's zero fields.
const (
	DefaultRate        = 200.0
	DefaultWarmup      = 2 * time.Second
	DefaultDuration    = 5 * time.Second
	DefaultReadyPath   = "/"
	DefaultReadyWait   = 10 * time.Second
	DefaultTimeout     = 5 * time.Second
	DefaultStopTimeout = 5 * time.Second
	DefaultPprofPath   = "/debug/pprof/profile"
)

// Safety bounds: a configuration past any of them is refused by Validate,
// and a trial never sends more than MaxRequests requests in its measured
// window nor in its warm-up.
const (
	MaxRate           = 10_000.0
	MaxConcurrency    = 1_000
	MaxRequests       = 1_000_000
	MinRequests       = 10               // in a measured window at a constant rate
	MaxPhase          = 10 * time.Minute // warm-up, duration
	MaxTimeout        = time.Minute      // per request
	MaxReadyWait      = 5 * time.Minute
	MaxStopTimeout    = time.Minute
	MaxWeight         = 1_000
	maxRequestsInFile = 10_000
)

// Config is the service: section of gotune.yaml: how to start the server
// that gotune built, how to tell it is ready, and the load to measure it
// under. Zero fields take the Default values; WithDefaults fills them.
type Config struct {
	// Main is the main package to build: an import path or ./cmd/x
	// relative to the target module. The package builds it; RunTrial only
	// starts the binary.
	Main string `yaml:"main"`
	// Args are the server's arguments. {addr} is replaced by the host:port
	// gotune picked for it on 127.0.0.1, {pprof} by a second one for a
	// separate pprof listener.
	Args []string `yaml:"args"`
	// Env are KEY=VALUE pairs added to the server's environment;
	// placeholders are replaced as in Args.
	Env []string `yaml:"env"`
	// Ready says when a started server is ready for load.
	Ready Ready `yaml:"ready"`
	// Load is the traffic of each trial.
	Load Load `yaml:"load"`
	// Warmup is how long the load runs before measuring starts.
	Warmup time.Duration `yaml:"warmup"`
	// Duration is how long each trial is measured.
	Duration time.Duration `yaml:"duration"`
	// StopTimeout is how long a server has to exit after SIGTERM before its
	// process group is killed.
	StopTimeout time.Duration `yaml:"stop_timeout"`
	// PprofPath is the CPU profile endpoint, on the {pprof} listener when
	// Args or Env use it, else on {addr}.
	PprofPath string `yaml:"pprof_path"`
}

// Ready says when a started server is ready: the first answer to GET Path
// with a status below 500 within Timeout.
type Ready struct {
	Path    string        `yaml:"path"`
	Timeout time.Duration `yaml:"timeout"`
}

// Load is the traffic of a trial: requests picked by weight, sent at a
// constant Rate (open loop) with at most MaxConcurrency in flight. With
// MaxConcurrency alone (no Rate) it is a closed loop: that many clients,
// each sending its next request when the last one answered.
type Load struct {
	Rate           float64       `yaml:"rate"`
	MaxConcurrency int           `yaml:"max_concurrency"`
	Timeout        time.Duration `yaml:"timeout"`
	Requests       []Request     `yaml:"requests"`
	// RequestsFile names a YAML (or JSON) file holding a list of requests
	// instead of Requests, relative to the configuration's directory.
	RequestsFile string `yaml:"requests_file"`
}

// Request is one kind of request of the load.
type Request struct {
	Method  string            `yaml:"method"` // default GET
	Path    string            `yaml:"path"`   // path and query, e.g. /quote?symbol=X
	Body    string            `yaml:"body"`
	Headers map[string]string `yaml:"headers"`
	Weight  int               `yaml:"weight"` // default 1
}

// WithDefaults returns c with its zero fields set to the defaults.
func (c Config) WithDefaults() Config {
	if c.Load.Rate == 0 && c.Load.MaxConcurrency == 0 {
		c.Load.Rate = DefaultRate
	}
	if c.Load.Timeout == 0 {
		c.Load.Timeout = DefaultTimeout
	}
	if c.Ready.Path == "" {
		c.Ready.Path = DefaultReadyPath
	}
	if c.Ready.Timeout == 0 {
		c.Ready.Timeout = DefaultReadyWait
	}
	if c.Warmup == 0 {
		c.Warmup = DefaultWarmup
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.StopTimeout == 0 {
		c.StopTimeout = DefaultStopTimeout
	}
	if c.PprofPath == "" {
		c.PprofPath = DefaultPprofPath
	}
	reqs := make([]Request, len(c.Load.Requests))
	for i, r := range c.Load.Requests {
		if r.Method == "" {
			r.Method = http.MethodGet
		}
		if r.Weight == 0 {
			r.Weight = 1
		}
		reqs[i] = r
	}
	c.Load.Requests = reqs
	return c
}

// Resolve validates c and returns it with its defaults filled and its
// requests file, if any, read from dir (the directory of the configuration
// file) into Load.Requests (RequestsFile is then cleared). A trial takes a
// resolved Config.
func (c Config) Resolve(dir string) (Config, error) {
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	if c.Load.RequestsFile != "" {
		p := c.Load.RequestsFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		reqs, err := ReadRequests(p)
		if err != nil {
			return Config{}, err
		}
		c.Load.Requests = reqs
		if err := c.validateRequests("service.load.requests_file " + c.Load.RequestsFile); err != nil {
			return Config{}, err
		}
		c.Load.RequestsFile = ""
	}
	return c.WithDefaults(), nil
}

// ReadRequests reads a requests file: a YAML or JSON list of requests with
// the fields of Request, unknown fields refused.
func ReadRequests(path string) ([]Request, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("service.load.requests_file: %v", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var reqs []Request
	if err := dec.Decode(&reqs); err != nil {
		return nil, fmt.Errorf("service.load.requests_file %s: %s: want a list of requests, e.g. - {method: GET, path: /}", path, oneLine(err.Error()))
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("service.load.requests_file %s: no requests: list at least one, e.g. - {method: GET, path: /}", path)
	}
	if len(reqs) > maxRequestsInFile {
		return nil, fmt.Errorf("service.load.requests_file %s: %d requests: at most %d kinds of request are allowed; use weights", path, len(reqs), maxRequestsInFile)
	}
	return reqs, nil
}

var (
	placeholderRE = regexp.MustCompile(`\{[A-Za-z_][A-Za-z0-9_]*\}`)
	envKeyRE      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerNameRE  = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

var methods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// Validate checks c and returns the first problem as a one-line error that
// names the field and the fix. Zero fields are valid: they take defaults.
func (c Config) Validate() error {
	if strings.TrimSpace(c.Main) == "" {
		return errors.New("service.main: missing: name the server's main package, e.g. main: ./cmd/server")
	}
	addr := false
	for i, a := range c.Args {
		if err := checkPlaceholders(a); err != nil {
			return fmt.Errorf("service.args[%d] %q: %v", i, a, err)
		}
		addr = addr || strings.Contains(a, "{addr}")
	}
	for i, e := range c.Env {
		k, _, ok := strings.Cut(e, "=")
		if !ok || !envKeyRE.MatchString(k) {
			return fmt.Errorf("service.env[%d] %q: want KEY=VALUE, e.g. PORT={addr}", i, e)
		}
		if err := checkPlaceholders(e); err != nil {
			return fmt.Errorf("service.env[%d] %q: %v", i, e, err)
		}
		addr = addr || strings.Contains(e, "{addr}")
	}
	if !addr {
		return errors.New("service.args: no {addr}: the server must listen where gotune says, e.g. args: [-addr, '{addr}'] or env: [ADDR={addr}]")
	}
	if p := c.Ready.Path; p != "" {
		if err := checkPath(p); err != nil {
			return fmt.Errorf("service.ready.path %q: %v", p, err)
		}
	}
	if err := checkDuration("service.ready.timeout", c.Ready.Timeout, MaxReadyWait); err != nil {
		return err
	}
	if p := c.PprofPath; p != "" {
		if err := checkPath(p); err != nil {
			return fmt.Errorf("service.pprof_path %q: %v", p, err)
		}
	}
	l := c.Load
	switch {
	case math.IsNaN(l.Rate) || l.Rate < 0:
		return fmt.Errorf("service.load.rate %v: want requests per second > 0, e.g. rate: %v", l.Rate, DefaultRate)
	case l.Rate > MaxRate:
		return fmt.Errorf("service.load.rate %v: at most %v requests per second; lower the rate", l.Rate, MaxRate)
	case l.MaxConcurrency < 0 || l.MaxConcurrency > MaxConcurrency:
		return fmt.Errorf("service.load.max_concurrency %d: want 1 to %d requests in flight, or leave it out", l.MaxConcurrency, MaxConcurrency)
	}
	if err := checkDuration("service.load.timeout", l.Timeout, MaxTimeout); err != nil {
		return err
	}
	if err := checkDuration("service.warmup", c.Warmup, MaxPhase); err != nil {
		return err
	}
	if err := checkDuration("service.duration", c.Duration, MaxPhase); err != nil {
		return err
	}
	if err := checkDuration("service.stop_timeout", c.StopTimeout, MaxStopTimeout); err != nil {
		return err
	}
	d := c.WithDefaults()
	if n := d.Load.Rate * d.Duration.Seconds(); d.Load.Rate > 0 && n < MinRequests {
		return fmt.Errorf("service.load: %v requests per second for %s is %.3g requests, under the %d a trial needs; raise the rate or the duration", d.Load.Rate, d.Duration, n, MinRequests)
	}
	if n := d.Load.Rate * max(d.Warmup, d.Duration).Seconds(); n > MaxRequests {
		return fmt.Errorf("service.load: %v requests per second for %s is %.0f requests, over the bound of %d; lower the rate or shorten the phase", d.Load.Rate, max(d.Warmup, d.Duration), n, MaxRequests)
	}
	switch {
	case len(l.Requests) == 0 && l.RequestsFile == "":
		return errors.New("service.load.requests: missing: list what to send, e.g. requests: [{method: GET, path: /}], or name a requests_file")
	case len(l.Requests) > 0 && l.RequestsFile != "":
		return errors.New("service.load: both requests and requests_file: keep one")
	}
	return c.validateRequests("service.load.requests")
}

// validateRequests checks c.Load.Requests; field names them in errors.
func (c Config) validateRequests(field string) error {
	for i, r := range c.Load.Requests {
		if r.Method != "" && !methods[r.Method] {
			return fmt.Errorf("%s[%d].method %q: want one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (upper case)", field, i, r.Method)
		}
		if err := checkPath(r.Path); err != nil {
			return fmt.Errorf("%s[%d].path %q: %v", field, i, r.Path, err)
		}
		if r.Weight < 0 || r.Weight > MaxWeight {
			return fmt.Errorf("%s[%d].weight %d: want 1 to %d (relative frequency), or leave it out for 1", field, i, r.Weight, MaxWeight)
		}
		for k, v := range r.Headers {
			if !headerNameRE.MatchString(k) {
				return fmt.Errorf("%s[%d].headers: %q is not a header name", field, i, k)
			}
			if strings.ContainsAny(v, "\r\n") {
				return fmt.Errorf("%s[%d].headers[%s]: a header value cannot hold a line break", field, i, k)
			}
		}
	}
	return nil
}

// checkPlaceholders refuses placeholders other than {addr} and {pprof}.
func checkPlaceholders(s string) error {
	for _, p := range placeholderRE.FindAllString(s, -1) {
		if p != "{addr}" && p != "{pprof}" {
			return fmt.Errorf("unknown placeholder %s: only {addr} and {pprof} are replaced", p)
		}
	}
	return nil
}

// checkPath accepts a URL path with an optional query, nothing more: the
// host is always the server gotune started.
func checkPath(p string) error {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return errors.New("want a path on the server, starting with one /, e.g. /healthz (the host is always the server gotune started)")
	}
	if strings.ContainsAny(p, " \t\r\n#") {
		return errors.New("a path cannot hold spaces or a #fragment; escape them, e.g. %20")
	}
	if _, err := url.ParseRequestURI(p); err != nil {
		return fmt.Errorf("not a valid path and query: %s", oneLine(err.Error()))
	}
	return nil
}

func checkDuration(field string, d, most time.Duration) error {
	switch {
	case d < 0:
		return fmt.Errorf("%s %s: want a positive duration, e.g. 2s, or leave it out", field, d)
	case d > most:
		return fmt.Errorf("%s %s: at most %s; shorten it", field, d, most)
	}
	return nil
}

// UsesPprofListener reports whether the server gets a separate pprof
// listener, that is whether its args or env use {pprof}.
func (c Config) UsesPprofListener() bool {
	for _, s := range append(append([]string(nil), c.Args...), c.Env...) {
		if strings.Contains(s, "{pprof}") {
			return true
		}
	}
	return false
}

// ProfileEndpoint names where CollectProfile fetches the CPU profile, for
// people: PprofPath on the {pprof} listener when the args or environment
// use it, else on {addr}.
func (c Config) ProfileEndpoint() string {
	if c.UsesPprofListener() {
		return "{pprof}" + c.PprofPath
	}
	return "{addr}" + c.PprofPath
}

// Expand returns args or env with {addr} and {pprof} replaced.
func Expand(list []string, addr, pprof string) []string {
	r := strings.NewReplacer("{addr}", addr, "{pprof}", pprof)
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = r.Replace(s)
	}
	return out
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
