// Package cli is gotune's command line: Main, the root command and its
// wiring. Each command lives in a package of its own under internal/cli
// (runcmd, matrixcmd, checkcmd, reportcmd, pgocmd, completion), turning
// flags into options and handing them to the pipeline; what they share
// (the Factory, usage errors, output flags) is in cmdutil.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/checkcmd"
	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/completion"
	"github.com/gotune/gotune/internal/cli/matrixcmd"
	"github.com/gotune/gotune/internal/cli/pgocmd"
	"github.com/gotune/gotune/internal/cli/reportcmd"
	"github.com/gotune/gotune/internal/cli/runcmd"
)

// Exit statuses.
const (
	ExitOK          = cmdutil.ExitOK
	ExitFailure     = cmdutil.ExitFailure
	ExitUsage       = cmdutil.ExitUsage
	ExitInterrupted = cmdutil.ExitInterrupted
)

// Factory holds what every command needs from the outside world.
type Factory = cmdutil.Factory

// Version is gotune's version, set at build time with
// -ldflags=-X github.com/gotune/gotune/internal/cli.Version=v1.2.3.
var Version = "devel"

// Main runs gotune with args and returns the exit status.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return mainWith(ctx, cmdutil.New(stdout, stderr), args)
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
	var ee cmdutil.ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	msg := strings.TrimSpace(err.Error())
	fmt.Fprintf(stderr, "gotune: %s\n", msg)
	switch {
	case errors.Is(err, cmdutil.ErrInterrupted):
		return ExitInterrupted
	case errors.As(err, new(cmdutil.UsageError)):
		return ExitUsage
	}
	return ExitFailure
}

// NewRootCmd returns the gotune command with every subcommand.
// It fills in what f leaves unset: gotune's Version, and runcmd's Tune,
// which measures for run, check and pgo refresh.
func NewRootCmd(f *Factory) *cobra.Command {
	if f.Version == "" {
		f.Version = Version
	}
	if f.Tune == nil {
		f.Tune = runcmd.TuneFunc(f)
	}
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
		if hint := completion.LongFlagHint(c, err); hint != "" {
			return cmdutil.UsageError{Err: fmt.Errorf("%v: %s", err, hint)}
		}
		return cmdutil.UsageError{Err: fmt.Errorf("%v (see '%s --help')", err, c.CommandPath())}
	})
	root.Version = versionText()
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(runcmd.NewCmdRun(f, nil), matrixcmd.NewCmdMatrix(f, nil), NewCmdVersion(f), reportcmd.NewCmdReport(f, nil), checkcmd.NewCmdCheck(f, nil), reportcmd.NewCmdMerge(f, nil), pgocmd.NewCmdPGO(f))
	completion.RegisterCompletions(root)
	return root
}
