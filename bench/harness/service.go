package main

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/service"
)

// serviceCheck runs, reps times, two service-mode runs of the svc fixture
// with the verdict on p99 latency (--metric p99): the baseline against a
// build whose handler works 1 ms more per request (-X main.mode=slow),
// which must be called slower on p99 and on CPU per request in at least 9
// of 10 runs; and an A/A pair (the twin of aa.yaml, --no-dedupe), which
// may be called faster or slower on p99 in at most 1 of 10. The two kinds
// alternate, so that the machine's mood falls on both alike.
func (h *harness) serviceCheck(reps int, budget time.Duration) (bool, error) {
	gotune, err := h.buildGotune()
	if err != nil {
		return false, err
	}
	dir := filepath.Join(repo(), "bench", "fixtures", "svc")
	common := []string{"run", "--service", "--metric", "p99", "--goamd64", "v1", "--pgo", "off", "--fresh", "--budget", budget.String()}
	arms := []struct {
		name, variant string
		args          []string
		want          bool // called slower
	}{
		{"slow 1 ms", "ldflags=-X=main.mode=slow", []string{"--ldflags", "", "--ldflags", "-X=main.mode=slow"}, true},
		{"A/A", "twin", []string{"--config", filepath.Join(dir, "aa.yaml"), "--no-dedupe"}, false},
	}
	type tally struct{ p99, cpu, alarms, over int }
	counts := make([]tally, len(arms))
	tw := tabwriter.NewWriter(h.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "rep\tarm\tp99 verdict\tp99 change\tcpu/request change\tcpu significant\tblocks\tmeasured\twall")
	for i := 1; i <= reps; i++ {
		for j, arm := range arms {
			name := filepath.Join(h.out, fmt.Sprintf("service-%02d-%d", i, j))
			args := append(append(append([]string{}, common...), arm.args...), "--json", name+".json")
			start := time.Now()
			_, err := h.gotune(gotune, dir, name, args...)
			wall := time.Since(start)
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				return false, err
			}
			run, err := result.ReadFile(name + ".json")
			if err != nil {
				return false, fmt.Errorf("%s, rep %d: %v (see %s.log)", arm.name, i, err, name)
			}
			r := describe(fmt.Sprint(i), arm.variant, run, wall)
			cpu := comparison(run, arm.variant, service.UnitCPU)
			cpuSlower := cpu != nil && cpu.Significant && cpu.Change.Center > 1
			c := &counts[j]
			if r.verdict == result.VerdictSlower {
				c.p99++
			}
			if cpuSlower {
				c.cpu++
			}
			if r.verdict == result.VerdictSlower || r.verdict == result.VerdictFaster {
				c.alarms++
			}
			if r.measured > budget+10*time.Second {
				c.over++
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%v\t%d\t%s\t%s\n", i, arm.name, r.verdict, r.change, ratio(cpu), cpu != nil && cpu.Significant,
				r.cycles, r.measured.Round(time.Second), wall.Round(time.Second))
			fmt.Fprintf(h.log, "service %d %s: p99 %s %s\n", i, arm.name, r.verdict, r.change)
		}
	}
	tw.Flush()
	slow, aa := counts[0], counts[1]
	ok := h.check(slow.p99*10 >= 9*reps, "the 1 ms slower handler was called slower on p99 in %d of %d runs (at least 9 in 10)", slow.p99, reps)
	ok = h.check(slow.cpu*10 >= 9*reps, "the 1 ms slower handler was slower on CPU per request (significant) in %d of %d runs (at least 9 in 10)", slow.cpu, reps) && ok
	ok = h.check(aa.alarms*10 <= reps, "the A/A twin was called faster or slower on p99 in %d of %d runs (at most 1 in 10); its CPU per request differed significantly in %d", aa.alarms, reps, aa.cpu) && ok
	return h.check(slow.over+aa.over == 0, "every run measured for at most %s (%d over)", budget, slow.over+aa.over) && ok, nil
}

// comparison returns the variant's comparison with the baseline in unit,
// or nil.
func comparison(run *result.Run, variant, unit string) *result.Comparison {
	if run.Analysis == nil {
		return nil
	}
	for i, c := range run.Analysis.Comparisons {
		if c.Variant == variant && c.Unit == unit {
			return &run.Analysis.Comparisons[i]
		}
	}
	return nil
}

func ratio(c *result.Comparison) string {
	if c == nil {
		return "-"
	}
	return fmt.Sprintf("%+.1f%% [%+.1f%%, %+.1f%%]", 100*(c.Change.Center-1), 100*(c.Change.Lo-1), 100*(c.Change.Hi-1))
}
