// Package cli is gotune's command line: one file per command, each turning
// flags into an options struct and handing it to the pipeline stages
// (target → matrix → builder → measure → stats → report). It holds no
// logic of its own beyond wiring and error reporting.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/gotool"
)

// Exit statuses.
const (
	ExitOK          = 0
	ExitFailure     = 1 // the run failed, or (check) a regression was found
	ExitUsage       = 2 // bad input: flags, target, configuration
	ExitInterrupted = 130
)

// Version is gotune's version, set at build time with
// -ldflags=-X github.com/gotune/gotune/internal/cli.Version=v1.2.3.
var Version = "devel"

// Factory holds what every command needs from the outside world.
type Factory struct {
	Runner gotool.Runner
	Stdout io.Writer // the report, and nothing else
	Stderr io.Writer // progress and errors
}

// usageError marks an error caused by the user's input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// interrupted is returned when a signal stopped a command after it saved
// what it had.
var errInterrupted = errors.New("interrupted")

// Main runs gotune with args and returns the exit status.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return mainWith(ctx, &Factory{Runner: gotool.Exec{}, Stdout: stdout, Stderr: stderr}, args)
}

// mainWith is Main with the outside world of f (tests give it a runner).
func mainWith(ctx context.Context, f *Factory, args []string) int {
	stdout, stderr := f.Stdout, f.Stderr
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	msg := strings.TrimSpace(err.Error())
	fmt.Fprintf(stderr, "gotune: %s\n", msg)
	switch {
	case errors.Is(err, errInterrupted):
		return ExitInterrupted
	case errors.As(err, new(usageError)):
		return ExitUsage
	}
	return ExitFailure
}

// exitError ends a command with a status and no further message.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// NewRootCmd returns the gotune command with every subcommand.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "gotune",
		Short: "Find the fastest way to build a Go program, and prove it",
		Long: `gotune builds a Go module under a matrix of build settings (GOAMD64 levels,
-ldflags, -gcflags, PGO profiles), runs its benchmarks in interleaved,
shuffled rounds, and reports with statistics which build is fastest, by how
much, and how sure the result is. It prints the exact go build line of the
winner, or tells you to keep your current build when nothing beats it.

Measure, don't guess.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringP("chdir", "C", "", "the target module's `dir` (default .); file flags such as --json, -o and --config stay relative to where you run gotune")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if hint := longFlagHint(c, err); hint != "" {
			return usageError{fmt.Errorf("%v: %s", err, hint)}
		}
		return usageError{fmt.Errorf("%v (see '%s --help')", err, c.CommandPath())}
	})
	root.Version = versionText()
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(NewCmdRun(f, nil), NewCmdMatrix(f, nil), NewCmdVersion(f), NewCmdReport(f, nil), NewCmdCheck(f, nil), NewCmdMerge(f, nil), NewCmdPGO(f))
	registerCompletions(root)
	return root
}

func chdirFlag(c *cobra.Command) string {
	d, _ := c.Flags().GetString("chdir")
	return d
}

// noArgsOrUsage wraps cobra.NoArgs-style validators so that their errors are
// usage errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := v(c, args); err != nil {
			return usageError{fmt.Errorf("%v (see '%s --help')", err, c.CommandPath())}
		}
		return nil
	}
}
