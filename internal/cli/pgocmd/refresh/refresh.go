// Package refresh is `gotune pgo refresh`: a new profile, measured
// against the committed default.pgo, applied only when it helps.
package refresh

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd/shared"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// PGORefreshOptions are the inputs of `gotune pgo refresh`.
type PGORefreshOptions struct {
	// Opts are the measuring options (--count, --budget, --bench, …);
	// the matrix is always pgo {auto, the candidate, off}.
	Opts  options.Options
	Out   cmdutil.OutputFlags
	Quiet bool

	// The new profile: from the benchmarks, from live services, from
	// files, or several of these merged.
	Collect          bool
	CollectRounds    int
	CollectBenchtime string
	URLs             []string
	Seconds          int
	Files            []string
	Keep             float64 // share of CPU kept by the merge
	Ignore           string  // drop samples matching it, as pgo merge --ignore

	// Where an applied candidate goes, as pgo apply.
	Mains       []string
	ProfilesDir string
	Name        string
}

// NewCmdPGORefresh returns `gotune pgo refresh`.
func NewCmdPGORefresh(f *cmdutil.Factory, runF func(context.Context, *PGORefreshOptions) error) *cobra.Command {
	opts := &PGORefreshOptions{}
	var flags *options.Flags
	c := &cobra.Command{
		Use:   "refresh [--collect] [--url URL] [PROFILE...]",
		Short: "Take a new profile, measure it against the committed default.pgo, and apply it only when it helps",
		Long: `Refresh takes a new profile — from the benchmarks (--collect, as 'pgo
collect'), from live services (--url, as 'pgo fetch'), from profile files,
or several merged — merges it as 'pgo merge' does (CPU only, equal weights,
trimmed, validated) into a candidate in the work dir, and measures three
builds in the same paired blocks, as 'gotune run --pgo auto,CANDIDATE,off'
would: the committed default.pgo (the baseline), the candidate, and no
profile. gotune.yaml's matrix is not used (its bench, benchtime, count and
packages are).

It writes the candidate as default.pgo, with its provenance (and the
measurement) in profiles/, as 'pgo apply --force' does, only when it is
significantly faster than the committed profile, or the same speed within
±--equivalence (2%) while covering more of the current source: its share
of the module's profiled CPU that runs through functions that no longer
exist or moved (the staleness of 'pgo inspect') is lower by at least one
percentage point. Otherwise it keeps the committed profile and says why.

A profile with none of its CPU in the module's code (a profile of another
program) is refused before anything is measured.

Exit status, as 'gotune check':
  0  applied, or kept for a stated reason (same speed and no fresher,
     could not tell, no effect on the compiled code)
  1  the candidate is worse: significantly slower, or it failed to build
  2  bad input: no profile given, an unusable or foreign profile, a flag
130  interrupted: nothing was written into the target

The report (the decision, the profiles, then the run's report) goes to
stdout in --format text or markdown (a pull-request body), progress to
stderr.`,
		Example: `  gotune pgo refresh -C examples/quotes --collect
  gotune pgo refresh --url https://svc.internal:6060 --seconds 60 --url https://svc-2.internal:6060
  gotune pgo refresh prod-1.pprof prod-2.pprof --budget 10m --format markdown -o refresh.md`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Opts.Dir = cmdutil.ChdirFlag(c)
			opts.Files = args
			if err := cmdutil.FinishOptions(flags); err != nil {
				return err
			}
			if err := opts.Out.Finish(); err != nil {
				return err
			}
			if opts.Out.Format != report.FormatText && opts.Out.Format != report.FormatMarkdown {
				return cmdutil.Usagef("--format %s: refresh writes text or markdown (the run's whole result goes to --json)", opts.Out.Format)
			}
			if !opts.Collect && len(opts.URLs) == 0 && len(opts.Files) == 0 {
				return cmdutil.Usagef("refresh needs a new profile: --collect (from the benchmarks), --url URL (a live service), or PROFILE files")
			}
			if opts.CollectRounds < 1 {
				return cmdutil.Usagef("--collect-rounds %d: want at least 1 round", opts.CollectRounds)
			}
			if err := shared.CheckBenchtime("--collect-benchtime", opts.CollectBenchtime); err != nil {
				return err
			}
			if c.Flags().Changed("seconds") && opts.Seconds < 1 {
				return cmdutil.Usagef("--seconds %d: want at least 1", opts.Seconds)
			}
			for _, u := range opts.URLs {
				if _, _, err := pgo.ProfileURL(u, opts.Seconds); err != nil {
					return cmdutil.UsageError{Err: err}
				}
			}
			if err := shared.CheckMergeFlags(opts.Keep, opts.Ignore); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return pgoRefreshRun(c.Context(), f, opts)
		},
	}
	fl := c.Flags()
	flags = options.Register(fl, &opts.Opts, options.Measure)
	opts.Out.Register(fl, "also write the run's whole result to `file`; - for stdout")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress on stderr")
	fl.BoolVar(&opts.Collect, "collect", false, "profile the benchmarks, built as today (your default.pgo), as 'gotune pgo collect'")
	fl.IntVar(&opts.CollectRounds, "collect-rounds", 2, "with --collect: `n` profiles per package")
	fl.StringVar(&opts.CollectBenchtime, "collect-benchtime", "1s", "with --collect: run each benchmark for `t` per round")
	fl.StringArrayVar(&opts.URLs, "url", nil, "take a profile from a live service's /debug/pprof/profile at `URL`, as 'gotune pgo fetch'; repeat for more")
	fl.IntVar(&opts.Seconds, "seconds", 0, fmt.Sprintf("with --url: profile for `n` seconds (default: the URL's seconds=, else %d)", pgo.DefaultSeconds))
	fl.Float64Var(&opts.Keep, "keep", pgo.DefaultKeep, "`share` of CPU the merge keeps: the coldest samples beyond it are dropped")
	fl.StringVar(&opts.Ignore, "ignore", "", "drop samples with a function matching `regexp` on the stack, e.g. benchmark setup code")
	fl.StringArrayVar(&opts.Mains, "main", nil, "main package `dir` to apply it to; repeat for more (default: every main package)")
	fl.StringVar(&opts.ProfilesDir, "profiles", "", "the `dir` to keep the applied profile and its provenance in (default: profiles/ at the repository root)")
	fl.StringVar(&opts.Name, "name", "", "file `name` of the kept profile, without extension (default: the module path's last element)")
	return c
}

