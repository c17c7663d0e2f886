package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fakeStarter "starts" a server in-process: an http.Server on the address
// that follows -addr in the spec's args, answering with handler. Its CPU
// time is cpuPerReq per request served.
type fakeStarter struct {
	handler    http.Handler
	exitAfter  int64 // > 0: exit with status 3 after that many requests
	ignoreTerm bool  // SIGTERM does nothing
	noListen   bool  // never listens
	cpuPerReq  time.Duration

	mu    sync.Mutex
	specs []ProcessSpec
	procs []*fakeProcess
}

type fakeProcess struct {
	st   *fakeStarter
	srv  *http.Server
	reqs atomic.Int64
	once sync.Once
	done chan struct{}
	err  error
}

func (f *fakeStarter) Start(spec ProcessSpec) (Process, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.specs = append(f.specs, spec)
	p := &fakeProcess{st: f, done: make(chan struct{})}
	f.procs = append(f.procs, p)
	if f.noListen {
		return p, nil
	}
	i := slices.Index(spec.Args, "-addr")
	if i < 0 || i+1 >= len(spec.Args) {
		return nil, errors.New("fake: no -addr")
	}
	ln, err := net.Listen("tcp", spec.Args[i+1])
	if err != nil {
		return nil, err
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			n := p.reqs.Add(1)
			if f.exitAfter > 0 && n > f.exitAfter {
				fmt.Fprintln(spec.Output, "fake: out of widgets")
				go p.exit(errors.New("exit status 3"))
				panic(http.ErrAbortHandler)
			}
		}
		f.handler.ServeHTTP(w, r)
	})}
	go p.srv.Serve(ln)
	return p, nil
}

func (p *fakeProcess) exit(err error) {
	p.once.Do(func() {
		if p.srv != nil {
			p.srv.Close()
		}
		p.err = err
		close(p.done)
	})
}

func (p *fakeProcess) PID() int              { return 4242 }
func (p *fakeProcess) Done() <-chan struct{} { return p.done }
func (p *fakeProcess) ExitErr() error        { return p.err }
func (p *fakeProcess) Signal(sig syscall.Signal) error {
	switch {
	case sig == syscall.SIGKILL:
		p.exit(errors.New("signal: killed"))
	case sig == syscall.SIGTERM && !p.st.ignoreTerm:
		p.exit(nil)
	}
	return nil
}

func (p *fakeProcess) Usage() (Usage, error) {
	cpu := time.Duration(p.reqs.Load()) * p.st.cpuPerReq
	return Usage{CPU: cpu.Truncate(10 * time.Millisecond), RunTime: cpu, PeakRSS: 12 << 20}, nil
}

func (p *fakeProcess) Alive() []int {
	if isDone(p) {
		return nil
	}
	return []int{p.PID()}
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
}

// fastConfig is a short trial: 100 req/s, 0.2 s warm-up, 0.5 s measured.
func fastConfig() Config {
	return Config{
		Main:        "./cmd/fake",
		Args:        []string{"-addr", "{addr}", "-pprof", "{pprof}"},
		Env:         []string{"FAKE_ADDR={addr}"},
		Ready:       Ready{Path: "/healthz", Timeout: time.Second},
		Load:        Load{Rate: 100, Timeout: time.Second, Requests: []Request{{Path: "/work"}}},
		Warmup:      200 * time.Millisecond,
		Duration:    500 * time.Millisecond,
		StopTimeout: 300 * time.Millisecond,
	}.WithDefaults()
}

