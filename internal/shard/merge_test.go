package shard

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

var plan3 = result.PlanID{Module: "example.com/m", Matrix: "m1", Seed: 5, Revision: "r1", Split: "s1", Benchmarks: 6}

// fakeShard is shard k/n of plan3: two benchmarks measured in cycles
// blocks on host cpu, with variant "fast" effect (a log-ratio) faster or
// slower than the baseline and "same" of the baseline's speed, with noise
// sd. The times of different runners differ by speed.
func fakeShard(k, n int, cpu string, cycles int, effect, speed float64, rng *rand.Rand) *result.Run {
	r := &result.Run{
		GoVersion: "go1.26.0", Module: "example.com/m", Baseline: "baseline",
		Host:    result.Host{GOOS: "linux", GOARCH: "amd64", CPU: cpu, NumCPU: 4, GOAMD64Max: "v3", Kernel: "6.8.0"},
		Options: options.Options{Seed: 5, Equivalence: 0.02, MinBlocks: 6, Shard: fmt.Sprintf("%d/%d", k, n)},
		Shard:   &result.Shard{Index: k, Count: n, Balance: "equal counts", Plan: plan3},
		Search:  &result.Search{Mode: result.SearchGrid, Trials: 3 * cycles * 2},
		Variants: []result.Variant{
			{Name: "baseline", Status: result.StatusOK},
			{Name: "fast", Status: result.StatusOK},
			{Name: "same", Status: result.StatusOK},
		},
	}
	pkg := fmt.Sprintf("example.com/m/p%d", k)
	names := []string{fmt.Sprintf("BenchmarkA%d", k), fmt.Sprintf("BenchmarkB%d", k)}
	for _, b := range names {
		r.Benchmarks = append(r.Benchmarks, result.Benchmark{Package: pkg, Name: b})
	}
	idx := 0
	for c := 1; c <= cycles; c++ {
		for j, b := range names {
			idx++
			r.Blocks = append(r.Blocks, result.Block{Index: idx, Cycle: c, Package: pkg, Benchmark: b, Seconds: 0.5})
			base := speed * float64(j+1) * 1e-6 * math.Exp(0.05*rng.NormFloat64()) // drift, shared by the block
			for _, v := range []struct {
				name string
				eff  float64
			}{{"baseline", 0}, {"fast", effect}, {"same", 0}} {
				r.Samples = append(r.Samples, result.Sample{Variant: v.name, Package: pkg, Benchmark: strings.TrimPrefix(b, "Benchmark"), Unit: "sec/op", Block: idx,
					Value: base * math.Exp(v.eff+0.003*rng.NormFloat64())})
			}
		}
	}
	return r
}

func three(rng *rand.Rand) []Input {
	return []Input{
		{"s1.json", fakeShard(1, 3, "cpu A", 12, -0.05, 1, rng)},
		{"s2.json", fakeShard(2, 3, "cpu A", 10, -0.05, 1, rng)},
		{"s3.json", fakeShard(3, 3, "cpu A", 14, -0.05, 1, rng)},
	}
}

func TestCheckRefuses(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name   string
		change func(in []Input) []Input
		want   string
	}{
		{"not a shard", func(in []Input) []Input { in[1].Run.Shard = nil; return in }, "s2.json is not a shard"},
		{"another seed", func(in []Input) []Input { in[2].Run.Shard.Plan.Seed = 6; return in }, "shards of different plans: s1.json has seed 5, s3.json has seed 6"},
		{"another matrix", func(in []Input) []Input { in[1].Run.Shard.Plan.Matrix = "m2"; return in }, "s2.json has matrix m2"},
		{"another revision", func(in []Input) []Input { in[1].Run.Shard.Plan.Revision = "r2"; return in }, "measured target revision r2"},
		{"another split", func(in []Input) []Input { in[1].Run.Shard.Plan.Split = "s2"; return in }, "split 6 benchmarks as"},
		{"another count", func(in []Input) []Input { in[1].Run.Shard.Count = 4; return in }, "s2.json is shard 2/4"},
		{"another module", func(in []Input) []Input { in[1].Run.Shard.Plan.Module = "example.com/x"; return in }, "measured module example.com/x"},
		{"a shard twice", func(in []Input) []Input { return append(in, Input{"again.json", in[1].Run}) }, "shard 2/3 given twice: s2.json and again.json"},
		{"a shard missing", func(in []Input) []Input { return in[:2] }, "shard 3/3 missing: give all 3 shards of the plan (have 2)"},
		{"two missing", func(in []Input) []Input { return in[1:2] }, "shard 1/3, 3/3 missing"},
		{"nothing", func([]Input) []Input { return nil }, "no shards"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Merge(tc.change(three(rng)))
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Merge: %v, want a refusal with %q", err, tc.want)
			}
		})
	}
	if _, err := Merge(three(rng)); err != nil {
		t.Errorf("the three shards of one plan: %v", err)
	}
}

