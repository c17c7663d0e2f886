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

	// AfterRound, when set, is called after each round of the plan whose
	// trials have all run, with everything measured so far. Its Decision
	// applies to the later rounds: racing drops variants, a budget moves
	// the last round, a decided race stops.
	AfterRound func(round int, out *Outcome) Decision
	// Record, when set, receives the record of every trial run and of every
	// decision taken, as they happen: a journal from which Replay can
	// continue an interrupted run.
	Record func(Record)
	// Replay holds the records of an interrupted run of the same plan.
	// Trials and decisions found there are taken from it instead of being
	// run again (and are not written to Raw again), so that the continued
	// run ends where an uninterrupted one would.
	Replay []Record
	// Kill, when set, is the context whose end kills a running trial; once
	// ctx is done, a trial already running is left to finish (its samples
	// are kept) unless Kill ends too, and no further trial starts. Nil
	// means ctx: a cancelled ctx kills the running trial at once.
	Kill context.Context
	// Progress, when set, is called before and after each trial. The
	// per-trial lines on Log are then left out: the caller shows progress.
	Progress func(Event)
}

// Decision is what a round hook decides after a round.
type Decision struct {
	Drop   []Drop `json:"drop,omitempty"`   // variants left out of the later rounds
	Stop   string `json:"stop,omitempty"`   // when not "", end the run after this round, for this reason
	Rounds int    `json:"rounds,omitempty"` // when > 0, the run's new last round; never beyond the plan's
}

// Drop is a variant left out of later rounds.
type Drop struct {
	Variant string `json:"variant"`
	Round   int    `json:"round"` // the last round it was measured in; set by Run
	Reason  string `json:"reason,omitempty"`
	// Against, Ratio and Worse say what racing found: the variant it is
	// slower than, its geomean ratio to it and the benchmarks significantly
	// slower.
	Against string        `json:"against,omitempty"`
	Ratio   *result.Ratio `json:"ratio,omitempty"`
	Worse   int           `json:"worse,omitempty"`
}

// Record is one line of a run's journal: a trial that ran, or a decision
// taken after a round.
type Record struct {
	Round   int     `json:"round"`
	Variant string  `json:"variant,omitempty"`
	Package string  `json:"package,omitempty"`
	Stdout  string  `json:"stdout,omitempty"`
	Output  string  `json:"output,omitempty"` // stdout and stderr, only when the trial failed or printed to stderr
	Error   string  `json:"error,omitempty"`  // why the trial failed; "" when it passed
	Seconds float64 `json:"seconds,omitempty"`
	// Decision is set on the record of a round's decision instead of a trial.
	Decision *Decision `json:"decision,omitempty"`
}

// Event describes the progress of a run.
type Event struct {
	Trial     Trial
	Done      bool // the trial finished (else it is starting)
	Trials    int  // trials finished so far, replayed ones included
	Total     int  // trials the plan holds now: finished plus still to run
	LastRound int  // the plan's last round now
	Elapsed   time.Duration
}

// Outcome is everything a set of trials produced. It is complete even when the
// context was cancelled part way: whatever finished is kept.
type Outcome struct {
	Samples  []result.Sample
	Failures []result.Failure
	// Unsupported maps a variant to the reason its binary cannot run here.
	Unsupported map[string]string
	Done        int // trials run, replayed ones included
	Replayed    int // trials taken from Options.Replay
	// Dropped lists the variants decisions left out, in order.
	Dropped []Drop
	// Rounds is the last round the run measured, or would have measured
	// had it not been interrupted.
	Rounds int
	// Stopped is the reason a decision ended the run early; "" otherwise.
	Stopped string
	// Seconds is the time spent in trials run by this call.
	Seconds float64
}

// Args returns the argv of one trial of bin.
func Args(bin, bench, benchtime string) []string {
	args := []string{bin, "-test.run=^$", "-test.bench=" + bench, "-test.count=1", "-test.benchmem"}
	if benchtime != "" {
		args = append(args, "-test.benchtime="+benchtime)
	}
	return args
}

// trialKey identifies a trial of a plan.
type trialKey struct {
	round        int
	variant, pkg string
}

