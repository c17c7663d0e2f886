package cli

import (
	"fmt"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/spf13/cobra"
)

// NewCmdVersion returns `gotune version`.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print gotune's version and the Go toolchain it was built with",
		Args:  cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(f.Stdout, versionText())
			return err
		},
	}
}
