package tune

import (
	"github.com/gotune/gotune/internal/axis"

	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/resume"
)

// fixture writes a tiny module with two benchmarks and returns its folder.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/fx\n\ngo 1.21\n",
		"fx.go":  "package fx\n\nvar Tag = \"\"\n\n// Sum adds the squares below n.\nfunc Sum(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += i * i\n\t}\n\treturn s + len(Tag)\n}\n",
		"fx_test.go": "package fx\n\nimport \"testing\"\n\nfunc BenchmarkSum(b *testing.B) {\n\tfor b.Loop() {\n\t\tSum(100)\n\t}\n}\n\n" +
			"func BenchmarkMore(b *testing.B) {\n\tfor b.Loop() {\n\t\tSum(200)\n\t}\n}\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// synth is a Runner that runs the go command for real but answers every
// benchmark trial with synthetic times: each variant's speed is a factor
// of its settings (found in its binary's folder name), with a little
// deterministic noise. It records the trials it answered.
type synth struct {
	real    gotool.Runner
	factors map[string]float64 // setting (as in a variant name, e.g. "goamd64=v3") → time factor
	before  func(n int)        // called before the n-th trial (1-based)
	// took is the duration each trial reports; no time passes.
	took time.Duration

	mu     sync.Mutex
	trials []string // binary folder of each trial
}

func (s *synth) Run(ctx context.Context, c gotool.Cmd) (gotool.Result, error) {
	if !strings.HasSuffix(c.Args[0], ".test") {
		return s.real.Run(ctx, c)
	}
	s.mu.Lock()
	s.trials = append(s.trials, filepath.Base(filepath.Dir(c.Args[0])))
	n := len(s.trials)
	s.mu.Unlock()
	if s.before != nil {
		s.before(n)
	}
	variant := filepath.Base(filepath.Dir(c.Args[0]))
	f := 1.0
	for setting, x := range s.factors {
		if strings.Contains(variant, setting) {
			f *= x
		}
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s %d", variant, n)
	noise := 1 + 0.01*(float64(h.Sum64()%200)/100-1)
	out := fmt.Sprintf("goos: linux\ngoarch: amd64\npkg: example.com/fx\nBenchmarkSum-2 \t 1000\t %.1f ns/op\t 0 B/op\t 0 allocs/op\nBenchmarkMore-2 \t 1000\t %.1f ns/op\t 0 B/op\t 0 allocs/op\nPASS\n",
		1000*f*noise, 2000*f*noise)
	return gotool.Result{Stdout: []byte(out), Duration: s.took}, nil
}

func (s *synth) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.trials)
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds real test binaries; skipped with -short")
	}
}

// perVariant counts the sec/op samples of BenchmarkSum of each variant.
func perVariant(run *result.Run) map[string]int {
	n := map[string]int{}
	for _, s := range run.Samples {
		if s.Benchmark == "Sum" && s.Unit == "sec/op" {
			n[s.Variant]++
		}
	}
	return n
}