// runState is the bookkeeping of one Run.
type runState struct {
	opts     Options
	userRE   *regexp.Regexp
	out      Outcome
	excluded map[Unit]map[string]bool // failed benchmarks per unit
	dead     map[Unit]bool            // units that can produce nothing more
	dropped  map[string]bool          // variants dropped by decisions
}

// Run runs the trials in order. A trial that fails is recorded in Failures
// with the tail of its output; the benchmark that failed is left out of that
// binary's later trials, and a binary that produces nothing at all is
// dropped. Trials are grouped in rounds by their Round; after each round
// Options.AfterRound may drop variants, move the last round or stop.
// Cancelling ctx stops before the next trial; see Options.Kill for the one
// running.
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
	st := &runState{
		opts: opts, userRE: userRE,
		out:      Outcome{Unsupported: map[string]string{}},
		excluded: map[Unit]map[string]bool{},
		dead:     map[Unit]bool{},
		dropped:  map[string]bool{},
	}
	replayed := map[trialKey]Record{}
	decisions := map[int]Decision{}
	for _, r := range opts.Replay {
		if r.Decision != nil {
			decisions[r.Round] = *r.Decision
		} else {
			replayed[trialKey{r.Round, r.Variant, r.Package}] = r
		}
	}
	last := 0
	if len(trials) > 0 {
		last = trials[len(trials)-1].Round
	}
	st.out.Rounds = last
	start := time.Now()
	for i := 0; i < len(trials); {
		round := trials[i].Round
		if round > st.out.Rounds {
			break
		}
		j := i
		for j < len(trials) && trials[j].Round == round {
			j++
		}
		for k := i; k < j; k++ {
			tr := trials[k]
			u := tr.Unit
			if st.dropped[u.Variant] || st.dead[u] {
				continue
			}
			bench := st.bench(u)
			if bench == "" {
				st.dead[u] = true
				continue
			}
			if rec, ok := replayed[trialKey{tr.Round, u.Variant, u.Package}]; ok {
				st.out.Replayed++
				st.apply(tr, rec, false)
				continue
			}
			if ctx.Err() != nil {
				return st.out, ctx.Err()
			}
			st.event(opts, trials, k, false, start)
			if opts.Progress == nil {
				total := st.total(trials, k)
				fmt.Fprintf(opts.Log, "round %d/%d trial %d/%d %s %s%s\n", tr.Round, st.out.Rounds, st.out.Done+1, total, u.Variant, u.Package, eta(start, st.out.Done-st.out.Replayed, total-st.out.Replayed))
			}
			rec, ok := st.run(ctx, tr, bench)
			if !ok {
				// Interrupted mid-trial: its partial output is not a sample.
				return st.out, ctx.Err()
			}
			if opts.Record != nil {
				opts.Record(rec)
			}
			st.apply(tr, rec, true)
			st.event(opts, trials, k+1, true, start)
		}
		i = j
		d, ok := decisions[round]
		if !ok {
			if opts.AfterRound == nil {
				continue
			}
			d = opts.AfterRound(round, &st.out)
			if opts.Record != nil {
				opts.Record(Record{Round: round, Decision: &d})
			}
		}
		for _, x := range d.Drop {
			if st.dropped[x.Variant] {
				continue
			}
			st.dropped[x.Variant] = true
			x.Round = round
			st.out.Dropped = append(st.out.Dropped, x)
		}
		if d.Rounds > 0 {
			st.out.Rounds = max(min(d.Rounds, last), round)
		}
		if d.Stop != "" {
			st.out.Stopped = d.Stop
			st.out.Rounds = round
			break
		}
	}
	return st.out, nil
}

// bench returns the -test.bench pattern of u's next trial, or "" when none
// of its benchmarks is left.
func (st *runState) bench(u Unit) string {
	ex := st.excluded[u]
	if len(ex) == 0 {
		return st.opts.Bench
	}
	return remaining(st.opts.Benchmarks[u.Package], st.userRE, st.opts.Bench, ex)
}

