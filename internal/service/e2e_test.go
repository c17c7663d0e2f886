//go:build linux

package service

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// The end-to-end tests build small servers from testdata/servers (and the
// demo service) with the real go command and run real trials against them.
// They assert structure only: counts, presence, error lines, and that no
// process is left behind.

var built struct {
	once sync.Once
	dir  string
	err  error
}

// TestMain removes the fixture binaries after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// fixture returns the binary of testdata/servers/name, building them all
// once.
func fixture(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs real servers")
	}
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "gotune-service-")
		if built.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", built.dir+string(filepath.Separator), "./testdata/servers/...")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = errors.New(string(out))
		}
	})
	if built.err != nil {
		t.Fatalf("building the fixture servers: %v", built.err)
	}
	return filepath.Join(built.dir, name)
}

func e2eConfig() Config {
	return Config{
		Main:        "./testdata/servers/x",
		Args:        []string{"-addr", "{addr}"},
		Ready:       Ready{Path: "/healthz", Timeout: 5 * time.Second},
		Load:        Load{Rate: 100, Timeout: 2 * time.Second, Requests: []Request{{Path: "/work?n=1"}}},
		Warmup:      300 * time.Millisecond,
		Duration:    time.Second,
		StopTimeout: 2 * time.Second,
	}.WithDefaults()
}

// trial runs one real trial, recording the server's pid from the log line,
// and checks afterwards that neither the server nor any process of its
// group is left.
func trial(t *testing.T, cfg Config, bin string) (Metrics, error) {
	t.Helper()
	var pid int
	var out strings.Builder
	var mu sync.Mutex
	opts := TrialOptions{
		Config: cfg, Binary: bin, Output: lockedWriter{&mu, &out},
		Logf: func(format string, args ...any) {
			if strings.HasPrefix(format, "service: started") {
				pid = args[1].(int)
			}
		},
	}
	m, err := RunTrial(context.Background(), opts)
	mu.Lock()
	t.Logf("server output (tail):\n%s", lastLines(out.String(), 5))
	mu.Unlock()
	if pid == 0 {
		t.Fatalf("no server was started")
	}
	assertGone(t, pid)
	return m, err
}

