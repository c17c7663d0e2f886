// Command harness measures gotune itself on the demo target: the wall time
// of its default search (screening and racing) against the full grid
// measured without racing, on the same matrix, repeated and interleaved;
// the builds each did; whether they reach the same winner; and gotune's own
// CPU time outside its child processes as a share of the wall time. See
// bench/README.md.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gotune/gotune/internal/result"
)

// defaultMatrix has 3 axes and 18 variants: GOAMD64 level × PGO (the
// demo's default.pgo or none) × compiler flags (none, no bounds checks,
// no inlining).
var defaultMatrix = []string{
	"--goamd64", "v1,v2,v3",
	"--pgo", "auto,off",
	"--gcflags", "", "--gcflags", "all=-B", "--gcflags", "all=-l",
}

// Limits the harness checks.
const (
	maxWallRatio = 0.5  // default search / grid
	maxCPUShare  = 0.01 // gotune's own CPU / wall
)

// side is one way of running gotune.
type side struct {
	name string
	args []string // besides the matrix and the common flags
}

var sides = []side{
	{name: "default", args: nil},
	{name: "grid", args: []string{"--search", "grid", "--race=false"}},
}

// sample is one run of one side.
type sample struct {
	Rep      int     `json:"rep"`
	Side     string  `json:"side"`
	Wall     float64 `json:"wall_seconds"` // as the harness timed it
	Builds   int     `json:"builds"`
	Cached   int     `json:"cached_builds"`
	Trials   int     `json:"trials"`
	Winner   string  `json:"winner"`
	CPU      float64 `json:"self_cpu_seconds"`
	CPUShare float64 `json:"cpu_share"`
	Mode     string  `json:"mode"`
	JSON     string  `json:"json"`
	run      *result.Run
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("harness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	gotune := fs.String("gotune", "", "the gotune binary to measure (required)")
	target := fs.String("target", "examples/quotes", "the target module")
	reps := fs.Int("reps", 3, "repetitions of each side (at least 3 for the claim)")
	count := fs.Int("count", 10, "--count of both sides")
	benchtime := fs.String("benchtime", "", "--benchtime of both sides (default gotune's)")
	out := fs.String("out", "", "folder for logs, results and the summary (required)")
	warmup := fs.Bool("warmup", true, "first fill Go's build cache with every variant (untimed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *gotune == "" || *out == "" {
		fmt.Fprintln(stderr, "harness: -gotune and -out are required")
		return 2
	}
	matrix := fs.Args()
	if len(matrix) == 0 {
		matrix = defaultMatrix
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(stderr, "harness:", err)
		return 1
	}
	common := []string{"run", "-C", *target, "--count", fmt.Sprint(*count), "--fresh"}
	if *benchtime != "" {
		common = append(common, "--benchtime", *benchtime)
	}
	common = append(common, matrix...)
	fmt.Fprintf(stdout, "gotune harness: %s, matrix %s, --count %d, %d repetitions\n\n", *target, strings.Join(quoteAll(matrix), " "), *count, *reps)

	if *warmup {
		fmt.Fprintln(stderr, "harness: warming Go's build cache with every variant (untimed)")
		w := []string{"run", "-C", *target, "--count", "1", "--benchtime", "1x", "--fresh", "--search", "grid", "--race=false", "--workdir", filepath.Join(*out, "work-warmup")}
		w = append(w, matrix...)
		if _, err := gotuneRun(*gotune, w, filepath.Join(*out, "warmup")); err != nil {
			fmt.Fprintln(stderr, "harness: warm-up:", err)
			return 1
		}
	}

	var all []sample
	for rep := 1; rep <= *reps; rep++ {
		order := slices.Clone(sides)
		if rep%2 == 0 {
			slices.Reverse(order) // alternate, so that drift hits both sides alike
		}
		for _, sd := range order {
			name := fmt.Sprintf("%s-%d", sd.name, rep)
			jsonPath := filepath.Join(*out, name+".json")
			a := append(slices.Clone(common), sd.args...)
			a = append(a, "--workdir", filepath.Join(*out, "work-"+sd.name), "--json", jsonPath)
			fmt.Fprintf(stderr, "harness: repetition %d, %s\n", rep, sd.name)
			wall, err := gotuneRun(*gotune, a, filepath.Join(*out, name))
			if err != nil {
				fmt.Fprintf(stderr, "harness: %s: %v (logs in %s.stderr)\n", name, err, filepath.Join(*out, name))
				return 1
			}
			s, err := load(jsonPath)
			if err != nil {
				fmt.Fprintln(stderr, "harness:", err)
				return 1
			}
			s.Rep, s.Side, s.Wall = rep, sd.name, wall.Seconds()
			if s.Wall > 0 {
				s.CPUShare = s.CPU / s.Wall
			}
			all = append(all, s)
		}
	}
	ok := report(stdout, all)
	data, _ := json.MarshalIndent(all, "", "  ")
	os.WriteFile(filepath.Join(*out, "summary.json"), data, 0o644)
	fmt.Fprintf(stdout, "\nlogs, results and summary.json in %s\n", *out)
	if !ok {
		return 1
	}
	return 0
}

// gotuneRun runs gotune with args, its stdout and stderr in base.stdout and
// base.stderr, and returns its wall time. A run that failed is an error.
func gotuneRun(bin string, args []string, base string) (time.Duration, error) {
	so, err := os.Create(base + ".stdout")
	if err != nil {
		return 0, err
	}
	defer so.Close()
	se, err := os.Create(base + ".stderr")
	if err != nil {
		return 0, err
	}
	defer se.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = so, se
	start := time.Now()
	err = cmd.Run()
	return time.Since(start), err
}

// load reads what the harness needs from a result file.
func load(path string) (sample, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return sample{}, err
	}
	var r result.Run
	if err := json.Unmarshal(data, &r); err != nil {
		return sample{}, fmt.Errorf("%s: %v", path, err)
	}
	s := sample{Winner: r.Winner, JSON: path, run: &r}
	if r.Search != nil {
		s.Builds, s.Cached, s.Trials, s.CPU, s.Mode = r.Search.Builds, r.Search.CachedBuilds, r.Search.Trials, r.Search.SelfCPUSeconds, r.Search.Mode
	}
	return s, nil
}