func TestRunTrialFake(t *testing.T) {
	f := &fakeStarter{handler: okHandler(), cpuPerReq: 100 * time.Microsecond}
	var logs []string
	m, err := RunTrial(context.Background(), TrialOptions{
		Config: fastConfig(), Binary: "/bin/fake", Starter: f, Env: []string{"BASE=1"},
		Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	spec := f.specs[0]
	if spec.Path != "/bin/fake" || spec.Dir != "/bin" {
		t.Errorf("spec path %q dir %q", spec.Path, spec.Dir)
	}
	addr, pprof := spec.Args[1], spec.Args[3]
	if CheckLoopback(addr) != nil || CheckLoopback(pprof) != nil || addr == pprof {
		t.Errorf("args %q: want two distinct loopback addresses", spec.Args)
	}
	if !slices.Equal(spec.Env, []string{"BASE=1", "FAKE_ADDR=" + addr}) {
		t.Errorf("env %q", spec.Env)
	}
	// 100 req/s for 0.5 s; only the measured window counts.
	if m.Requests < 30 || m.Requests > 60 {
		t.Errorf("Requests = %d, want about 50 (the warm-up excluded)", m.Requests)
	}
	if m.Errors.Total != 0 || m.ErrorRate != 0 || len(m.Errors.Examples) != 0 {
		t.Errorf("errors: %+v", m.Errors)
	}
	if m.Throughput <= 0 || m.Latency.P50 <= 0 || m.Latency.P50 > m.Latency.P99 || m.Latency.P99 > m.Latency.Max {
		t.Errorf("throughput %v, latency %+v", m.Throughput, m.Latency)
	}
	if want := 0.1; m.CPUPerKReq < want*0.99 || m.CPUPerKReq > want*1.01 {
		t.Errorf("CPUPerKReq = %v, want %v (100µs a request)", m.CPUPerKReq, want)
	}
	if m.PeakRSS != 12<<20 || m.TargetRate != 100 {
		t.Errorf("PeakRSS %d TargetRate %v", m.PeakRSS, m.TargetRate)
	}
	if len(logs) < 3 {
		t.Errorf("logs %q, want a line per step", logs)
	}
	if !isDone(f.procs[0]) {
		t.Errorf("the server was not stopped")
	}
}

func TestRunTrialFakeFailures(t *testing.T) {
	tests := []struct {
		name    string
		starter *fakeStarter
		edit    func(c *Config)
		wantErr string
		check   func(t *testing.T, m Metrics)
	}{
		{
			name:    "never ready",
			starter: &fakeStarter{noListen: true},
			wantErr: "server not ready after 1s: GET /healthz: nothing listening on 127.0.0.1:",
		},
		{
			name: "ready path answers 503",
			starter: &fakeStarter{handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "starting", http.StatusServiceUnavailable)
			})},
			edit:    func(c *Config) { c.Ready.Path = "/work" },
			wantErr: "GET /work: it last answered 503 Service Unavailable",
		},
		{
			name:    "exits mid-trial",
			starter: &fakeStarter{handler: okHandler(), exitAfter: 40},
			wantErr: "server exited during the measured load",
		},
		{
			name:    "exits during the warm-up",
			starter: &fakeStarter{handler: okHandler(), exitAfter: 3},
			wantErr: "server exited during the warm-up",
		},
		{
			name:    "ignores SIGTERM",
			starter: &fakeStarter{handler: okHandler(), ignoreTerm: true},
			check: func(t *testing.T, m Metrics) {
				if !slices.ContainsFunc(m.Warnings, func(w string) bool { return strings.Contains(w, "ignored SIGTERM for 300ms") }) {
					t.Errorf("warnings %q, want SIGTERM ignored said", m.Warnings)
				}
			},
		},
		{
			name: "answers 500",
			starter: &fakeStarter{handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/healthz" {
					return
				}
				http.Error(w, "boom", http.StatusInternalServerError)
			})},
			check: func(t *testing.T, m Metrics) {
				if m.ErrorRate != 1 || m.Errors.Status != m.Requests || m.Throughput != 0 {
					t.Errorf("error rate %v, status errors %d of %d, throughput %v", m.ErrorRate, m.Errors.Status, m.Requests, m.Throughput)
				}
				if len(m.Errors.Examples) != 1 || !strings.Contains(m.Errors.Examples[0], "GET /work: HTTP 500 Internal Server Error: boom") {
					t.Errorf("examples %q", m.Errors.Examples)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fastConfig()
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			m, err := RunTrial(context.Background(), TrialOptions{Config: cfg, Binary: "/bin/fake", Starter: tt.starter})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("RunTrial: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("RunTrial error = %v, want it to contain %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Fatalf("error %q is not one line", err)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
			for _, p := range tt.starter.procs {
				if !isDone(p) {
					t.Errorf("a fake server was left running")
				}
			}
		})
	}
}

func TestRunTrialRefuses(t *testing.T) {
	cfg := fastConfig()
	tests := []struct {
		name string
		opts TrialOptions
		want string
	}{
		{"no binary", TrialOptions{Config: cfg}, "no server binary"},
		{"invalid config", TrialOptions{Config: Config{Main: "x"}, Binary: "/bin/x"}, "service.args: no {addr}"},
		{"unresolved requests file", TrialOptions{Config: Config{Main: "x", Args: []string{"{addr}"}, Load: Load{RequestsFile: "r.yaml"}}, Binary: "/bin/x"}, "Config.Resolve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Starter = &fakeStarter{handler: okHandler()}
			_, err := RunTrial(context.Background(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("RunTrial = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRunTrialCancelled(t *testing.T) {
	f := &fakeStarter{handler: okHandler()}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(400*time.Millisecond, cancel)
	cfg := fastConfig()
	// The longest trial there is: one that ignored the cancel would keep
	// the test running for ten minutes, to the test binary's deadline.
	cfg.Duration = 10 * time.Minute
	_, err := RunTrial(ctx, TrialOptions{Config: cfg, Binary: "/bin/fake", Starter: f})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("RunTrial = %v, want interrupted by context.Canceled", err)
	}
	if !isDone(f.procs[0]) {
		t.Errorf("the server was not stopped")
	}
}
