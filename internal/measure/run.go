package measure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
)

// unsupportedCPU is what the Go runtime prints when a binary was built for a
// GOAMD64 level the CPU lacks.
const unsupportedCPU = "This program can only be run on AMD64 processors"

// Options configure Run.
type Options struct {
	Runner    gotool.Runner
	Bench     string        // -test.bench regexp; "" = "."
	Benchtime string        // -test.benchtime; "" = the test binary's default
	Timeout   time.Duration // per trial; 0 = none
	// Benchmarks lists the top-level benchmark functions of each package, so
	// that one failing benchmark can be left out of later trials while the
	// others go on.
	Benchmarks map[string][]string
	// Keys returns the file-configuration lines ("key: value") written to Raw
	// before each trial's output, e.g. variant, goamd64, pgo.
	Keys func(u Unit) [][2]string
	Raw  io.Writer // every trial's output in the Go benchmark format; nil = discard
	Log  io.Writer // progress; nil = discard
}

// Outcome is everything a set of trials produced. It is complete even when the
// context was cancelled part way: whatever finished is kept.
type Outcome struct {
	Samples  []result.Sample
	Failures []result.Failure
	// Unsupported maps a variant to the reason its binary cannot run here.
	Unsupported map[string]string
	Done        int // trials run
}

// Args returns the argv of one trial of bin.
func Args(bin, bench, benchtime string) []string {
	args := []string{bin, "-test.run=^$", "-test.bench=" + bench, "-test.count=1", "-test.benchmem"}
	if benchtime != "" {
		args = append(args, "-test.benchtime="+benchtime)
	}
	return args
}

// Run runs the trials in order. A trial that fails is recorded in Failures
// with the tail of its output; the benchmark that failed is left out of that
// binary's later trials, and a binary that produces nothing at all is
// dropped. Cancelling ctx stops before the next trial.
func Run(ctx context.Context, opts Options, trials []Trial) (Outcome, error) {
	if opts.Runner == nil {
		opts.Runner = gotool.Exec{}
	}
	if opts.Bench == "" {
		opts.Bench = "."
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Raw == nil {
		opts.Raw = io.Discard
	}
	userRE, err := regexp.Compile(opts.Bench)
	if err != nil {
		return Outcome{}, fmt.Errorf("--bench %q: %v", opts.Bench, err)
	}
	out := Outcome{Unsupported: map[string]string{}}
	excluded := map[Unit]map[string]bool{} // failed benchmarks per unit
	dropped := map[Unit]bool{}
	start := time.Now()
	for i, tr := range trials {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		u := tr.Unit
		if dropped[u] {
			continue
		}
		bench := opts.Bench
		if ex := excluded[u]; len(ex) > 0 {
			bench = remaining(opts.Benchmarks[u.Package], userRE, opts.Bench, ex)
			if bench == "" {
				dropped[u] = true
				continue
			}
		}
		fmt.Fprintf(opts.Log, "round %d/%d trial %d/%d %s %s%s\n", tr.Round, trials[len(trials)-1].Round, i+1, len(trials), u.Variant, u.Package, eta(start, i, len(trials)))
		res, runErr := opts.Runner.Run(ctx, gotool.Cmd{Args: Args(u.Binary, bench, opts.Benchtime), Dir: u.Dir, Timeout: opts.Timeout})
		if runErr != nil && ctx.Err() != nil {
			// Interrupted mid-trial: its partial output is not a sample.
			return out, ctx.Err()
		}
		out.Done++
		output := append(append([]byte(nil), res.Stdout...), res.Stderr...)
		if bytes.Contains(output, []byte(unsupportedCPU)) {
			out.Unsupported[u.Variant] = strings.TrimSpace(firstLineContaining(string(output), unsupportedCPU))
			dropped[u] = true
			continue
		}
		writeRaw(opts.Raw, opts.Keys, u, tr.Round, res.Stdout)
		samples := parse(res.Stdout, u, tr.Round)
		out.Samples = append(out.Samples, samples...)
		if runErr == nil {
			continue
		}
		f := result.Failure{Variant: u.Variant, Package: u.Package, Round: tr.Round, Error: runErr.Error(), Output: excerpt(string(output))}
		var ge *gotool.Error
		if errors.As(runErr, &ge) {
			f.Error = trialError(ge)
		}
		name := failedBenchmark(string(res.Stdout))
		if name != "" {
			f.Error = name + ": " + f.Error
			if excluded[u] == nil {
				excluded[u] = map[string]bool{}
			}
			excluded[u][name] = true
			if len(opts.Benchmarks[u.Package]) == 0 || strings.Contains(opts.Bench, "/") {
				// Without the list of benchmarks (or with a sub-benchmark
				// pattern) the failing one cannot be left out alone.
				if len(samples) == 0 {
					dropped[u] = true
				}
				delete(excluded, u)
			}
		} else if len(samples) == 0 {
			dropped[u] = true
		}
		fmt.Fprintf(opts.Log, "  %s %s round %d failed: %s\n", u.Variant, u.Package, tr.Round, firstLine(f.Error))
		out.Failures = append(out.Failures, f)
	}
	return out, nil
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

// remaining returns a -test.bench pattern selecting the package's top-level
// benchmarks that match the user's pattern and have not failed.
func remaining(all []string, userRE *regexp.Regexp, user string, excluded map[string]bool) string {
	var keep []string
	for _, b := range all {
		if !excluded[b] && userRE.MatchString(b) {
			keep = append(keep, regexp.QuoteMeta(b))
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return "^(" + strings.Join(keep, "|") + ")$"
}

// failedBenchmark returns the top-level function name of the benchmark that
// failed in out: the one named by "--- FAIL:", else the last one started
// without a result line (a panic or a hang).
func failedBenchmark(out string) string {
	lines := strings.Split(out, "\n")
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "--- FAIL: "); ok {
			return topLevel(strings.Fields(rest)[0])
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

// parse reads one trial's output with benchfmt and returns its samples.
func parse(stdout []byte, u Unit, round int) []result.Sample {
	var samples []result.Sample
	r := benchfmt.NewReader(bytes.NewReader(stdout), u.Binary)
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue // unit metadata or a syntax error (e.g. a line cut by a panic)
		}
		name := benchName(res.Name)
		for _, v := range res.Values {
			samples = append(samples, result.Sample{Variant: u.Variant, Package: u.Package, Benchmark: name, Unit: v.Unit, Round: round, Value: v.Value})
		}
	}
	return samples
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

func writeRaw(w io.Writer, keys func(Unit) [][2]string, u Unit, round int, stdout []byte) {
	var b bytes.Buffer
	if keys != nil {
		for _, kv := range keys(u) {
			fmt.Fprintf(&b, "%s: %s\n", kv[0], kv[1])
		}
	}
	fmt.Fprintf(&b, "round: %d\n", round)
	b.Write(stdout)
	if len(stdout) > 0 && stdout[len(stdout)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	w.Write(b.Bytes())
}

func eta(start time.Time, done, total int) string {
	if done == 0 {
		return ""
	}
	left := time.Duration(float64(time.Since(start)) / float64(done) * float64(total-done))
	return fmt.Sprintf(" (about %s left)", left.Round(time.Second))
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