func TestMergeCombines(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	in := three(rng)
	// Shard 2 ran on another CPU, twice as slow: accepted with a note.
	in[1].Run = fakeShard(2, 3, "cpu B", 10, -0.05, 2, rng)
	m, err := Merge([]Input{in[2], in[0], in[1]}) // any order
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Shards) != 3 || m.Shards[0].Index != 1 || m.Shards[2].Index != 3 || m.Shards[1].Host.CPU != "cpu B" {
		t.Fatalf("shards %+v", m.Shards)
	}
	if got := len(m.Blocks); got != 2*(12+10+14) {
		t.Errorf("%d blocks, want every shard's", got)
	}
	seen := map[int]bool{}
	for i, b := range m.Blocks {
		if b.Index != i+1 || seen[b.Index] || b.Shard == 0 {
			t.Fatalf("block %d: %+v: want renumbered 1.. in order, tagged with its shard", i, b)
		}
		seen[b.Index] = true
	}
	cyc := map[int]int{} // cycle → shard: a cycle belongs to one shard
	for _, b := range m.Blocks {
		if s, ok := cyc[b.Cycle]; ok && s != b.Shard {
			t.Fatalf("cycle %d holds blocks of shards %d and %d", b.Cycle, s, b.Shard)
		}
		cyc[b.Cycle] = b.Shard
	}
	if !strings.Contains(strings.Join(m.Warnings, "\n"), "the shards ran on 2 different hosts (shard 1, 3 on cpu A, 4 cores, up to GOAMD64=v3, go1.26.0, linux 6.8.0; shard 2 on cpu B") {
		t.Errorf("warnings %q: want the note about the other CPU", m.Warnings)
	}
	a := m.Analysis
	if !strings.HasPrefix(a.Method, "shards merged") {
		t.Errorf("method %q", a.Method)
	}
	fast, same := m.Stats("fast"), m.Stats("same")
	if fast.Verdict != result.VerdictFaster || math.Abs(fast.Change.Center-math.Exp(-0.05)) > 0.005 || fast.Cycles != 36 {
		t.Errorf("fast: %+v %+v, want faster by about 4.9%% over 36 cycles", fast, *fast.Change)
	}
	if same.Verdict != result.VerdictSame {
		t.Errorf("same: %s %+v, want the same speed", same.Verdict, same.Change)
	}
	if a.Winner != "fast" {
		t.Errorf("winner %q", a.Winner)
	}
	// Per benchmark: every benchmark compared on its own runner, Holm over all.
	n := 0
	for _, c := range a.Comparisons {
		if c.Variant == "fast" && c.Unit == "sec/op" {
			n++
			if !c.Significant || c.Change.Center > 0.96 {
				t.Errorf("%s: %+v, want significantly faster", c.Benchmark, c.Change)
			}
		}
	}
	if n != 6 {
		t.Errorf("%d per-benchmark comparisons of fast, want 6", n)
	}
	for _, s := range m.Shards {
		if len(s.Variants) != 2 || s.Variants[0].Name != "fast" || math.Abs(s.Variants[0].Weight-1.0/3) > 1e-9 {
			t.Errorf("shard %d strata %+v, want fast and same weighted 1/3", s.Index, s.Variants)
		}
	}
}

// TestMergeStratifiesByShard shows that the merged verdict is stratified:
// a variant 6% faster on one shard's benchmarks and unchanged on the
// others is about 2% faster overall, the geometric mean over every
// benchmark, whatever the number of cycles each shard ran.
func TestMergeStratifiesByShard(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	in := []Input{
		{"s1.json", fakeShard(1, 3, "cpu A", 40, -0.06, 1, rng)}, // many cycles
		{"s2.json", fakeShard(2, 3, "cpu A", 8, 0, 1, rng)},
		{"s3.json", fakeShard(3, 3, "cpu A", 8, 0, 1, rng)},
	}
	m, err := Merge(in)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Stats("fast").Change.Center
	if math.Abs(math.Log(got)-(-0.02)) > 0.004 {
		t.Errorf("overall change %.4f, want about exp(-0.02) = %.4f (the pooled cycles, which over-weight the shard of many cycles, give about 0.945)", got, math.Exp(-0.02))
	}
	// Analysing the same merged result again gives the same verdicts.
	again := stats.Analyze(m, stats.Options{Equivalence: 0.02})
	if again.Variants[1].Change.Center != got {
		t.Errorf("re-analysis %v, want %v", again.Variants[1].Change.Center, got)
	}
}

func TestMergeTwinOnOneRunner(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	in := three(rng)
	// On runner 2, "same" had the baseline's compiled code: measured once.
	r := in[1].Run
	r.Variants[2].SameCodeAs = "baseline"
	var keep []result.Sample
	for _, s := range r.Samples {
		if s.Variant != "same" {
			keep = append(keep, s)
		}
	}
	r.Samples = keep
	m, err := Merge(in)
	if err != nil {
		t.Fatal(err)
	}
	if v := m.Variant("same"); v.SameCodeAs != "" || !v.Measured() {
		t.Errorf("same: %+v, want measured (a twin on one runner only)", v)
	}
	if s := m.Stats("same"); s.Cycles != 36 || s.Verdict != result.VerdictSame {
		t.Errorf("same: %d cycles, %s; want 36 (the twin's on runner 2) and the same speed", s.Cycles, s.Verdict)
	}
}