// report prints every repetition and the checks, and reports whether all
// checks pass.
func report(w io.Writer, all []sample) bool {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "rep\tside\tmode\twall\tbuilds\ttrials\twinner\tgotune CPU\tCPU share")
	for _, s := range all {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%.2fs\t%.3f%%\n", s.Rep, s.Side, s.Mode,
			time.Duration(s.Wall*float64(time.Second)).Round(time.Second), s.Builds, s.Trials, orKeep(s.Winner), s.CPU, 100*s.CPUShare)
	}
	tw.Flush()
	fmt.Fprintln(w)

	ok := true
	check := func(pass bool, format string, args ...any) {
		mark := "PASS"
		if !pass {
			mark, ok = "FAIL", false
		}
		fmt.Fprintf(w, "%s  %s\n", mark, fmt.Sprintf(format, args...))
	}
	byRep := map[int]map[string]sample{}
	var ratios []float64
	for _, s := range all {
		if byRep[s.Rep] == nil {
			byRep[s.Rep] = map[string]sample{}
		}
		byRep[s.Rep][s.Side] = s
	}
	reps := len(byRep)
	check(reps >= 3, "each side ran %d times (at least 3)", reps)
	for rep := 1; rep <= reps; rep++ {
		d, g := byRep[rep]["default"], byRep[rep]["grid"]
		if d.run == nil || g.run == nil {
			continue
		}
		ratio := d.Wall / g.Wall
		ratios = append(ratios, ratio)
		same, why := Agree(g.run, d.Winner)
		check(same, "repetition %d: default search winner %s, grid winner %s: %s", rep, orKeep(d.Winner), orKeep(g.Winner), why)
		check(ratio <= maxWallRatio, "repetition %d: default search took %.2fx the grid's wall time (%s vs %s; at most %.1fx); builds %d vs %d, trials %d vs %d",
			rep, ratio, round(d.Wall), round(g.Wall), maxWallRatio, d.Builds, g.Builds, d.Trials, g.Trials)
	}
	if len(ratios) > 0 {
		check(median(ratios) <= maxWallRatio, "median wall-time ratio %.2fx (at most %.1fx)", median(ratios), maxWallRatio)
	}
	worst := 0.0
	for _, s := range all {
		worst = max(worst, s.CPUShare)
	}
	check(worst < maxCPUShare, "gotune's own CPU time is at most %.3f%% of a run's wall time (under %.0f%%)", 100*worst, 100*maxCPUShare)
	return ok
}

// Agree reports whether winner, found by the default search, agrees with a
// grid run: it is the grid's winner, or the grid's own statistics cannot
// separate the two. With a grid winner, that is winner's geomean lying in
// the grid winner's confidence interval (how the grid itself calls a tie);
// when the grid keeps the baseline, that is winner not being significantly
// faster than the baseline in the grid.
func Agree(grid *result.Run, winner string) (bool, string) {
	if winner == grid.Winner {
		return true, "the same"
	}
	if grid.Winner == "" {
		v := grid.Variant(winner)
		if v == nil {
			return false, "the grid has no variant " + winner
		}
		if v.Verdict != result.VerdictFaster {
			return true, fmt.Sprintf("the grid cannot tell %s from the baseline (%s)", winner, orNone(v.Verdict))
		}
		return false, fmt.Sprintf("the grid found %s faster but no winner", winner)
	}
	g := grid.Variant(grid.Winner)
	if winner == "" {
		return false, fmt.Sprintf("the grid found %s faster than the baseline", grid.Winner)
	}
	v := grid.Variant(winner)
	if v == nil || v.Geomean == nil || g == nil || g.Geomean == nil {
		return false, "the grid did not measure " + winner
	}
	if c := v.Geomean.Center; c >= g.Geomean.Lo && c <= g.Geomean.Hi {
		return true, fmt.Sprintf("tied in the grid: %s at %.3f lies in %s's interval [%.3f, %.3f]", winner, c, grid.Winner, g.Geomean.Lo, g.Geomean.Hi)
	}
	return false, fmt.Sprintf("the grid separates them: %s at %.3f, outside %s's interval [%.3f, %.3f]", winner, v.Geomean.Center, grid.Winner, g.Geomean.Lo, g.Geomean.Hi)
}

func orKeep(w string) string {
	if w == "" {
		return "(keep the baseline)"
	}
	return w
}

func orNone(s string) string {
	if s == "" {
		return "not measured"
	}
	return s
}

func round(secs float64) time.Duration {
	return time.Duration(secs * float64(time.Second)).Round(time.Second)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " '") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return out
}
