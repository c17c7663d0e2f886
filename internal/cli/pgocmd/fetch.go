package pgocmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd/shared"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/report"
)

// PGOFetchOptions are the inputs of `gotune pgo fetch`.
type PGOFetchOptions struct {
	Dir     string // -C, for the default work dir
	URL     string
	Seconds int // 0 = the URL's or pgo.DefaultSeconds
	Timeout time.Duration
	Output  string // -o; "" = the work dir
	WorkDir string
}

// NewCmdPGOFetch returns `gotune pgo fetch`.
func NewCmdPGOFetch(f *cmdutil.Factory, runF func(context.Context, *PGOFetchOptions) error) *cobra.Command {
	opts := &PGOFetchOptions{}
	c := &cobra.Command{
		Use:   "fetch URL",
		Short: "Take a CPU profile from a live service's /debug/pprof/profile endpoint",
		Long: `Fetch asks a running service for a CPU profile through net/http/pprof
(GET URL/debug/pprof/profile?seconds=N), checks that PGO can use it, and
saves it with a provenance file: in the work dir unless -o says where.
URL may be the service's pprof address (127.0.0.1:6060), its
/debug/pprof/ index, or the full profile URL. Profile the service while it
serves representative traffic: an idle service gives an empty profile.`,
		Example: `  gotune pgo fetch 127.0.0.1:6060 --seconds 30
  gotune pgo fetch 'https://svc.internal/debug/pprof/profile?seconds=60' -o prod-1.pprof`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = cmdutil.ChdirFlag(c)
			opts.URL = args[0]
			if c.Flags().Changed("seconds") && opts.Seconds < 1 {
				return cmdutil.Usagef("--seconds %d: want at least 1", opts.Seconds)
			}
			if _, _, err := pgo.ProfileURL(opts.URL, opts.Seconds); err != nil {
				return cmdutil.UsageError{Err: err}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pgoFetchRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	fl.IntVar(&opts.Seconds, "seconds", 0, fmt.Sprintf("profile for `n` seconds (default: the URL's seconds=, else %d)", pgo.DefaultSeconds))
	fl.DurationVar(&opts.Timeout, "timeout", 0, "give up after `d` (default: the seconds plus 30s)")
	fl.StringVarP(&opts.Output, "output", "o", "", "write the profile to `file` (default: the work dir)")
	fl.StringVar(&opts.WorkDir, "workdir", "", "work `dir` (default: the user cache dir)")
	return c
}

func pgoFetchRun(ctx context.Context, f *cmdutil.Factory, opts *PGOFetchOptions) error {
	workDir := opts.WorkDir
	if opts.Output == "" && workDir == "" {
		var err error
		if m, merr := pgo.FindModule(shared.OrDotDir(opts.Dir)); merr == nil {
			workDir, err = plan.WorkDir("", m.Root, m.Path)
		} else {
			workDir, err = plan.WorkDir("", "fetch", "fetch")
		}
		if err != nil {
			return err
		}
	}
	got, err := pgo.FetchFile(ctx, pgo.FetchFileOptions{
		FetchOptions: pgo.FetchOptions{URL: opts.URL, Seconds: opts.Seconds, Timeout: opts.Timeout},
		Output:       opts.Output, WorkDir: workDir, Tool: "gotune " + f.Version, Log: f.Stderr,
	})
	if err != nil {
		return shared.Classify(err)
	}
	sm := got.Summary
	w, note := f.Stdout, ""
	if got.ProvenancePath == "" {
		// The profile went to a device, a pipe or /dev/stdout: the
		// summary must not mix with it.
		w, note = f.Stderr, " (no provenance file beside a device or a pipe)"
	}
	fmt.Fprintf(w, "fetched %s: %d samples, %s of CPU in %s, %s\nwrote %s%s\n",
		got.URL, sm.Samples, sm.CPU.Round(10*time.Millisecond), sm.Duration.Round(100*time.Millisecond), report.Bytes(int64(len(got.Data))), got.Path, note)
	return nil
}