// refreshWorse is the error of a refresh whose candidate is worse: exit
// status 1.
type refreshWorse struct{ reason string }

func (e refreshWorse) Error() string { return "refresh: kept the committed profile: " + e.reason }

// refreshProfile describes one side of a refresh for its report.
type refreshProfile struct {
	Path    string
	Summary pgo.Summary
	Bytes   int64
	Stale   *pgo.Staleness
	How     string
}

func pgoRefreshRun(ctx context.Context, f *cmdutil.Factory, opts *PGORefreshOptions) error {
	tg, err := target.Load(ctx, target.Options{Dir: opts.Opts.Dir, Runner: f.Runner})
	if err != nil {
		return shared.Classify(err)
	}
	if len(tg.Mains) == 0 {
		return cmdutil.Usagef("module %s has no main package: PGO applies to the main packages that go build links", tg.Module)
	}
	if !tg.SupportsPGO() {
		return cmdutil.Usagef("PGO needs Go %s or later; this toolchain is %s", target.MinPGOVersion, tg.GoVersion)
	}
	workDir, err := shared.WorkDir(opts.Opts.WorkDir, tg.ModuleRoot, tg.Module)
	if err != nil {
		return shared.Classify(err)
	}
	folder := filepath.Join(workDir, "pgo", "refresh-"+time.Now().UTC().Format("20060102-150405"))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return cmdutil.Usagef("work dir %s: %v: pass a writable --workdir", workDir, err)
	}
	fmt.Fprintf(f.Stderr, "gotune: pgo refresh: the candidate and its inputs go to %s\n", folder)

	// 1. The new profile's inputs.
	inputs, err := refreshInputs(ctx, f, opts, tg, folder)
	if err != nil {
		return shared.Classify(err)
	}
	// 2. Merged into the candidate.
	mo := pgo.MergeFilesOptions{MergeOptions: pgo.MergeOptions{Keep: opts.Keep}, Files: inputs, Output: filepath.Join(folder, "candidate.pprof"), Tool: "gotune " + f.Version}
	if opts.Ignore != "" {
		mo.Ignore = regexp.MustCompile(opts.Ignore)
	}
	merged, err := pgo.MergeFiles(mo)
	if err != nil {
		return shared.Classify(err)
	}
	candData, err := os.ReadFile(merged.Output)
	if err != nil {
		return err
	}
	cand := refreshProfile{Path: merged.Output, Summary: pgo.Summarize(merged.Profile, 3), Bytes: int64(len(candData)), How: merged.Provenance.How}

	// 3. Both against the current source.
	src, err := pgo.ModuleSource(ctx, f.Runner, tg.ModuleRoot, tg.Module)
	if err != nil {
		return shared.Classify(err)
	}
	st := pgo.Stale(merged.Profile, src, 3)
	cand.Stale = &st
	committed := tg.DefaultPGO()
	if st.ModuleCPU == 0 {
		hot, kept := "", ""
		if len(cand.Summary.Top) > 0 {
			hot = fmt.Sprintf(" (its hottest function is %s)", cand.Summary.Top[0].Name)
		}
		if committed != "" {
			kept = "kept the committed profile, "
		}
		return cmdutil.Usagef("the new profile has none of its CPU in %s's code%s: it is a profile of another program; %snothing written", tg.Module, hot, kept)
	}
	var com *refreshProfile
	if committed != "" {
		com, err = committedProfile(committed, src)
		if err != nil {
			return shared.Classify(err)
		}
		if old, _ := os.ReadFile(committed); bytes.Equal(old, candData) {
			d := pgo.RefreshDecision{Outcome: pgo.RefreshKeep, Reason: "the candidate is the committed profile, byte for byte"}
			return refreshReport(f, opts, tg, nil, com, &cand, d, nil)
		}
	}

	// 4. Measured: the committed profile (the baseline), the candidate
	// and no profile, in the same paired blocks.
	o, err := opts.Opts.ForPGORefresh(tg.Dir, folder, merged.Output, committed != "")
	if err != nil {
		return cmdutil.Classify(err)
	}
	run, err := f.Tune(ctx, o, false, opts.Quiet, nil)
	if run == nil {
		return cmdutil.Classify(err)
	}
	if err != nil {
		if werr := opts.Out.WriteJSON(f, run); werr != nil {
			fmt.Fprintf(f.Stderr, "gotune: %v\n", werr)
		}
		if errors.Is(err, context.Canceled) {
			refreshInterrupted(f, tg, merged.Output)
		}
		return cmdutil.Classify(err)
	}
	if reason, bad := cmdutil.BaselineUnmeasured(run); bad {
		return fmt.Errorf("the build with the committed profile could not be measured (%s), so nothing was compared", reason)
	}
	facts := pgo.RefreshFacts{Run: run, Committed: committed != "", CandidateStale: st.Stale()}
	if com != nil && com.Stale != nil {
		facts.CommittedStale = com.Stale.Stale()
	}
	for _, v := range run.Variants {
		switch p := v.Settings.PGO(); {
		case p.File():
			facts.Candidate = v.Name
		case p.Off() && committed != "":
			facts.Off = v.Name
		}
	}
	d := pgo.DecideRefresh(facts)

	// 5. Applied only when it helps; all or nothing, and not after an
	// interrupt.
	var ap *pgo.Applied
	if d.Outcome == pgo.RefreshApply {
		if ctx.Err() != nil {
			refreshInterrupted(f, tg, merged.Output)
			return cmdutil.Classify(ctx.Err())
		}
		if committed != "" {
			old, _ := os.ReadFile(committed)
			d.Replaced = sha256Hex(old)
		}
		pv := merged.Provenance
		pv.Refresh = &d
		if err := pgo.WriteProvenance(merged.Output, candData, pv); err != nil {
			return err
		}
		a, err := pgo.ApplyModule(context.WithoutCancel(ctx), pgo.ApplyModuleOptions{
			Runner: f.Runner, Dir: tg.Dir, File: merged.Output, Mains: opts.Mains, Force: true,
			ProfilesDir: opts.ProfilesDir, Name: opts.Name,
		})
		if err != nil {
			return shared.Classify(err)
		}
		ap = &a
	}
	if err := opts.Out.WriteJSON(f, run); err != nil {
		return err
	}
	return refreshReport(f, opts, tg, run, com, &cand, d, ap)
}