// TestSearchResumeAfterSignal interrupts a run with SIGINT in the middle of
// its measurements, then resumes it: the trial running when the signal
// came finishes and is kept, nothing measured before the interrupt is lost
// or measured again, and the final sample counts are the plan's.
func TestSearchResumeAfterSignal(t *testing.T) {
	skipShort(t)
	dir, work := fixture(t), t.TempDir()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &synth{real: gotool.Exec{}, before: func(n int) {
		if n == 3 {
			syscall.Kill(os.Getpid(), syscall.SIGINT)
			<-ctx.Done() // the signal arrives while this trial runs
		}
	}}
	opts := Options{Dir: dir, WorkDir: work, Count: 4, Benchtime: "100x", Seed: 11, Runner: r,
		Axes: axis.Values{"gcflags": {"", "-l"}}}
	so := SearchOptions{Search: SearchGrid, NoRace: true}
	first, err := RunSearch(ctx, opts, so)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the interrupt", err)
	}
	if first == nil || first.Search.Trials != 3 || len(first.Samples) != 3*2*3 {
		t.Fatalf("interrupted run: %d trials, %d samples; want the 3 finished trials kept", first.Search.Trials, len(first.Samples))
	}
	runDir := first.WorkDir
	st, err := resume.ReadState(runDir)
	if err != nil || st.Complete || st.Interrupted != 1 || !strings.Contains(st.Resume, "--resume") {
		t.Fatalf("state after the interrupt: %+v, %v", st, err)
	}
	saved, err := loadResult(filepath.Join(runDir, "result.json"))
	if err != nil || saved == nil || len(saved.Samples) != len(first.Samples) {
		t.Fatalf("result.json after the interrupt: %v samples, %v", len(saved.Samples), err)
	}

	// Resume with none of the options: they come from the state.
	stop()
	r.before = nil
	final, err := RunSearch(context.Background(), Options{Dir: dir, WorkDir: work, Runner: r}, SearchOptions{Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if final.WorkDir != runDir || final.Seed != 11 || final.Search.Resumed != 1 {
		t.Errorf("resumed run in %s with seed %d (resumed %d), want %s, 11, 1", final.WorkDir, final.Seed, final.Search.Resumed, runDir)
	}
	if got := perVariant(final); got["baseline"] != 4 || got["gcflags=-l"] != 4 || len(got) != 2 {
		t.Errorf("samples per variant %v, want 4 each: the plan's count", got)
	}
	if r.count() != 8 || final.Search.Trials != 8 {
		t.Errorf("ran %d trials in all (%d in the result), want 8: no trial measured twice", r.count(), final.Search.Trials)
	}
	for i, s := range first.Samples {
		if final.Samples[i] != s {
			t.Fatalf("sample %d measured before the interrupt changed: %+v, now %+v", i, s, final.Samples[i])
		}
	}
	if st, _ := resume.ReadState(runDir); !st.Complete {
		t.Error("the state is not marked complete")
	}
	if _, err := RunSearch(context.Background(), Options{Dir: dir, WorkDir: work, Runner: r}, SearchOptions{Resume: true}); !errors.As(err, new(InputError)) {
		t.Errorf("resuming a finished run: %v, want an input error", err)
	}
	raw, _ := os.ReadFile(filepath.Join(runDir, "results.txt"))
	if n := strings.Count(string(raw), "\nround: ") + strings.Count(string(raw[:min(len(raw), 7)]), "round: "); n != 8 {
		t.Errorf("results.txt holds %d trials, want 8", n)
	}
}

// TestSearchScreenRaceCombine screens a 12-variant matrix: one axis at a
// time first, racing drops the clearly slower value, and the best values
// of two axes are combined, built and confirmed; a grid of the same matrix
// finds the same winner with more builds.
func TestSearchScreenRaceCombine(t *testing.T) {
	skipShort(t)
	dir, work := fixture(t), t.TempDir()
	factors := map[string]float64{"goamd64=v2": 0.97, "gcflags=-l": 1.6, "ldflags=-X": 0.9}
	axes := axis.Values{"goamd64": {"v1", "v2"}, "gcflags": {"", "-l"}, "ldflags": {"", "-X example.com/fx.Tag=x"}}
	// Only v2 is needed: the synthetic times do not depend on the CPU.
	r := &synth{real: gotool.Exec{}, factors: factors}
	opts := Options{Dir: dir, WorkDir: work, Count: 8, Benchtime: "100x", Seed: 3, Runner: r, Axes: axes}
	so := SearchOptions{Search: SearchScreen, MinRounds: 4}
	run, err := RunSearch(context.Background(), opts, so)
	if err != nil {
		t.Fatal(err)
	}
	sr := run.Search
	const combo = "goamd64=v2,ldflags=-X example.com/fx.Tag=x"
	if sr.Mode != SearchScreen || sr.Combination != combo || run.Winner != combo {
		t.Fatalf("mode %s, combination %q, winner %q; want screen and %q", sr.Mode, sr.Combination, run.Winner, combo)
	}
	// 1 + 1 + 1 + 1 first, then the combination: 5 of the 8 variants.
	if sr.Builds != 5 || len(sr.Stages) != 2 || sr.Stages[0].Name != "axes" || sr.Stages[1].Name != "combination" {
		t.Errorf("%d builds, stages %+v", sr.Builds, sr.Stages)
	}
	if d := run.Variant("gcflags=-l").Dropped; d == nil || d.Stage != "axes" || d.Round < 4 || d.Round >= 8 || d.Leader != "baseline" {
		t.Errorf("gcflags=-l dropped %+v, want after round 4..7 of axes, slower than the baseline", d)
	}
	if got := perVariant(run)["gcflags=-l"]; got >= 8 {
		t.Errorf("gcflags=-l has %d samples: racing saved nothing", got)
	}
	if v := run.Variant("goamd64=v2,gcflags=-l"); v.Status != result.StatusSkipped || !strings.Contains(v.Reason, "screening") {
		t.Errorf("a variant screening did not build: %s %q", v.Status, v.Reason)
	}
	if !strings.Contains(strings.Join(run.Warnings, "\n"), "racing: gcflags=-l was dropped after round") {
		t.Errorf("the report does not say what racing dropped: %q", run.Warnings)
	}

	grid, err := RunSearch(context.Background(), opts, SearchOptions{Search: SearchGrid, NoRace: true})
	if err != nil {
		t.Fatal(err)
	}
	if grid.Winner != run.Winner {
		t.Errorf("grid winner %q, screening winner %q", grid.Winner, run.Winner)
	}
	if grid.Search.Builds+grid.Search.CachedBuilds != 8 || grid.Search.CachedBuilds != 5 {
		t.Errorf("grid: %d builds and %d from the cache, want 3 and 5 (screening built 5)", grid.Search.Builds, grid.Search.CachedBuilds)
	}
}

// TestSearchCache runs the same search twice: the second reuses the
// result; --fresh builds and measures again; another count measures again
// with the cached binaries.
func TestSearchCache(t *testing.T) {
	skipShort(t)
	dir, work := fixture(t), t.TempDir()
	r := &synth{real: gotool.Exec{}}
	opts := Options{Dir: dir, WorkDir: work, Count: 2, Benchtime: "100x", Seed: 5, Runner: r,
		Axes: axis.Values{"gcflags": {"", "-l"}}}
	tests := []struct {
		name                  string
		count                 int
		fresh                 bool
		builds, cached, trial int
		reused                bool
	}{
		{name: "first run builds", count: 2, builds: 2, trial: 4},
		{name: "same run reuses the result", count: 2, reused: true},
		{name: "fresh builds again", count: 2, fresh: true, builds: 2, trial: 4},
		{name: "another count uses cached builds", count: 3, cached: 2, trial: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.count()
			o := opts
			o.Count = tt.count
			run, err := RunSearch(context.Background(), o, SearchOptions{Fresh: tt.fresh})
			if err != nil {
				t.Fatal(err)
			}
			sr := run.Search
			if tt.reused {
				if sr.ReusedFrom == "" || r.count() != before {
					t.Errorf("reused from %q after %d new trials; want a reuse and none", sr.ReusedFrom, r.count()-before)
				}
				return
			}
			if sr.ReusedFrom != "" || sr.Builds != tt.builds || sr.CachedBuilds != tt.cached || r.count()-before != tt.trial {
				t.Errorf("reused %q, %d builds, %d cached, %d trials; want %d, %d, %d", sr.ReusedFrom, sr.Builds, sr.CachedBuilds, r.count()-before, tt.builds, tt.cached, tt.trial)
			}
			for _, v := range run.Variants {
				for _, b := range v.Builds {
					if _, err := os.Stat(b.Binary); err != nil {
						t.Errorf("%s: binary %s: %v", v.Name, b.Binary, err)
					}
				}
			}
		})
	}
}

