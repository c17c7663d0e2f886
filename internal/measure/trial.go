package measure

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
)

// unsupportedCPU is what the Go runtime prints when a binary was built for a
// GOAMD64 level the CPU lacks.
const unsupportedCPU = "This program can only be run on AMD64 processors"

// Args returns the argv of one trial: bench, a top-level benchmark name,
// run alone (its sub-benchmarks with it) reps times for benchtime each,
// as go test runs a benchmark: -test.paniconexit0 turns an os.Exit(0) in
// the benchmark into a failure instead of a silent end.
func Args(bin, bench, benchtime string, reps int) []string {
	args := []string{bin, "-test.run=^$", "-test.bench=^" + regexp.QuoteMeta(bench) + "$", "-test.count=" + strconv.Itoa(max(1, reps)), "-test.benchmem", "-test.paniconexit0"}
	if benchtime != "" {
		args = append(args, "-test.benchtime="+benchtime)
	}
	return args
}

// trial is what one run of a test binary gave.
type trial struct {
	samples  []result.Sample
	err      string // why the trial failed; "" when it did not
	output   string // the part of the output that explains a failure
	warnings []string
	cpu      bool // the binary cannot run on this CPU
}

// readTrial turns one trial's output into samples of unit u for block,
// keeping only results of bench and its sub-benchmarks: a line that looks
// like a result of another benchmark is the benchmark's own output (and
// is said). A result cut by the benchmark's own output on stdout is put
// back together. A trial with no result of bench fails, with its output.
// Values that are not finite are dropped with a warning. A trial of reps
// repetitions gives one sample per benchmark and unit (see fastest).
func readTrial(stdout, stderr []byte, runErr error, u Unit, bench string, block, reps int) trial {
	var t trial
	all := string(stdout) + string(stderr)
	if strings.Contains(all, unsupportedCPU) {
		t.cpu = true
		t.err = strings.TrimSpace(firstLineContaining(all, unsupportedCPU))
		return t
	}
	seen := map[string]int{}
	r := benchfmt.NewReader(bytes.NewReader(mendResults(stdout)), u.Binary)
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue // unit metadata or a syntax error (e.g. a line cut by a panic)
		}
		name := benchName(res.Name) // without the Benchmark prefix, as benchfmt gives it
		if topLevel("Benchmark"+name) != bench {
			t.warnings = append(t.warnings, fmt.Sprintf("%s printed a line that looks like a result of Benchmark%s: ignored (a benchmark's own output on stdout?)", bench, name))
			continue
		}
		seen[name]++
		for _, v := range res.Values {
			if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
				t.warnings = append(t.warnings, fmt.Sprintf("Benchmark%s reported %v %s: not a number, left out", name, v.Value, v.Unit))
				continue
			}
			t.samples = append(t.samples, result.Sample{Variant: u.Variant, Package: u.Package, Benchmark: name, Unit: v.Unit, Block: block, Value: v.Value})
		}
	}
	// A name reported more often than the trial repeats it: one of the
	// lines is the benchmark's own output, and nothing tells which.
	for name, n := range seen {
		if n > max(1, reps) {
			t.warnings = append(t.warnings, fmt.Sprintf("Benchmark%s reported %d results in a trial of %d: all left out (a benchmark's own output on stdout?)", name, n, max(1, reps)))
			t.samples = slices.DeleteFunc(t.samples, func(s result.Sample) bool { return s.Benchmark == name })
		}
	}
	t.samples = fastest(t.samples)
	switch {
	case runErr != nil:
		t.err = runErr.Error()
		var ge *gotool.Error
		if errors.As(runErr, &ge) {
			t.err = trialError(ge)
		}
		if name := failedBenchmark(string(stdout)); name != "" {
			t.err = name + ": " + t.err
		} else if name := stackBenchmark(all); name != "" {
			t.err = name + ": " + t.err
		}
		t.output = excerpt(all)
	case len(t.samples) == 0:
		t.err = bench + " printed no result"
		if strings.TrimSpace(all) == "" || !strings.Contains(all, "Benchmark") {
			t.err += " (a TestMain that does not call m.Run, or a --bench pattern that matches nothing?)"
		}
		t.output = tail(all, 20)
	}
	return t
}