// refreshInterrupted says that an interrupted refresh wrote nothing, and
// how to measure its candidate again.
func refreshInterrupted(f *cmdutil.Factory, tg *target.Target, candidate string) {
	fmt.Fprintf(f.Stderr, "gotune: pgo refresh: interrupted: nothing written into %s; measure the candidate again with: gotune pgo refresh -C %s %s\n",
		tg.Dir, gotool.Quote(tg.Dir), gotool.Quote(candidate))
}

// refreshInputs collects, fetches or takes the profiles the candidate is
// merged from.
func refreshInputs(ctx context.Context, f *cmdutil.Factory, opts *PGORefreshOptions, tg *target.Target, folder string) ([]string, error) {
	var inputs []string
	if opts.Collect {
		bench := opts.Opts.Bench
		if bench == "" {
			bench = "."
		}
		raws, _, err := shared.Collect(ctx, f, tg, shared.CollectOptions{
			Bench: bench, Benchtime: opts.CollectBenchtime, Count: opts.CollectRounds,
			OutDir: filepath.Join(folder, "collect"),
		})
		if err != nil {
			return nil, err
		}
		for _, r := range raws {
			inputs = append(inputs, r.Path)
		}
	}
	for i, u := range opts.URLs {
		got, err := pgo.FetchFile(ctx, pgo.FetchFileOptions{
			FetchOptions: pgo.FetchOptions{URL: u, Seconds: opts.Seconds},
			Output:       filepath.Join(folder, fmt.Sprintf("fetch-%d.pprof", i+1)), Tool: "gotune " + f.Version, Log: f.Stderr,
		})
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, got.Path)
	}
	return append(inputs, opts.Files...), nil
}

