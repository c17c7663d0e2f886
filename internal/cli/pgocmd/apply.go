package pgocmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd/shared"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/result"
)

// PGOApplyOptions are the inputs of `gotune pgo apply`.
type PGOApplyOptions struct {
	Dir         string // -C
	File        string
	Mains       []string // main package directories, relative to Dir; nil = every main package
	Force       bool
	ProfilesDir string // "" = profiles/ at the repository root
	Name        string // "" = the module path's last element
}

// NewCmdPGOApply returns `gotune pgo apply`.
func NewCmdPGOApply(f *cmdutil.Factory, runF func(context.Context, *PGOApplyOptions) error) *cobra.Command {
	opts := &PGOApplyOptions{}
	c := &cobra.Command{
		Use:   "apply FILE",
		Short: "Write a profile as default.pgo into main packages, and keep it with its provenance in profiles/",
		Long: `Apply validates the profile and writes it as default.pgo into each main
package directory (every main package of the module, or those given with
--main), atomically: 'go build' uses it from then on (-pgo=auto is the
default). It refuses to replace a default.pgo that differs unless --force is
given. It also keeps the profile and its provenance (inputs, commit, Go
version, date, how it was collected) under profiles/ at the repository root,
as NAME.pprof and NAME.provenance.json. This is the one gotune command that
writes into your repository: commit what it wrote.`,
		Example: `  gotune pgo apply merged.pprof -C examples/quotes
  gotune pgo apply merged.pprof --main ./cmd/api --main ./cmd/worker --force`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = cmdutil.ChdirFlag(c)
			opts.File = args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pgoApplyRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&opts.Mains, "main", nil, "main package `dir` to apply it to, e.g. ./cmd/api; repeat for more (default: every main package)")
	fl.BoolVar(&opts.Force, "force", false, "replace a default.pgo that holds a different profile")
	fl.StringVar(&opts.ProfilesDir, "profiles", "", "the `dir` to keep the profile and its provenance in (default: profiles/ at the repository root)")
	fl.StringVar(&opts.Name, "name", "", "file `name` of the kept profile, without extension (default: the module path's last element)")
	return c
}

func pgoApplyRun(ctx context.Context, f *cmdutil.Factory, opts *PGOApplyOptions) error {
	ap, err := pgo.ApplyModule(ctx, pgo.ApplyModuleOptions{
		Runner: f.Runner, Dir: opts.Dir, File: opts.File, Mains: opts.Mains, Force: opts.Force,
		ProfilesDir: opts.ProfilesDir, Name: opts.Name,
	})
	w := f.Stdout
	for _, c := range ap.Changes {
		fmt.Fprintf(w, "%-9s %s\n", c.Action, shared.RelTo(ap.Repo, c.Path))
	}
	if err != nil {
		return shared.Classify(err)
	}
	fmt.Fprintf(w, "\ngo build now uses the profile (-pgo=auto is the default); check a binary with: go version -m BINARY | grep -- -pgo=\n")
	fmt.Fprintf(w, "measure what it gives with: gotune run --pgo off,auto\n")
	return nil
}

// ApplyWinner is `gotune run --apply`: when the run recommends a build
// that needs a profile the target does not commit yet (pgo=collect or a
// file: Recommendation.Profile), it writes that profile as default.pgo
// into the main packages the build line covers, with its provenance in
// profiles/, as `gotune pgo apply --force` does: the measured winner
// replaces the committed profile it beat. It does so only when the
// recommendation is to use the winner (significantly faster), never on
// "could not tell", and not after an interrupt (runErr). It says on
// stderr what it wrote, or why it wrote nothing. Every file is written or
// none is: a target that cannot be written is an input error.
func ApplyWinner(ctx context.Context, f *cmdutil.Factory, run *result.Run, runErr error) error {
	say := func(format string, args ...any) {
		fmt.Fprintf(f.Stderr, "gotune: --apply: "+format+"\n", args...)
	}
	if runErr != nil || ctx.Err() != nil {
		say("nothing written: the run was interrupted")
		return nil
	}
	if run.Analysis == nil {
		say("nothing written: the run has no analysis")
		return nil
	}
	rec := &run.Analysis.Recommendation
	switch rec.Action {
	case result.ActionUse:
	case result.ActionLonger:
		say("nothing written: no build was shown faster than the baseline, and some could not be told apart from it (could not tell): measure longer with --budget")
		return nil
	case result.ActionKeep:
		say("nothing written: no build is faster than the current one: keep it")
		return nil
	default:
		say("nothing written: the baseline could not be measured")
		return nil
	}
	if rec.Profile == nil {
		say("nothing written: the winner, %s, needs no profile that the target does not commit already", rec.Variant)
		return nil
	}
	// An interrupt from here on must not leave half the files written:
	// the writes are quick, and all or none.
	ap, err := pgo.ApplyModule(context.WithoutCancel(ctx), pgo.ApplyModuleOptions{
		Runner: f.Runner, Dir: run.Dir, File: rec.Profile.Path, Mains: rec.Profile.Mains, Force: true,
	})
	if err != nil {
		return shared.Classify(err)
	}
	rec.Profile.Applied = true
	for _, c := range ap.Changes {
		say("%-9s %s", c.Action, shared.RelTo(ap.Repo, c.Path))
	}
	say("the winner, %s, builds with this profile: commit what was written; go build uses it from now on (-pgo=auto is the default)", rec.Variant)
	return nil
}
