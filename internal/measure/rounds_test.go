package measure

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
)

// runnerFunc is a Runner that sees the context of each command.
type runnerFunc func(ctx context.Context, c gotool.Cmd) (gotool.Result, error)

func (f runnerFunc) Run(ctx context.Context, c gotool.Cmd) (gotool.Result, error) { return f(ctx, c) }

// counting answers every trial with okOutput whose A time is the number of
// the call, so that each sample can be traced to its trial.
func counting(calls *[]string) runnerFunc {
	return func(ctx context.Context, c gotool.Cmd) (gotool.Result, error) {
		*calls = append(*calls, c.Args[0])
		out := strings.Replace(okOutput, "1200 ns/op", fmt.Sprintf("%d ns/op", 1000+len(*calls)), 1)
		return gotool.Result{Stdout: []byte(out)}, nil
	}
}

func threeUnits() []Unit {
	return []Unit{
		{Variant: "base", Package: "p", Binary: "/w/base.test"},
		{Variant: "a", Package: "p", Binary: "/w/a.test"},
		{Variant: "b", Package: "p", Binary: "/w/b.test"},
	}
}

// perVariant counts the sec/op samples of benchmark A per variant.
func perVariant(samples []result.Sample) map[string]int {
	n := map[string]int{}
	for _, s := range samples {
		if s.Benchmark == "A" && s.Unit == "sec/op" {
			n[s.Variant]++
		}
	}
	return n
}

func TestRunDecisions(t *testing.T) {
	tests := []struct {
		name    string
		decide  func(round int, out *Outcome) Decision
		counts  map[string]int
		rounds  int
		stopped string
		dropped []Drop
	}{
		{
			name:   "no hook runs the plan",
			counts: map[string]int{"base": 6, "a": 6, "b": 6},
			rounds: 6,
		},
		{
			name: "a dropped variant misses the later rounds",
			decide: func(round int, out *Outcome) Decision {
				if round == 2 {
					return Decision{Drop: []Drop{{Variant: "a", Reason: "slower"}}}
				}
				return Decision{}
			},
			counts:  map[string]int{"base": 6, "a": 2, "b": 6},
			rounds:  6,
			dropped: []Drop{{Variant: "a", Round: 2, Reason: "slower"}},
		},
		{
			name: "stop ends the run after the round",
			decide: func(round int, out *Outcome) Decision {
				if round == 3 {
					return Decision{Stop: "separated"}
				}
				return Decision{}
			},
			counts:  map[string]int{"base": 3, "a": 3, "b": 3},
			rounds:  3,
			stopped: "separated",
		},
		{
			name: "a budget moves the last round, never past the plan",
			decide: func(round int, out *Outcome) Decision {
				switch round {
				case 1:
					return Decision{Rounds: 4}
				case 2:
					return Decision{Rounds: 99}
				case 3:
					return Decision{Rounds: 5}
				}
				return Decision{}
			},
			counts: map[string]int{"base": 5, "a": 5, "b": 5},
			rounds: 5,
		},
		{
			name: "the hook sees every sample so far",
			decide: func(round int, out *Outcome) Decision {
				if got := len(perVariant(out.Samples)); got != 3 || out.Done != 3*round {
					return Decision{Stop: fmt.Sprintf("round %d saw %d trials", round, out.Done)}
				}
				return Decision{}
			},
			counts: map[string]int{"base": 6, "a": 6, "b": 6},
			rounds: 6,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			out, err := Run(context.Background(), Options{Runner: counting(&calls), AfterRound: tt.decide}, Plan(threeUnits(), 6, 1))
			if err != nil {
				t.Fatal(err)
			}
			if got := perVariant(out.Samples); fmt.Sprint(got) != fmt.Sprint(tt.counts) {
				t.Errorf("samples per variant %v, want %v", got, tt.counts)
			}
			if out.Rounds != tt.rounds || out.Stopped != tt.stopped {
				t.Errorf("rounds %d stopped %q, want %d %q", out.Rounds, out.Stopped, tt.rounds, tt.stopped)
			}
			if fmt.Sprint(out.Dropped) != fmt.Sprint(tt.dropped) {
				t.Errorf("dropped %v, want %v", out.Dropped, tt.dropped)
			}
			if out.Done != len(calls) {
				t.Errorf("done %d, ran %d", out.Done, len(calls))
			}
		})
	}
}

