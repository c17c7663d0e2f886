package gotool

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"plain", "plain"},
		{"-ldflags=-s -w", "'-ldflags=-s -w'"},
		{"it's", `'it'\''s'`},
		{"./...", "./..."},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExecKeepsStderrAndExitCode(t *testing.T) {
	_, err := Exec{}.Run(context.Background(), Cmd{Args: []string{"sh", "-c", "echo boom >&2; exit 3"}, Dir: t.TempDir()})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if e.ExitCode != 3 || !strings.Contains(e.Error(), "boom") {
		t.Errorf("got exit %d, message %q", e.ExitCode, e.Error())
	}
}

func TestExecEnvAndDir(t *testing.T) {
	dir := t.TempDir()
	res, err := Exec{}.Run(context.Background(), Cmd{Args: []string{"sh", "-c", "echo $GOTUNE_X; echo $GIT_OPTIONAL_LOCKS; pwd"}, Dir: dir, Env: []string{"GOTUNE_X=42"}})
	if err != nil {
		t.Fatal(err)
	}
	// git, run by the go command to stamp builds, takes no optional lock.
	if got := string(res.Stdout); !strings.HasPrefix(got, "42\n0\n") || !strings.Contains(got, dir) {
		t.Errorf("stdout = %q", got)
	}
}

func TestExecTimeout(t *testing.T) {
	_, err := Exec{}.Run(context.Background(), Cmd{Args: []string{"sleep", "10"}, Timeout: 50 * time.Millisecond})
	var e *Error
	if !errors.As(err, &e) || !e.TimedOut {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestExecTimeoutAsksGoProgramsForStacks(t *testing.T) {
	// sh traps SIGQUIT here to show that the signal arrives before the kill.
	res, err := Exec{}.Run(context.Background(), Cmd{Args: []string{"sh", "-c", "trap 'echo got SIGQUIT >&2; exit 2' QUIT; sleep 10 >/dev/null 2>&1 & wait"}, Timeout: 200 * time.Millisecond})
	var e *Error
	if !errors.As(err, &e) || !e.TimedOut {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if !strings.Contains(string(res.Stderr), "got SIGQUIT") {
		t.Errorf("stderr = %q, want the SIGQUIT trap's line", res.Stderr)
	}
}
