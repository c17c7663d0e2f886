package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/pgo"
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
func NewCmdPGOApply(f *Factory, runF func(context.Context, *PGOApplyOptions) error) *cobra.Command {
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
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = chdirFlag(c)
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

func pgoApplyRun(ctx context.Context, f *Factory, opts *PGOApplyOptions) error {
	ap, err := pgo.ApplyModule(ctx, pgo.ApplyModuleOptions{
		Runner: f.Runner, Dir: opts.Dir, File: opts.File, Mains: opts.Mains, Force: opts.Force,
		ProfilesDir: opts.ProfilesDir, Name: opts.Name,
	})
	w := f.Stdout
	for _, c := range ap.Changes {
		fmt.Fprintf(w, "%-9s %s\n", c.Action, relTo(ap.Repo, c.Path))
	}
	if err != nil {
		return pgoClassify(err)
	}
	fmt.Fprintf(w, "\ngo build now uses the profile (-pgo=auto is the default); check a binary with: go version -m BINARY | grep -- -pgo=\n")
	fmt.Fprintf(w, "measure what it gives with: gotune run --pgo off,auto\n")
	return nil
}