// TestRunReplayContinues interrupts a run, continues it from its journal
// and checks that the result equals the plan: every trial once, the
// samples measured before the interrupt kept as they were, the decisions
// taken before it kept too.
func TestRunReplayContinues(t *testing.T) {
	for _, stopAfter := range []int{1, 4, 8, 9, 10, 14} {
		t.Run(fmt.Sprint("after ", stopAfter), func(t *testing.T) {
			plan := Plan(threeUnits(), 6, 42)
			// The hook drops b after round 3 on the first run only: the
			// replayed run must keep that decision, not decide again.
			firstRun := true
			decide := func(round int, out *Outcome) Decision {
				if round == 3 && firstRun {
					return Decision{Drop: []Drop{{Variant: "b"}}}
				}
				return Decision{}
			}
			ctx, cancel := context.WithCancel(context.Background())
			var calls []string
			inner := counting(&calls)
			var journal []Record
			var raw1 bytes.Buffer
			first, err := Run(ctx, Options{
				Runner: runnerFunc(func(c context.Context, cmd gotool.Cmd) (gotool.Result, error) {
					if len(calls)+1 == stopAfter {
						cancel() // a signal arrives during this trial
					}
					return inner(c, cmd)
				}),
				AfterRound: decide, Raw: &raw1, Kill: context.Background(),
				Record: func(r Record) { journal = append(journal, r) },
			}, plan)
			if err == nil {
				t.Fatal("want the context's error")
			}
			if first.Done != stopAfter {
				t.Fatalf("the first run did %d trials, want %d: the running trial finishes", first.Done, stopAfter)
			}

			// The journal survives as JSON lines would.
			firstRun = false
			var raw2 bytes.Buffer
			second, err := Run(context.Background(), Options{Runner: inner, AfterRound: decide, Replay: journal, Raw: &raw2}, plan)
			if err != nil {
				t.Fatal(err)
			}
			wantB := 6
			if stopAfter >= 9 {
				wantB = 3 // round 3 ended before the interrupt: its decision stands
			}
			if got, want := perVariant(second.Samples), map[string]int{"a": 6, "b": wantB, "base": 6}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("samples per variant %v, want %v", got, want)
			}
			if second.Replayed != stopAfter || second.Done != len(calls) {
				t.Errorf("replayed %d, done %d, ran %d in all", second.Replayed, second.Done, len(calls))
			}
			if !slices.Equal(second.Samples[:len(first.Samples)], first.Samples) {
				t.Errorf("the samples measured before the interrupt changed")
			}
			if n1, n2 := strings.Count(raw1.String(), "round: "), strings.Count(raw2.String(), "round: "); n1+n2 != second.Done {
				t.Errorf("raw output holds %d+%d trials, want %d: replayed trials are not written again", n1, n2, second.Done)
			}
		})
	}
}

// TestRunKill checks what happens to the trial running when ctx ends: it
// finishes and counts, unless Kill ends too (or Kill is unset).
func TestRunKill(t *testing.T) {
	tests := []struct {
		name     string
		kill     func(ctx context.Context) context.Context
		wantDone int
		killed   bool // the trial waits to be killed, as a process would be
	}{
		{"no kill context: killed with ctx", func(ctx context.Context) context.Context { return nil }, 1, true},
		{"kill context alive: finishes", func(ctx context.Context) context.Context { return context.Background() }, 2, false},
		{"kill context ended: killed", func(ctx context.Context) context.Context { return ctx }, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			n := 0
			r := runnerFunc(func(c context.Context, cmd gotool.Cmd) (gotool.Result, error) {
				n++
				if n == 2 {
					cancel()
					if tt.killed {
						<-c.Done()
					}
				}
				if c.Err() != nil {
					return gotool.Result{Stdout: []byte("BenchmarkA-2 \t")}, &gotool.Error{Cmd: cmd, ExitCode: -1, Err: c.Err()}
				}
				return gotool.Result{Stdout: []byte(okOutput)}, nil
			})
			out, err := Run(ctx, Options{Runner: r, Kill: tt.kill(ctx)}, Plan([]Unit{{Variant: "v", Binary: "/w/p.test"}}, 5, 1))
			if err == nil {
				t.Fatal("want the context's error")
			}
			if out.Done != tt.wantDone || len(out.Failures) != 0 {
				t.Errorf("done %d with failures %v, want %d and none: a killed trial is not a failure", out.Done, out.Failures, tt.wantDone)
			}
		})
	}
}

