package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/stats"
)

// The edits of the layouts experiment, applied to copies of the hot
// fixture.
var (
	// unrelatedEdit grows Other, which sorts first, by one loop: every
	// function after it moves by 32 bytes, and no other code changes.
	unrelatedEdit = edit{"edit.go", "\treturn n\n", "\tfor i := range xs {\n\t\tn ^= xs[i]*3 + i\n\t}\n\treturn n\n"}
	// realEdit makes Hash hash a quarter of its input again: +25% work.
	realEdit = edit{"hot.go", "\treturn h\n}", "\tfor _, x := range bs[:len(bs)/4] {\n\t\th ^= uint64(x)\n\t\th *= 1099511628211\n\t}\n\treturn h\n}"}
)

// edit replaces old with new in one file of a module copy.
type edit struct{ file, old, new string }

func (e edit) apply(dir string) error {
	p := filepath.Join(dir, e.file)
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if bytes.Count(b, []byte(e.old)) != 1 {
		return fmt.Errorf("%s: %q is not there once", p, e.old)
	}
	return os.WriteFile(p, bytes.Replace(b, []byte(e.old), []byte(e.new), 1), 0o644)
}

// layoutArm is one kind of check of the layouts experiment.
type layoutArm struct {
	name    string
	edit    *edit
	layouts string // --layouts of the check; "" = the saved run's
	flags   []string
	// bench is the benchmark watched, as the result names it (without
	// "Benchmark"); want says whether it should be
	// reported as a regression.
	bench string
	want  bool
}

var layoutArms = []layoutArm{
	// Identical code is not measured unless --no-dedupe asks for it.
	{name: "A/A (no change)", flags: []string{"--no-dedupe"}, bench: "Classify"},
	{name: "unrelated edit", edit: &unrelatedEdit, bench: "Classify"},
	{name: "Hash +25%", edit: &realEdit, bench: "Hash", want: true},
	{name: "unrelated edit, --layouts 0", edit: &unrelatedEdit, layouts: "0", bench: "Classify"},
}

// layoutCheck runs, reps times, `gotune run --baseline-only` on the hot
// fixture and then `gotune check --against` its result on four copies:
// unchanged, with an edit to an unrelated function (which moves the
// layout-sensitive Classify), with +25% work in Hash, and the unrelated
// edit again with layouts off. The first two must never report Classify as
// a regression; the third must report Hash every time. The fourth shows
// what layouts prevent.
func (h *harness) layoutCheck(reps int, budget time.Duration) (bool, error) {
	gotune, err := h.buildGotune()
	if err != nil {
		return false, err
	}
	src := filepath.Join(repo(), "bench", "fixtures", "hot")
	type tally struct{ reported, failed, undecided int }
	counts := make([]tally, len(layoutArms))
	tw := tabwriter.NewWriter(h.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "rep\tcheck\tstatus\tregressions\tlayout-sensitive\tClassify change\tClassify layout spread\twall")
	for i := 1; i <= reps; i++ {
		rep := filepath.Join(h.out, fmt.Sprintf("layouts-%02d", i))
		base := filepath.Join(rep, "base")
		if err := copyDir(src, base); err != nil {
			return false, err
		}
		saved := filepath.Join(rep, "base.json")
		if _, err := h.gotune(gotune, base, filepath.Join(rep, "base"), "run", "--baseline-only", "--fresh", "--budget", budget.String(), "--json", saved); err != nil {
			return false, err
		}
		for j, arm := range layoutArms {
			dir := filepath.Join(rep, fmt.Sprintf("arm%d", j))
			if err := copyDir(src, dir); err != nil {
				return false, err
			}
			if arm.edit != nil {
				if err := arm.edit.apply(dir); err != nil {
					return false, err
				}
			}
			args := []string{"check", "--against", saved, "--format", "json"}
			if arm.layouts != "" {
				args = append(args, "--layouts", arm.layouts)
			}
			args = append(args, arm.flags...)
			start := time.Now()
			out, err := h.gotune(gotune, dir, filepath.Join(rep, fmt.Sprintf("arm%d", j)), args...)
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				return false, err
			}
			if err := os.WriteFile(filepath.Join(rep, fmt.Sprintf("arm%d.json", j)), out, 0o644); err != nil {
				return false, err
			}
			var o check.Outcome
			if err := json.Unmarshal(out, &o); err != nil {
				return false, fmt.Errorf("%s, rep %d: reading the check's JSON: %v", arm.name, i, err)
			}
			regs, sens := benchNames(o, func(c check.Candidate) []check.Change { return c.Regressions }),
				benchNames(o, func(c check.Candidate) []check.Change { return c.LayoutSensitive })
			if slices.Contains(regs, arm.bench) {
				counts[j].reported++
			}
			switch o.Status {
			case check.Regression:
				counts[j].failed++
			case check.Undecided:
				counts[j].undecided++
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i, arm.name, o.Status, orDash(regs), orDash(sens), changeOf(o, "Classify"), spreadOf(o, "Classify"), time.Since(start).Round(time.Second))
		}
	}
	tw.Flush()
	ok := true
	for j, arm := range layoutArms {
		c := counts[j]
		switch {
		case arm.layouts == "0":
			fmt.Fprintf(h.w, "info  %s: %s reported as a regression in %d of %d checks (the check failed in %d)\n", arm.name, arm.bench, c.reported, reps, c.failed)
		case arm.want:
			ok = h.check(c.reported == reps, "%s: %s reported as a regression in %d of %d checks", arm.name, arm.bench, c.reported, reps) && ok
		default:
			ok = h.check(c.reported == 0, "%s: %s reported as a regression in %d of %d checks (the check failed in %d, undecided in %d)", arm.name, arm.bench, c.reported, reps, c.failed, c.undecided) && ok
		}
	}
	return ok, nil
}

// benchNames lists the benchmarks of the outcome's changes that pick
// selects.
func benchNames(o check.Outcome, pick func(check.Candidate) []check.Change) []string {
	var out []string
	for _, c := range o.Candidates {
		for _, ch := range pick(c) {
			name := ch.Benchmark
			if name == "" {
				name = "overall"
			}
			out = append(out, name)
		}
	}
	return out
}

// spreadOf returns the layout spread of a benchmark's sec/op comparison in
// the checked run, e.g. "±31.0%", or "-".
func spreadOf(o check.Outcome, bench string) string {
	if o.Run == nil || o.Run.Analysis == nil {
		return "-"
	}
	for _, c := range o.Run.Analysis.Comparisons {
		if c.Benchmark == bench && c.Unit == stats.TimeUnit && c.LayoutSpread > 0 {
			return fmt.Sprintf("%.1f%%", 100*c.LayoutSpread)
		}
	}
	return "-"
}

func orDash(names []string) string {
	if len(names) == 0 {
		return "-"
	}
	return strings.Join(names, ", ")
}

// buildGotune builds the gotune command into the results folder.
func (h *harness) buildGotune() (string, error) {
	bin := filepath.Join(h.out, "gotune")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/gotune")
	cmd.Dir = repo()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building gotune: %v\n%s", err, out)
	}
	return bin, nil
}

// gotune runs the gotune binary in dir with a work dir of its own and
// returns its stdout; stderr goes to name.log.
func (h *harness) gotune(bin, dir, name string, args ...string) ([]byte, error) {
	logf, err := os.Create(name + ".log")
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args = append(args, "--workdir", name+".work")
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, logf
	err = cmd.Run()
	return out.Bytes(), err
}

// copyDir copies the regular files of a module, every level deep.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