// committedProfile reads the committed default.pgo and measures its
// staleness.
func committedProfile(path string, src *pgo.Source) (*refreshProfile, error) {
	p, size, err := pgo.Read(path)
	if err != nil {
		return nil, err
	}
	rp := &refreshProfile{Path: path, Bytes: size}
	if err := pgo.CheckCPU(path, p); err != nil {
		// Not a CPU profile: the candidate can only do better. Say so.
		rp.How = "not a CPU profile"
		return rp, nil
	}
	rp.Summary = pgo.Summarize(p, 3)
	st := pgo.Stale(p, src, 3)
	rp.Stale = &st
	data, _ := os.ReadFile(path)
	if pv := pgo.ReadProvenance(path, data); pv.Source != "file" {
		rp.How = pv.How
	}
	return rp, nil
}

// refreshReport writes the refresh's report (the decision, the two
// profiles, what was written, then the run's report) and returns the
// error of its exit status.
func refreshReport(f *cmdutil.Factory, opts *PGORefreshOptions, tg *target.Target, run *result.Run, com, cand *refreshProfile, d pgo.RefreshDecision, ap *pgo.Applied) error {
	md := opts.Out.Format == report.FormatMarkdown
	render := func(w io.Writer) error {
		writeRefreshSummary(w, md, tg, com, cand, d, ap)
		if run == nil {
			return nil
		}
		fmt.Fprintln(w)
		return report.Render(w, opts.Out.Format, run, report.Options{Verbose: opts.Out.Verbose})
	}
	if err := opts.Out.Write(f, render, func(w io.Writer) error {
		writeRefreshSummary(w, true, tg, com, cand, d, ap)
		if run == nil {
			return nil
		}
		fmt.Fprintln(w)
		return report.Markdown(w, run, report.Options{})
	}); err != nil {
		return err
	}
	switch d.Outcome {
	case pgo.RefreshWorse:
		return refreshWorse{d.Reason}
	case pgo.RefreshApply:
		fmt.Fprintf(f.Stderr, "gotune: pgo refresh: applied: %s\n", d.Reason)
	default:
		fmt.Fprintf(f.Stderr, "gotune: pgo refresh: kept the committed profile: %s\n", d.Reason)
	}
	return nil
}