// assertGone checks the process table: the server is gone (kill(pid, 0)
// fails with ESRCH) and so is every process of its group, zombies aside.
func assertGone(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kill(%d, 0) = %v: the server is still there", pid, err)
	}
	if alive := GroupAlive(pid); len(alive) > 0 {
		t.Errorf("processes %v of the server's group %d still run", alive, pid)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// checkMetrics asserts that a clean trial's metrics are all there.
func checkMetrics(t *testing.T, m Metrics) {
	t.Helper()
	t.Logf("metrics:\n%s", m)
	if m.Requests == 0 || m.Window <= 0 || m.Throughput <= 0 {
		t.Errorf("requests %d window %s throughput %v: want positive", m.Requests, m.Window, m.Throughput)
	}
	if l := m.Latency; l.P50 <= 0 || l.P50 > l.P90 || l.P90 > l.P99 || l.P99 > l.P999 || l.P999 > l.Max {
		t.Errorf("latency %+v: want positive and ordered", l)
	}
	if m.CPU <= 0 || m.CPUPerKReq <= 0 || m.PeakRSS <= 0 {
		t.Errorf("cpu %s (%v cpu-sec/kreq), peak RSS %d: want positive", m.CPU, m.CPUPerKReq, m.PeakRSS)
	}
	if m.ErrorRate != 0 || m.Errors.Total != 0 {
		t.Errorf("errors %+v: want none", m.Errors)
	}
	for _, s := range m.Samples() {
		if s.Value < 0 || (s.Unit != UnitErrors && s.Value == 0) {
			t.Errorf("sample %s = %v", s.Unit, s.Value)
		}
	}
}

func TestTrialOK(t *testing.T) {
	bin := fixture(t, "okserver")
	cfg := e2eConfig()
	// A child in the group that ignores SIGTERM: the final SIGKILL to the
	// group must take it too.
	cfg.Args = append(cfg.Args, "-child")
	m, err := trial(t, cfg, bin)
	if err != nil {
		t.Fatal(err)
	}
	checkMetrics(t, m)
	if m.Requests < 50 || m.Requests > 110 {
		t.Errorf("Requests = %d at 100/s for 1s, want about 100 (warm-up excluded)", m.Requests)
	}
	for _, w := range m.Warnings {
		if strings.Contains(w, "SIGTERM") {
			t.Errorf("warning %q: the server itself stops on SIGTERM", w)
		}
	}
}

func TestTrialNeverReady(t *testing.T) {
	cfg := e2eConfig()
	cfg.Ready.Timeout = time.Second
	_, err := trial(t, cfg, fixture(t, "neverready"))
	t.Logf("error: %v", err)
	if err == nil || !regexp.MustCompile(`^server not ready after 1s: GET /healthz: it last answered 503 Service Unavailable; .*its last output: neverready: loading`).MatchString(err.Error()) {
		t.Errorf("error = %v, want not ready, the last status and the server's output", err)
	}
}

func TestTrialCrash(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"exit", nil, `^server exited during the measured load \(.* after start\): exit status 3; its last output: .*crash: out of widgets after 60 requests$`},
		{"panic", []string{"-panic"}, `^server exited during the measured load \(.* after start\): exit status 2; its last output: panic: crash: out of widgets after 60 requests \(stacks follow\)$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := e2eConfig()
			cfg.Args = append(append(cfg.Args, "-after", "60"), tt.args...) // the warm-up sends ~30
			_, err := trial(t, cfg, fixture(t, "crash"))
			t.Logf("error: %v", err)
			if err == nil || !regexp.MustCompile(tt.want).MatchString(err.Error()) {
				t.Errorf("error = %v, want the exit status and the telling line of its output", err)
			}
		})
	}
}

func TestTrialCrashAtStart(t *testing.T) {
	cfg := e2eConfig()
	cfg.Args = append(cfg.Args, "-no-such-flag")
	_, err := trial(t, cfg, fixture(t, "okserver"))
	t.Logf("error: %v", err)
	if err == nil || !strings.Contains(err.Error(), "server exited before it was ready") || !strings.Contains(err.Error(), "exit status 2") || !strings.HasSuffix(err.Error(), "its last output: flag provided but not defined: -no-such-flag") {
		t.Errorf("error = %v, want the exit before ready with the usage error", err)
	}
}

func TestTrialIgnoresSIGTERM(t *testing.T) {
	cfg := e2eConfig()
	cfg.StopTimeout = 500 * time.Millisecond
	m, err := trial(t, cfg, fixture(t, "noterm"))
	if err != nil {
		t.Fatal(err)
	}
	checkMetrics(t, m)
	if !slices.ContainsFunc(m.Warnings, func(w string) bool {
		return w == "server ignored SIGTERM for 500ms (service.stop_timeout); its process group was killed"
	}) {
		t.Errorf("warnings %q, want SIGTERM ignored said", m.Warnings)
	}
}

func TestTrial500s(t *testing.T) {
	m, err := trial(t, e2eConfig(), fixture(t, "fail500"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("metrics:\n%s", m)
	if m.Requests == 0 || m.ErrorRate != 1 || m.Errors.Status != m.Requests || m.Throughput != 0 {
		t.Errorf("requests %d, error rate %v, status errors %d, throughput %v: want every request failed", m.Requests, m.ErrorRate, m.Errors.Status, m.Throughput)
	}
	if len(m.Errors.Examples) == 0 || m.Errors.Examples[0] != strconv.Itoa(m.Requests)+"× GET /work?n=1: HTTP 500 Internal Server Error: boom: the database is gone" {
		t.Errorf("examples %q", m.Errors.Examples)
	}
}

func TestCollectProfile(t *testing.T) {
	bin := fixture(t, "okserver")
	tests := []struct {
		name string
		args []string
	}{
		{"pprof listener", []string{"-addr", "{addr}", "-pprof", "{pprof}"}},
		{"pprof on the main listener", []string{"-addr", "{addr}", "-pprof-main"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := e2eConfig()
			cfg.Args = tt.args
			cfg.Load.Rate = 300
			out := filepath.Join(t.TempDir(), "cpu.pprof")
			var pid int
			res, err := CollectProfile(context.Background(), TrialOptions{Config: cfg, Binary: bin,
				Logf: func(format string, args ...any) {
					if strings.HasPrefix(format, "service: started") {
						pid = args[1].(int)
					}
				}}, ProfileOptions{Seconds: 1, Out: out})
			if err != nil {
				t.Fatal(err)
			}
			assertGone(t, pid)
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			p, err := profile.Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Sample) == 0 || res.Samples != len(p.Sample) || res.Bytes == 0 || res.Metrics.Requests == 0 {
				t.Errorf("profile: %d samples (result says %d, %d bytes), %d requests", len(p.Sample), res.Samples, res.Bytes, res.Metrics.Requests)
			}
		})
	}
}

func TestCollectProfileNoPprof(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cpu.pprof")
	var pid int
	_, err := CollectProfile(context.Background(), TrialOptions{Config: e2eConfig(), Binary: fixture(t, "okserver"),
		Logf: func(format string, args ...any) {
			if strings.HasPrefix(format, "service: started") {
				pid = args[1].(int)
			}
		}}, ProfileOptions{Seconds: 1, Out: out})
	t.Logf("error: %v", err)
	if err == nil || !strings.Contains(err.Error(), "GET /debug/pprof/profile answered 404: the server has no pprof endpoint") || !strings.Contains(err.Error(), `import _ "net/http/pprof"`) {
		t.Errorf("error = %v, want the 404 explained with how to add pprof", err)
	}
	if _, serr := os.Stat(out); serr == nil {
		t.Errorf("a profile file was written despite the error")
	}
	assertGone(t, pid)
}
