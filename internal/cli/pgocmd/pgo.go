// Package pgocmd is `gotune pgo` and its subcommands fetch, merge, inspect
// and apply (and --apply of run, ApplyWinner); collect and refresh are
// packages of their own under it.
package pgocmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd/collect"
	"github.com/gotune/gotune/internal/cli/pgocmd/refresh"
)

// NewCmdPGO returns `gotune pgo` and its subcommands.
func NewCmdPGO(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "pgo",
		Short: "Collect, fetch, merge, inspect and apply profiles for profile-guided optimization",
		Long: `The pgo commands take a CPU profile from your benchmarks or a live service,
merge and trim it into one profile the compiler can use, check it, and commit
it as default.pgo, which 'go build' uses by default (-pgo=auto):

  gotune pgo collect ./...                      # benchmarks → raw profiles (work dir)
  gotune pgo fetch http://127.0.0.1:6060        # or: a live service → a raw profile
  gotune pgo merge -o merged.pprof RAW...       # CPU only, equal weights, trimmed, validated
  gotune pgo inspect merged.pprof               # hot functions; staleness against the source
  gotune pgo apply merged.pprof                 # default.pgo + profiles/ with provenance

Then 'gotune run --pgo off,auto' measures what the profile gives, and proves
the compiler used it. 'gotune pgo refresh --collect' does it all for a
profile already committed: a new profile, measured against the committed one,
applied only when it helps.`,
	}
	c.AddCommand(collect.NewCmdPGOCollect(f, nil), NewCmdPGOFetch(f, nil), NewCmdPGOMerge(f, nil), NewCmdPGOInspect(f, nil), NewCmdPGOApply(f, nil), refresh.NewCmdPGORefresh(f, nil))
	return c
}

// trimName drops a leading "name: " from a message about name.
func trimName(msg, name string) string {
	return strings.TrimPrefix(msg, name+": ")
}

// change formats the relative change from a to b: "-58%".
func change(a, b int64) string {
	if a == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f%%", 100*(float64(b)/float64(a)-1))
}

func pct(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

func share(x, all time.Duration) string {
	if all == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(x)/float64(all))
}