// writeRefreshSummary writes the head of a refresh's report, in text or
// Markdown.
func writeRefreshSummary(w io.Writer, md bool, tg *target.Target, com, cand *refreshProfile, d pgo.RefreshDecision, ap *pgo.Applied) {
	outcome := map[string]string{pgo.RefreshApply: "applied the candidate", pgo.RefreshKeep: "kept the committed profile", pgo.RefreshWorse: "kept the committed profile: the candidate is worse"}[d.Outcome]
	describe := func(p *refreshProfile) string {
		if p == nil {
			return "none (go build uses no profile)"
		}
		s := fmt.Sprintf("%s: %d samples, %s of CPU, %s", shared.RelTo(tg.Dir, p.Path), p.Summary.Samples, p.Summary.CPU.Round(10*time.Millisecond), report.Bytes(p.Bytes))
		if p.Stale != nil {
			s += fmt.Sprintf("; %.1f%% stale (missing %.1f%%, moved %.1f%% of its CPU)", 100*p.Stale.Stale(), 100*p.Stale.Missing, 100*p.Stale.Moved)
		}
		if p.How != "" {
			s += "; " + p.How
		}
		return s
	}
	lines := [][2]string{
		{"committed", describe(com)},
		{"candidate", describe(cand)},
	}
	if d.Change != nil || d.Verdict != "" {
		lines = append(lines, [2]string{"candidate vs committed", fmt.Sprintf("%s (%s, %d cycles)", pgo.FormatRatio(d.Change), d.Verdict, d.Cycles)})
	}
	if d.Off != nil {
		lines = append(lines, [2]string{"-pgo=off vs committed", pgo.FormatRatio(d.Off)})
	}
	if ap != nil {
		var ws []string
		for _, c := range ap.Changes {
			ws = append(ws, c.Action+" "+shared.RelTo(ap.Repo, c.Path))
		}
		lines = append(lines, [2]string{"written", strings.Join(ws, ", ")})
	}
	if md {
		fmt.Fprintf(w, "## gotune pgo refresh: %s\n\n**Decision: %s.** %s.\n\n", tg.Module, outcome, upperFirst(d.Reason))
		for _, l := range lines {
			fmt.Fprintf(w, "- **%s**: %s\n", l[0], mdEscape(l[1]))
		}
		return
	}
	fmt.Fprintf(w, "gotune pgo refresh: %s\ndecision: %s: %s\n", tg.Module, outcome, d.Reason)
	for _, l := range lines {
		fmt.Fprintf(w, "%-23s %s\n", l[0]+":", l[1])
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mdEscape keeps text from being read as Markdown emphasis or tables.
func mdEscape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "|", `\|`, "<", "&lt;").Replace(s)
}

// sha256Hex is the hex SHA-256 of data, as provenance files record it.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
