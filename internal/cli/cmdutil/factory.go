// Package cmdutil holds what every gotune command shares: the Factory of
// the outside world, the exit statuses and usage errors, the output flags,
// report files and the step summary, and the handling of interrupts. Each
// command lives in a package of its own (runcmd, checkcmd, …), in the
// style of the GitHub CLI's pkg/cmdutil and pkg/cmd/<name>.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/result"
)

// Exit statuses.
const (
	ExitOK          = 0
	ExitFailure     = 1 // the run failed, or (check) a regression was found
	ExitUsage       = 2 // bad input: flags, target, configuration
	ExitInterrupted = 130
)

// TuneFunc plans and runs, or continues the last interrupted run (resume),
// with progress on stderr unless quiet; adjust, when not nil, is applied
// to a new run's plan before it runs.
type TuneFunc func(ctx context.Context, o options.Options, resume, quiet bool, adjust func(*plan.Plan)) (*result.Run, error)

// Factory holds what every command needs from the outside world.
type Factory struct {
	Runner gotool.Runner
	Stdout io.Writer // the report, and nothing else
	Stderr io.Writer // progress and errors
	// Version is gotune's version, for provenance files and results.
	Version string
	// Tune measures (runcmd.Tune over the engine): commands that measure
	// call it without importing the engine.
	Tune TuneFunc
}

// New returns the Factory of the real world: the go command and git run
// as processes.
func New(stdout, stderr io.Writer) *Factory {
	return &Factory{Runner: gotool.Exec{}, Stdout: stdout, Stderr: stderr}
}

// UsageError marks an error caused by the user's input: exit status 2.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error { return UsageError{fmt.Errorf(format, args...)} }

// ErrInterrupted is returned when a signal stopped a command after it
// saved what it had.
var ErrInterrupted = errors.New("interrupted")

// ExitError ends a command with a status and no further message.
type ExitError struct{ Code int }

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// ChdirFlag returns the value of the root's -C flag.
func ChdirFlag(c *cobra.Command) string {
	d, _ := c.Flags().GetString("chdir")
	return d
}

// UsageArgs wraps cobra.NoArgs-style validators so that their errors are
// usage errors.
func UsageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := v(c, args); err != nil {
			return UsageError{fmt.Errorf("%v (see '%s --help')", err, c.CommandPath())}
		}
		return nil
	}
}

// FinishOptions turns the flags into options, as a usage error.
// TargetArgs applies what every command that reads a target shares: the
// -C directory, the package arguments and the flags' finish (a usage
// error when they conflict). It prints the flags' warnings to warn, unless
// warn is nil.
func TargetArgs(c *cobra.Command, warn io.Writer, flags *options.Flags, o *options.Options, args []string) error {
	o.Dir = ChdirFlag(c)
	if len(args) > 0 {
		o.Packages = args
	}
	if err := FinishOptions(flags); err != nil {
		return err
	}
	if warn != nil {
		for _, w := range flags.Warnings {
			fmt.Fprintf(warn, "gotune: warning: %s\n", w)
		}
	}
	return nil
}

func FinishOptions(flags *options.Flags) error {
	if err := flags.Finish(); err != nil {
		return UsageError{err}
	}
	return nil
}

// Classify maps pipeline errors to exit statuses.
func Classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: what was measured is saved in the run folder (see above)", ErrInterrupted)
	case errors.As(err, new(options.InputError)):
		return UsageError{err}
	}
	return err
}

// BaselineUnmeasured returns why the baseline of run was not measured,
// and false when it was.
func BaselineUnmeasured(run *result.Run) (string, bool) {
	b := run.Variant(run.Baseline)
	if b != nil && b.Status == result.StatusOK {
		return "", false
	}
	if b == nil {
		return "not built", true
	}
	return FirstLine(b.Reason), true
}

// FirstLine returns the first line of s, trimmed.
func FirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// CmpOr returns s, or def when s is "".
func CmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
