package report_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/cli"
	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
)

// fixtureModule is a tiny module with two benchmarks, written for the
// end-to-end tests of the report formats.
var fixtureModule = map[string]string{
	"go.mod": "module example.com/sum\n\ngo 1.21\n",
	"sum.go": `package sum

// mode is "fast" in a build with -ldflags=-X example.com/sum.mode=fast.
var mode string

// Sum adds the squares below n.
func Sum(n int) int {
	if mode == "fast" {
		return (n - 1) * n * (2*n - 1) / 6
	}
	s := 0
	for i := 0; i < n; i++ {
		s += i * i
	}
	return s
}
`,
	"sum_test.go": `package sum

import "testing"

func BenchmarkSum(b *testing.B) {
	for b.Loop() {
		Sum(1000)
	}
}

func BenchmarkSmall(b *testing.B) {
	for b.Loop() {
		Sum(100)
	}
}
`,
}

// realRun runs gotune on the fixture module through its command line
// with the axis flags given, and returns the run folder and the saved
// result.
func realRun(t *testing.T, axes ...string) (runDir, resultFile string) {
	t.Helper()
	mod := t.TempDir()
	for name, text := range fixtureModule {
		if err := os.WriteFile(filepath.Join(mod, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	resultFile = filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	args := append([]string{"run", "-C", mod, "-q", "--goamd64", "v1"}, axes...)
	args = append(args, "--max-blocks", "6", "--benchtime", "100x", "--seed", "9", "--workdir", work, "--json", resultFile)
	code := cli.Main(context.Background(), args, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("gotune run: exit status %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	return filepath.Join(work, "last"), resultFile
}

// TestBenchstatOnRealFiles runs a real gotune run on a fixture module,
// then the real benchstat on its raw file (<run folder>/results.txt) and
// on `gotune report --format benchstat` of its result, with the command
// the README documents: each file gives one table per unit with the
// baseline as the reference column, never split by block or by axis.
func TestBenchstatOnRealFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a fixture module and runs benchstat; skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	// -gcflags '-N -l' makes the variant slower.
	runDir, resultFile := realRun(t, "--gcflags", "", "--gcflags", "-N -l")
	raw := filepath.Join(runDir, "results.txt")

	formatted := filepath.Join(t.TempDir(), "bench.txt")
	var stdout, stderr bytes.Buffer
	if code := cli.Main(context.Background(), []string{"report", resultFile, "--format", "benchstat", "-o", formatted}, &stdout, &stderr); code != 0 {
		t.Fatalf("gotune report --format benchstat: exit status %d\n%s", code, stderr.String())
	}

	// The header of every table: the baseline first, the reference.
	header := regexp.MustCompile(`(?m)^\s*│\s+baseline\s+│\s+gcflags=-N -l\s+│$`)
	units := regexp.MustCompile(`(?m)^\s*│\s+(sec/op|B/op|allocs/op)\s+│\s+(sec/op|B/op|allocs/op)\s+vs base\s+│$`)
	rows := regexp.MustCompile(`(?m)^(Sum|Small)(-\d+)?\s.*\s(~|[+-]\d+\.\d+%) \(p=\d\.\d+ n=6\)`)
	for _, file := range []string{raw, formatted} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			out := runBenchstat(t, goCmd, "-table", "pkg", "-col", "variant", "-ignore", "block", file)
			t.Logf("benchstat -table pkg -col variant -ignore block %s:\n%s", filepath.Base(file), out)
			if n := len(header.FindAllString(out, -1)); n != 3 {
				t.Errorf("%d tables with the baseline as the first column, want 3 (sec/op, B/op, allocs/op)", n)
			}
			if n := len(units.FindAllString(out, -1)); n != 3 {
				t.Errorf("%d unit lines with a vs base column, want 3", n)
			}
			if n := len(rows.FindAllString(out, -1)); n != 6 {
				t.Errorf("%d benchmark rows with 6 samples per side, want 2 in each of 3 tables", n)
			}
			if strings.Count(out, "pkg: example.com/sum") != 1 {
				t.Errorf("the tables are split, want one package header")
			}
			// Along one axis, the other keys making the tables.
			out = runBenchstat(t, goCmd, "-col", "gcflags", "-ignore", "variant,block", file)
			if !regexp.MustCompile(`│\s+none\s+│\s+-N -l\s+│`).MatchString(out) {
				t.Errorf("benchstat -col gcflags -ignore variant,block: no none | -N -l columns:\n%s", out)
			}
		})
	}
}

// runBenchstat runs the real benchstat of the x/perf module in go.mod and
// returns its output; it fails when benchstat fails or warns that a cell
// mixes results that differ in a key no projection uses.
func runBenchstat(t *testing.T, goCmd string, args ...string) string {
	t.Helper()
	cmd := exec.Command(goCmd, append([]string{"run", "golang.org/x/perf/cmd/benchstat"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("benchstat %s: %v\n%s", args, err, out)
	}
	s := string(out)
	if strings.Contains(s, "benchmarks vary in") {
		t.Errorf("benchstat %s mixes results that differ in a hidden key:\n%s", args, s)
	}
	return s
}

// TestJSONDocJQ runs the jq program of docs/json.md on the result of a
// real run with a winner (the fixture's fast mode, switched on with -X)
// and checks that it prints the winner, its speed-up with the interval
// and its build line as the text report does.
func TestJSONDocJQ(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a fixture module; skipped with -short")
	}
	jq, err := exec.LookPath("jq")
	if err != nil {
		t.Skip("jq is not installed (apt-get install -y jq): the jq example of docs/json.md was not run")
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^jq -r '([^']+)' result\.json$`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/json.md has no line jq -r '...' result.json")
	}
	program := string(m[1])

	_, resultFile := realRun(t, "--ldflags", "", "--ldflags", "-X example.com/sum.mode=fast")
	run, err := result.ReadFile(resultFile)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(jq, "-r", program, resultFile).CombinedOutput()
	if err != nil {
		t.Fatalf("jq: %v\n%s", err, out)
	}
	line := strings.TrimSpace(string(out))
	t.Logf("jq prints: %s", line)
	rec := run.Analysis.Recommendation
	if rec.Action != result.ActionUse || rec.Change == nil {
		t.Fatalf("the run's recommendation is %q, want to use the fast build: %s", rec.Action, run.Analysis.VerdictText)
	}
	got := regexp.MustCompile(`^(.+) is ([0-9.]+)% faster \(([0-9.]+)% to ([0-9.]+)%\): (.+)$`).FindStringSubmatch(line)
	if got == nil {
		t.Fatalf("jq printed %q, want 'VARIANT is X%% faster (A%% to B%%): BUILD LINE'", line)
	}
	if got[1] != rec.Variant || got[1] != run.Analysis.Winner || got[5] != rec.BuildLine {
		t.Errorf("jq names %q with %q, want the winner %q with %q", got[1], got[5], rec.Variant, rec.BuildLine)
	}
	// The same numbers as the text report's verdict, to its one decimal.
	var text bytes.Buffer
	if err := report.Text(&text, run, report.Options{}); err != nil {
		t.Fatal(err)
	}
	for i, ratio := range []float64{rec.Change.Center, rec.Change.Hi, rec.Change.Lo} {
		jqv, _ := strconv.ParseFloat(got[2+i], 64)
		want := fmt.Sprintf("%.1f%%", (1-ratio)*100)
		if w, _ := strconv.ParseFloat(strings.TrimSuffix(want, "%"), 64); math.Abs(jqv-w) > 0.051 {
			t.Errorf("jq says %s%%, the report %s", got[2+i], want)
		}
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text report does not say %s:\n%s", want, text.String())
		}
	}
}