// fastest reduces the repetitions of a trial to one sample per benchmark
// and unit, in order of first appearance: for time (sec/op) the smallest,
// for throughput (B/s) the largest, since another process on the machine
// can only slow a repetition down; for other units (B/op, allocs/op,
// custom metrics) the median. On a loaded machine the fastest of 16 short
// repetitions varies several times less between back-to-back trials than
// one long repetition does (docs/measuring.md).
func fastest(samples []result.Sample) []result.Sample {
	type key struct{ bench, unit string }
	var order []key
	vals := map[key][]float64{}
	first := map[key]result.Sample{}
	for _, s := range samples {
		k := key{s.Benchmark, s.Unit}
		if _, ok := vals[k]; !ok {
			order = append(order, k)
			first[k] = s
		}
		vals[k] = append(vals[k], s.Value)
	}
	out := make([]result.Sample, 0, len(order))
	for _, k := range order {
		s, xs := first[k], vals[k]
		slices.Sort(xs)
		switch k.unit {
		case "sec/op":
			s.Value = xs[0]
		case "B/s":
			s.Value = xs[len(xs)-1]
		default:
			s.Value = xs[len(xs)/2]
			if len(xs)%2 == 0 {
				s.Value = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
			}
		}
		out = append(out, s)
	}
	return out
}

// numbersLine matches the second half of a result line whose first half
// (the name) was printed before the benchmark wrote to stdout itself.
var numbersLine = regexp.MustCompile(`^\s+\d+\s+[-+0-9.eE]+ ns/op`)

// mendResults puts back together result lines that a benchmark's own
// output on stdout split: go test prints a benchmark's name, runs it, then
// prints its numbers, so "BenchmarkX-2 \tsetting up\n  100\t 5 ns/op"
// becomes "BenchmarkX-2 \t  100\t 5 ns/op".
func mendResults(stdout []byte) []byte {
	lines := strings.Split(string(stdout), "\n")
	var out []string
	pending := ""
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case len(f) >= 1 && strings.HasPrefix(f[0], "Benchmark") && (len(f) == 1 || !isNumber(f[1])):
			pending = f[0]
			out = append(out, l)
		case pending != "" && numbersLine.MatchString(l):
			out = append(out, pending+" "+l)
			pending = ""
		default:
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, "\n"))
}

func trialError(ge *gotool.Error) string {
	if ge.TimedOut {
		return fmt.Sprintf("timed out after %s (raise --timeout if the benchmark is just slow)", ge.Cmd.Timeout)
	}
	if ge.ExitCode >= 0 {
		return fmt.Sprintf("exit status %d", ge.ExitCode)
	}
	return ge.Err.Error()
}

// failedBenchmark returns the top-level function name of the benchmark that
// failed in out: the one named by "--- FAIL:", else the last one started
// without a result line (a panic or a hang).
func failedBenchmark(out string) string {
	lines := strings.Split(out, "\n")
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "--- FAIL: Benchmark"); ok {
			name, _, _ := strings.Cut(rest, " ")
			return topLevel("Benchmark" + name)
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if !strings.HasPrefix(l, "Benchmark") {
			continue
		}
		f := strings.Fields(l)
		if len(f) >= 3 && isNumber(f[1]) {
			return "" // the last benchmark finished
		}
		return topLevel(f[0])
	}
	return ""
}

// stackFrame matches a benchmark function's frame in a Go stack trace, e.g.
// "example.com/p.BenchmarkHang(0xc000120008)".
var stackFrame = regexp.MustCompile(`\.(Benchmark[^.(\s]*)\(`)

// stackBenchmark returns the benchmark function named in the stack traces
// of a panic or of the SIGQUIT dump a timed-out trial prints, "" when none:
// the go test binary does not print a benchmark's name until its first run
// finishes, so a benchmark that panics or hangs at once is named only there.
func stackBenchmark(stderr string) string {
	if m := stackFrame.FindStringSubmatch(stderr); m != nil {
		return m[1]
	}
	return ""
}

// topLevel returns the top-level function of a benchmark name, without
// its sub-benchmarks and GOMAXPROCS suffix.
func topLevel(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	if i := strings.LastIndexByte(name, '-'); i > 0 && isNumber(name[i+1:]) {
		return name[:i]
	}
	return name
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// benchName returns the benchmark's full name without the GOMAXPROCS suffix,
// which is the same for every variant on one host.
func benchName(n benchfmt.Name) string {
	base, parts := n.Parts()
	var b strings.Builder
	b.Write(base)
	for _, p := range parts {
		if len(p) > 0 && p[0] == '-' {
			continue
		}
		b.Write(p)
	}
	return b.String()
}

// excerpt returns the part of a failed trial's output that explains it: from
// the first panic or "--- FAIL" line on, 15 lines; else the last 20 lines.
func excerpt(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if j := strings.Index(l, "panic: "); j >= 0 {
			lines[i] = l[j:] // a panic can follow the benchmark's name on its line
		} else if !strings.HasPrefix(strings.TrimSpace(l), "--- FAIL") {
			continue
		}
		return strings.Join(lines[i:min(len(lines), i+15)], "\n")
	}
	return tail(s, 20)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func firstLineContaining(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return sub
}
