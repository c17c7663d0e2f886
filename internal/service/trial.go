package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// TrialOptions configure one trial of one server binary.
type TrialOptions struct {
	// Config is the service configuration, resolved (Config.Resolve).
	Config Config
	// Binary is the server binary, built elsewhere.
	Binary string
	// Dir is the server's working directory; "" = the binary's directory.
	Dir string
	// Env is the environment the server starts from, before Config.Env;
	// nil = gotune's own.
	Env []string
	// Output gets a copy of the server's stdout and stderr; nil = none.
	// The last lines are kept either way for errors.
	Output io.Writer
	// Starter starts the server; nil = Exec.
	Starter Starter
	// Logf, if set, receives a line per step, for progress on stderr.
	Logf func(format string, args ...any)
}

// maxOutputTail is how much of the server's output a trial keeps for its
// errors.
const maxOutputTail = 64 << 10

// RunTrial runs one trial: it starts the server binary with {addr} (and
// {pprof}) on free loopback ports, in its own process group; waits until
// it is ready; sends the load for the warm-up, then for the measured
// duration; reads the server's CPU time around the measured window and its
// peak RSS at the end; and stops it, SIGTERM then SIGKILL to the whole
// group after Config.StopTimeout. It returns the measured window's metrics,
// or a one-line error when the server does not start, is not ready in
// time, or exits before the trial is over; the server's process group is
// killed whatever happens.
func RunTrial(ctx context.Context, opts TrialOptions) (Metrics, error) {
	m, _, err := runTrial(ctx, opts, nil)
	return m, err
}

// runTrial is RunTrial, fetching a CPU profile during the measured window
// when prof is set.
func runTrial(ctx context.Context, opts TrialOptions, prof *ProfileOptions) (m Metrics, profile []byte, err error) {
	cfg := opts.Config
	if err := cfg.Validate(); err != nil {
		return Metrics{}, nil, err
	}
	if len(cfg.Load.Requests) == 0 {
		return Metrics{}, nil, errors.New("service.load.requests: none: resolve the configuration (Config.Resolve) before a trial")
	}
	cfg = cfg.WithDefaults()
	if opts.Binary == "" {
		return Metrics{}, nil, errors.New("service trial: no server binary given")
	}
	starter := opts.Starter
	if starter == nil {
		starter = Exec{}
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	measure := cfg.Duration
	if prof != nil {
		// The measured load starts with the profile and outlasts it by a second.
		measure = max(measure, time.Duration(prof.Seconds)*time.Second+time.Second)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Ready.Timeout+cfg.Warmup+measure+2*cfg.Load.Timeout+cfg.StopTimeout+15*time.Second)
	defer cancel()

	addrs, err := freeAddrs(2)
	if err != nil {
		return Metrics{}, nil, err
	}
	addr, pprofAddr := addrs[0], addrs[1]
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	dir := opts.Dir
	if dir == "" {
		dir = filepath.Dir(opts.Binary)
	}
	out := newTail(maxOutputTail, opts.Output)
	spec := ProcessSpec{
		Path:   opts.Binary,
		Args:   Expand(cfg.Args, addr, pprofAddr),
		Env:    append(append([]string(nil), env...), Expand(cfg.Env, addr, pprofAddr)...),
		Dir:    dir,
		Output: out,
	}
	proc, err := starter.Start(spec)
	if err != nil {
		return Metrics{}, nil, err
	}
	logf("service: started %s (pid %d) on %s", filepath.Base(opts.Binary), proc.PID(), addr)
	started := time.Now()
	defer func() {
		warns, serr := stop(proc, cfg.StopTimeout, out)
		m.Warnings = append(m.Warnings, warns...)
		if err == nil {
			err = serr
		}
	}()
	exitErr := func(when string) error {
		msg := fmt.Sprintf("server exited %s (%s after start): %s", when, time.Since(started).Round(time.Millisecond), exitText(proc.ExitErr()))
		if t := out.Lines(3); t != "" {
			msg += "; its last output: " + t
		}
		return errors.New(msg)
	}

	base := "http://" + addr
	if err := waitReady(ctx, proc, base, cfg.Ready, out); err != nil {
		if isDone(proc) {
			return Metrics{}, nil, exitErr("before it was ready")
		}
		return Metrics{}, nil, err
	}
	logf("service: ready after %s", time.Since(started).Round(time.Millisecond))

	gen, err := newGenerator(base, cfg.Load)
	if err != nil {
		return Metrics{}, nil, err
	}
	defer gen.close()

	if cfg.Warmup > 0 {
		ph := gen.run(ctx, cfg.Warmup, proc.Done(), MaxRequests)
		if err := phaseErr(ctx, proc, ph, "during the warm-up", exitErr, false); err != nil {
			return Metrics{}, nil, err
		}
		logf("service: warm-up sent %d requests", len(ph.latencies))
	}

	before, err := proc.Usage()
	if err != nil {
		if isDone(proc) {
			return Metrics{}, nil, exitErr("after the warm-up")
		}
		return Metrics{}, nil, err
	}
	var profc chan profileResult
	if prof != nil {
		profc = make(chan profileResult, 1)
		target := addr
		if cfg.UsesPprofListener() {
			target = pprofAddr
		}
		go func() {
			data, err := FetchProfile(ctx, target, cfg.PprofPath, prof.Seconds)
			profc <- profileResult{data, err}
		}()
	}
	ph := gen.run(ctx, measure, proc.Done(), MaxRequests)
	if err := phaseErr(ctx, proc, ph, "during the measured load", exitErr, true); err != nil {
		return Metrics{}, nil, err
	}
	after, err := proc.Usage()
	if err != nil {
		if isDone(proc) {
			return Metrics{}, nil, exitErr("at the end of the measured load")
		}
		return Metrics{}, nil, err
	}
	m = metricsOf(ph, cfg.Load.Rate, before, after)
	if ph.stopped != "" {
		m.Warnings = append(m.Warnings, "measured load ended early: "+ph.stopped)
	}
	logf("service: measured %d requests in %s", m.Requests, m.Window.Round(time.Millisecond))
	if profc != nil {
		r := <-profc
		if r.err != nil {
			return m, nil, r.err
		}
		profile = r.data
	}
	return m, profile, nil
}

type profileResult struct {
	data []byte
	err  error
}

// phaseErr returns the error that ended a phase: the server's exit or the
// context's end, or, when the phase must have requests, their absence.
func phaseErr(ctx context.Context, proc Process, ph phase, when string, exitErr func(string) error, needRequests bool) error {
	if isDone(proc) {
		return exitErr(when)
	}
	if err := ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("service trial: over its time bound %s: %v", when, err)
		}
		return fmt.Errorf("service trial interrupted %s: %w", when, err)
	}
	if needRequests && len(ph.latencies) == 0 {
		return fmt.Errorf("service trial: no request was sent %s", when)
	}
	return nil
}