// TestSearchBudget plans the rounds from the trials' durations: with 10s
// trials, two variants and a budget of 3 minutes, about 9 rounds fit after
// round 1, far fewer than the 50 a budget allows without --count, and at
// least 3. (The synthetic trials take no real time, so the plan made again
// after round 3 finds a little more room than a real run would.)
func TestSearchBudget(t *testing.T) {
	skipShort(t)
	dir, work := fixture(t), t.TempDir()
	r := &synth{real: gotool.Exec{}, took: 10 * time.Second}
	opts := Options{Dir: dir, WorkDir: work, Benchtime: "100x", Seed: 8, Runner: r,
		Axes: axis.Values{"gcflags": {"", "-l"}}}
	run, err := RunSearch(context.Background(), opts, SearchOptions{Search: SearchGrid, NoRace: true, Budget: 3 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	rounds := run.Search.Rounds
	if rounds < 3 || rounds > 12 || run.Count != rounds || run.Search.Budget != "3m0s" {
		t.Fatalf("budget planned %d rounds (count %d, budget %q), want 3 to 12", rounds, run.Count, run.Search.Budget)
	}
	if got := perVariant(run); got["baseline"] != rounds || got["gcflags=-l"] != rounds {
		t.Errorf("samples per variant %v, want %d each", got, rounds)
	}
	if c := run.Calibration; c == nil || c.Count != rounds || c.Rounds != rounds {
		t.Errorf("calibration %+v, want it for the %d rounds measured", c, rounds)
	}
}

// TestSearchCalibrate measures the baseline against itself before the
// run: the A/A result and this machine's noise floor go to the result,
// the A/A samples stay out of the run's samples and raw results, and the
// run's own rounds follow the calibration's.
func TestSearchCalibrate(t *testing.T) {
	skipShort(t)
	dir, work := fixture(t), t.TempDir()
	r := &synth{real: gotool.Exec{}}
	opts := Options{Dir: dir, WorkDir: work, Count: 6, Benchtime: "100x", Seed: 2, Runner: r,
		Axes: axis.Values{"gcflags": {"", "-l"}}}
	run, err := RunSearch(context.Background(), opts, SearchOptions{Search: SearchGrid, NoRace: true, Calibrate: true})
	if err != nil {
		t.Fatal(err)
	}
	c := run.Calibration
	if c == nil || c.Source != result.CalibrationAA || c.AA == nil || c.Rounds != 6 || c.Count != 6 || !(c.NoiseFloor > 0 && c.NoiseFloor < 0.05) {
		t.Fatalf("calibration %+v", c)
	}
	if !(c.AA.Lo <= 1 && c.AA.Hi >= 1) {
		t.Errorf("A/A ratio %+v excludes 1 on noise of ±1%%", *c.AA)
	}
	if got := perVariant(run); len(got) != 2 || got["baseline"] != 6 {
		t.Errorf("samples per variant %v: the A/A twin must stay out", got)
	}
	if r.count() != 6*2+6*2 {
		t.Errorf("%d trials, want 12 A/A and 12 measured", r.count())
	}
	if st := run.Search.Stages; len(st) != 1 || st[0].FirstRound != 7 {
		t.Errorf("stages %+v, want the grid from round 7", st)
	}
	raw, _ := os.ReadFile(run.RawFile)
	if strings.Contains(string(raw), twinSuffix) || strings.Count(string(raw), "round: ") != 12 {
		t.Errorf("raw results hold the A/A twin or miss trials")
	}
}