// total returns the number of trials of the plan as it stands: those done,
// and those from trials[next] on still to run.
func (st *runState) total(trials []Trial, next int) int {
	n := st.out.Done
	for _, tr := range trials[next:] {
		if tr.Round > st.out.Rounds {
			break
		}
		if !st.dropped[tr.Unit.Variant] && !st.dead[tr.Unit] {
			n++
		}
	}
	return n
}

// event reports the progress of trials[k] (done, or starting), the next
// trial to run being trials[next].
func (st *runState) event(opts Options, trials []Trial, next int, done bool, start time.Time) {
	if opts.Progress == nil {
		return
	}
	k := next
	if done {
		k = next - 1
	}
	opts.Progress(Event{Trial: trials[k], Done: done, Trials: st.out.Done, Total: st.total(trials, next), LastRound: st.out.Rounds, Elapsed: time.Since(start)})
}

// run runs one trial and returns its record; false when ctx ended it.
func (st *runState) run(ctx context.Context, tr Trial, bench string) (Record, bool) {
	opts := st.opts
	u := tr.Unit
	runCtx := ctx
	if opts.Kill != nil {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		stop := context.AfterFunc(opts.Kill, cancel)
		defer stop()
	}
	res, runErr := opts.Runner.Run(runCtx, gotool.Cmd{Args: Args(u.Binary, bench, opts.Benchtime), Dir: u.Dir, Timeout: opts.Timeout})
	if runErr != nil && (ctx.Err() != nil || runCtx.Err() != nil) {
		// Killed, or ended by the same signal that cancelled ctx (a terminal
		// sends it to the whole process group).
		return Record{}, false
	}
	st.out.Seconds += res.Duration.Seconds()
	rec := Record{Round: tr.Round, Variant: u.Variant, Package: u.Package, Stdout: string(res.Stdout), Seconds: res.Duration.Seconds()}
	if runErr != nil || len(res.Stderr) > 0 {
		rec.Output = tail(string(res.Stdout)+string(res.Stderr), 200)
	}
	if runErr != nil {
		rec.Error = runErr.Error()
		var ge *gotool.Error
		if errors.As(runErr, &ge) {
			rec.Error = trialError(ge)
		}
	}
	return rec, true
}

// apply adds a trial's record to the outcome, live or replayed.
func (st *runState) apply(tr Trial, rec Record, live bool) {
	u := tr.Unit
	st.out.Done++
	output := rec.Output
	if output == "" {
		output = rec.Stdout
	}
	if strings.Contains(output, unsupportedCPU) {
		st.out.Unsupported[u.Variant] = strings.TrimSpace(firstLineContaining(output, unsupportedCPU))
		st.dead[u] = true
		return
	}
	if live {
		writeRaw(st.opts.Raw, st.opts.Keys, u, tr.Round, []byte(rec.Stdout))
	}
	samples := parse([]byte(rec.Stdout), u, tr.Round)
	st.out.Samples = append(st.out.Samples, samples...)
	if rec.Error == "" {
		return
	}
	f := result.Failure{Variant: u.Variant, Package: u.Package, Round: tr.Round, Error: rec.Error, Output: excerpt(output)}
	name := failedBenchmark(rec.Stdout)
	if name == "" {
		name = stackBenchmark(output)
	}
	if name != "" {
		f.Error = name + ": " + f.Error
		if st.excluded[u] == nil {
			st.excluded[u] = map[string]bool{}
		}
		st.excluded[u][name] = true
		if len(st.opts.Benchmarks[u.Package]) == 0 || strings.Contains(st.opts.Bench, "/") {
			// Without the list of benchmarks (or with a sub-benchmark
			// pattern) the failing one cannot be left out alone.
			if len(samples) == 0 {
				st.dead[u] = true
			}
			delete(st.excluded, u)
		}
	} else if len(samples) == 0 {
		st.dead[u] = true
	}
	if live {
		fmt.Fprintf(st.opts.Log, "  %s %s round %d failed: %s\n", u.Variant, u.Package, tr.Round, firstLine(f.Error))
	}
	st.out.Failures = append(st.out.Failures, f)
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