func isDone(p Process) bool {
	select {
	case <-p.Done():
		return true
	default:
		return false
	}
}

// readyPoll is how often readiness is asked.
const readyPoll = 25 * time.Millisecond

// waitReady asks GET ready.Path until an answer below 500 comes, the
// process exits, or ready.Timeout passes.
func waitReady(ctx context.Context, proc Process, base string, ready Ready, out *tail) error {
	client := loopbackClient(time.Second, 1)
	defer client.CloseIdleConnections()
	deadline := time.NewTimer(ready.Timeout)
	defer deadline.Stop()
	last := "nothing listening on " + base[len("http://"):] + " (does the server listen on {addr}?)"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+ready.Path, nil)
		if err != nil {
			return fmt.Errorf("service.ready.path %q: %v", ready.Path, err)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
			last = "it last answered " + resp.Status
		} else if !errors.Is(err, syscall.ECONNREFUSED) {
			last = "last try: " + oneLine(err.Error())
		}
		select {
		case <-proc.Done():
			return errors.New("server exited before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("service trial interrupted while waiting for the server: %w", ctx.Err())
		case <-deadline.C:
			msg := fmt.Sprintf("server not ready after %s: GET %s: %s; fix the server or raise service.ready.timeout (ready means an answer below 500 at service.ready.path)", ready.Timeout, ready.Path, last)
			if t := out.Lines(2); t != "" {
				msg += "; its last output: " + t
			}
			return errors.New(msg)
		case <-time.After(readyPoll):
		}
	}
}

// killWait bounds the wait for a killed process group to disappear.
const killWait = 5 * time.Second

// stop ends the server: SIGTERM to its process group, SIGKILL to the group
// after grace if the server is still there, SIGKILL again to whatever is
// left of the group after the server exited. It returns warnings (SIGTERM
// ignored, a failing exit after SIGTERM) and an error if processes of the
// group survive.
func stop(proc Process, grace time.Duration, out *tail) (warns []string, err error) {
	if !isDone(proc) {
		_ = proc.Signal(syscall.SIGTERM)
		select {
		case <-proc.Done():
			if e := proc.ExitErr(); e != nil && !killedBy(e, syscall.SIGTERM) {
				w := "server exited with " + exitText(e) + " after SIGTERM"
				if t := out.Lines(2); t != "" {
					w += "; its last output: " + t
				}
				warns = append(warns, w)
			}
		case <-time.After(grace):
			_ = proc.Signal(syscall.SIGKILL)
			warns = append(warns, fmt.Sprintf("server ignored SIGTERM for %s (service.stop_timeout); its process group was killed", grace))
			select {
			case <-proc.Done():
			case <-time.After(killWait):
				return warns, fmt.Errorf("server (pid %d) still running %s after SIGKILL", proc.PID(), killWait)
			}
		}
	}
	// Children that outlived the server (or that it left behind) go too.
	_ = proc.Signal(syscall.SIGKILL)
	deadline := time.Now().Add(killWait)
	for {
		alive := proc.Alive()
		if len(alive) == 0 {
			return warns, nil
		}
		if time.Now().After(deadline) {
			return warns, fmt.Errorf("processes %v of the server's group still run %s after SIGKILL", alive, killWait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exitText describes an exit error: "exit status 3", "killed by signal
// killed".
func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by signal " + ws.Signal().String()
		}
		return fmt.Sprintf("exit status %d", ee.ExitCode())
	}
	return err.Error()
}

func killedBy(err error, sig syscall.Signal) bool {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok {
			return ws.Signaled() && ws.Signal() == sig
		}
	}
	return false
}