// TestRunReplayKeepsFailures checks that a failing benchmark stays left
// out after a replay, as it would in an uninterrupted run.
func TestRunReplayKeepsFailures(t *testing.T) {
	f := &gotool.Fake{}
	f.On("-test.bench=.", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte(panicOutput)}, &gotool.Error{Cmd: c, ExitCode: 2}
	})
	f.On("-test.bench=^(BenchmarkA)$", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte("BenchmarkA-2 \t 1000\t 1100 ns/op\n")}, nil
	})
	u := Unit{Variant: "v", Package: "p", Binary: "/w/p.test"}
	opts := Options{Runner: f, Benchmarks: map[string][]string{"p": {"BenchmarkA", "BenchmarkB"}}}
	var journal []Record
	opts.Record = func(r Record) { journal = append(journal, r) }
	plan := Plan([]Unit{u}, 4, 1)
	if _, err := Run(context.Background(), opts, plan[:1]); err != nil {
		t.Fatal(err)
	}
	opts.Record, opts.Replay = nil, journal
	f.Calls = nil
	out, err := Run(context.Background(), opts, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failures) != 1 || !strings.Contains(out.Failures[0].Output, "panic: boom") {
		t.Errorf("failures %+v, want the replayed panic", out.Failures)
	}
	for _, c := range f.Calls {
		if !strings.Contains(strings.Join(c.Args, " "), "^(BenchmarkA)$") {
			t.Errorf("after the replay ran %q: the failed benchmark must stay out", c.Args)
		}
	}
	if len(f.Calls) != 3 {
		t.Errorf("ran %d trials after the replay, want 3", len(f.Calls))
	}
}

func TestRunProgress(t *testing.T) {
	var events []Event
	var calls []string
	var log bytes.Buffer
	_, err := Run(context.Background(), Options{
		Runner: counting(&calls), Log: &log,
		AfterRound: func(round int, out *Outcome) Decision {
			if round == 1 {
				return Decision{Drop: []Drop{{Variant: "a"}}}
			}
			return Decision{}
		},
		Progress: func(e Event) { events = append(events, e) },
	}, Plan(threeUnits(), 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	// 3 trials in round 1, then 2 in each of rounds 2 and 3.
	if len(events) != 14 {
		t.Fatalf("%d events, want 14", len(events))
	}
	for _, e := range events {
		if e.Trials > e.Total || (e.Done && e.Trials == 0) {
			t.Errorf("event %+v: trials beyond the total", e)
		}
	}
	// After the drop the total shrinks to the trials that will run.
	if e := events[6]; e.Total != 7 {
		t.Errorf("first event after the drop %+v, want a total of 7", e)
	}
	lastEv := events[len(events)-1]
	if !lastEv.Done || lastEv.Trials != 7 || lastEv.Total != 7 || lastEv.LastRound != 3 {
		t.Errorf("last event %+v, want 7 of 7 done", lastEv)
	}
	if first := events[0]; first.Done || first.Total != 9 {
		t.Errorf("first event %+v, want the start of 9 planned trials", first)
	}
	if strings.Contains(log.String(), "trial") {
		t.Errorf("with a progress callback the log has trial lines:\n%s", log.String())
	}
}
