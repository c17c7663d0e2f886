// Package gotool runs external commands — the go command and the test
// binaries it builds — for every other stage of gotune. It is the one place
// where processes start: stages receive a Runner, and tests give them a fake.
package gotool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Cmd is one command to run, described as data.
type Cmd struct {
	Args    []string      // argv; Args[0] is the program
	Dir     string        // working directory; never the process's own by accident
	Env     []string      // extra KEY=VALUE on top of the inherited environment
	Timeout time.Duration // 0 = none beyond the context
}

// String returns the command as a shell-like line, for logs and errors.
func (c Cmd) String() string {
	parts := make([]string, 0, len(c.Env)+len(c.Args))
	parts = append(parts, c.Env...)
	for _, a := range c.Args {
		parts = append(parts, Quote(a))
	}
	return strings.Join(parts, " ")
}

// Result is what a finished command left behind.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	Duration time.Duration
	// CPU is the user and system CPU time of the process; 0 when unknown.
	CPU time.Duration
}

// Runner runs commands. The real one is Exec; tests use Fake.
type Runner interface {
	Run(ctx context.Context, c Cmd) (Result, error)
}

// Error is returned when a command fails; it keeps stderr so that callers can
// show the compiler's own message.
type Error struct {
	Cmd      Cmd
	ExitCode int // -1 when the process did not exit normally
	Stderr   string
	TimedOut bool
	Err      error
}

func (e *Error) Error() string {
	var msg string
	switch {
	case e.TimedOut:
		msg = fmt.Sprintf("%s: timed out after %s", e.Cmd.Args[0], e.Cmd.Timeout)
	case e.ExitCode >= 0:
		msg = fmt.Sprintf("%s: exit status %d", e.Cmd.Args[0], e.ExitCode)
	default:
		msg = fmt.Sprintf("%s: %v", e.Cmd.Args[0], e.Err)
	}
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += ": " + s
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ReadOnlyGit is in the environment of every process Exec starts: git
// takes no optional lock. The go command stamps builds with version
// control information by running git status in the target's repository,
// which would otherwise refresh (rewrite) its index; gotune never writes
// into the target.
const ReadOnlyGit = "GIT_OPTIONAL_LOCKS=0"

// Exec is the Runner that starts real processes.
type Exec struct{}

// Run implements Runner with exec.CommandContext.
func (Exec) Run(ctx context.Context, c Cmd) (Result, error) {
	if len(c.Args) == 0 {
		return Result{}, errors.New("gotool: empty command")
	}
	parent := ctx
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Cancel = func() error {
		if parent.Err() == nil {
			// Our own timeout: SIGQUIT makes a Go program print every
			// goroutine's stack, which names the function that hung; it is
			// killed WaitDelay later if it does not exit.
			return cmd.Process.Signal(timeoutSignal)
		}
		return cmd.Process.Kill()
	}
	cmd.Dir = c.Dir
	cmd.Env = append(append(os.Environ(), ReadOnlyGit), c.Env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Duration: time.Since(start)}
	if ps := cmd.ProcessState; ps != nil {
		res.CPU = ps.UserTime() + ps.SystemTime()
	}
	if err != nil {
		e := &Error{Cmd: c, ExitCode: -1, Stderr: stderr.String(), Err: err}
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.Exited() {
			e.ExitCode = ee.ExitCode()
		}
		if c.Timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			e.TimedOut = true
		}
		return res, e
	}
	return res, nil
}

// Quote returns s quoted for a POSIX shell when it needs to be.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%^", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
