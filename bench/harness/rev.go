package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/stats"
)

// revArm is one commit of the rev experiment, made on top of the demo's
// base commit and checked with `gotune check --base HEAD~1`.
type revArm struct {
	name  string
	edits []edit
	// want is the status the check should end with.
	want check.Status
}

// revArms are the two commits of issue 18's must-show: one that makes the
// quote handler slower (one more pass over a share of an instrument's
// ticks: a whole pass made BenchmarkQuote about 25% slower here, so 40%
// of one is about +10%), and one that changes only a comment and an error
// string no benchmark reaches.
func revArms(percent int) []revArm {
	extra := fmt.Sprintf("\tfor _, t := range inst.Ticks[:len(inst.Ticks)*%d/100] {\n\t\tvol -= t.Size * 0x1p-60\n\t}\n", percent)
	return []revArm{
		{name: "handler slower", want: check.Regression, edits: []edit{
			{"quotes/server.go", "\thalf := max(", extra + "\thalf := max("},
		}},
		{name: "comment and string", want: check.Pass, edits: []edit{
			{"quotes/server.go", "// lookup finds the instrument", "// lookup finds (in the store) the instrument"},
			{"quotes/server.go", "missing symbol parameter", "missing symbol query parameter"},
		}},
	}
}

// revCheck runs, reps times, in a scratch git repository holding a copy
// of the demo, each arm's commit and `gotune check --base HEAD~1` on it,
// then takes the commit back. The slower handler must fail the check in
// at least 9 of 10 runs, the comment-and-string commit must pass in every
// run. A zero budget is the check's default.
func (h *harness) revCheck(reps, percent int, budget time.Duration) (bool, error) {
	gotune, err := h.buildGotune()
	if err != nil {
		return false, err
	}
	arms := revArms(percent)
	src := filepath.Join(repo(), "examples", "quotes")
	hits := make([]int, len(arms))
	tw := tabwriter.NewWriter(h.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "rep\tcommit\tstatus\tregressions\tBenchmarkQuote\tblocks\twall")
	for i := 1; i <= reps; i++ {
		dir := filepath.Join(h.out, fmt.Sprintf("rev-%02d", i), "quotes")
		if err := copyDir(src, dir); err != nil {
			return false, err
		}
		if err := git(dir, "init", "-q"); err != nil {
			return false, err
		}
		if err := commitAll(dir, "base"); err != nil {
			return false, err
		}
		for j, arm := range arms {
			for _, e := range arm.edits {
				if err := e.apply(dir); err != nil {
					return false, err
				}
			}
			if err := commitAll(dir, arm.name); err != nil {
				return false, err
			}
			start := time.Now()
			name := filepath.Join(filepath.Dir(dir), fmt.Sprintf("arm%d", j))
			args := []string{"check", "--base", "HEAD~1", "--format", "json"}
			if budget > 0 {
				args = append(args, "--budget", budget.String())
			}
			out, err := h.gotune(gotune, dir, name, args...)
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				return false, err
			}
			if err := os.WriteFile(name+".json", out, 0o644); err != nil {
				return false, err
			}
			var o check.Outcome
			if err := json.Unmarshal(out, &o); err != nil {
				return false, fmt.Errorf("%s, rep %d: reading the check's JSON (see %s.log): %v", arm.name, i, name, err)
			}
			if o.Status == arm.want {
				hits[j]++
			}
			regs := benchNames(o, func(c check.Candidate) []check.Change { return c.Regressions })
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", i, arm.name, o.Status, orDash(regs), changeOf(o, "Quote"), maxCycles(o.Run), time.Since(start).Round(time.Second))
			if err := git(dir, "reset", "-q", "--hard", "HEAD~1"); err != nil {
				return false, err
			}
		}
	}
	tw.Flush()
	ok := h.check(hits[0]*10 >= 9*reps, "%s: the check failed (regression) in %d of %d runs", arms[0].name, hits[0], reps)
	ok = h.check(hits[1] == reps, "%s: the check passed in %d of %d runs", arms[1].name, hits[1], reps) && ok
	return ok, nil
}

// changeOf returns a benchmark's sec/op change in the checked run with
// its interval, e.g. "+10.2% [+7.9%, +12.4%]", or "-".
func changeOf(o check.Outcome, bench string) string {
	if o.Run == nil || o.Run.Analysis == nil {
		return "-"
	}
	for _, c := range o.Run.Analysis.Comparisons {
		if c.Benchmark == bench && c.Unit == stats.TimeUnit {
			return fmt.Sprintf("%+.1f%% [%+.1f%%, %+.1f%%]", 100*(c.Change.Center-1), 100*(c.Change.Lo-1), 100*(c.Change.Hi-1))
		}
	}
	return "-"
}

func commitAll(dir, msg string) error {
	if err := git(dir, "add", "-A"); err != nil {
		return err
	}
	return git(dir, "-c", "user.name=harness", "-c", "user.email=harness@example.com", "commit", "-q", "-m", msg)
}

func git(dir string, args ...string) error {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}
