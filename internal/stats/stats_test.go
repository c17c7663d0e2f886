package stats

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

// wantVariant is what a test expects of one variant after Analyze.
type wantVariant struct {
	verdict                    string
	rank                       int
	improved, worse, unchanged int
}

func TestAnalyzeVerdicts(t *testing.T) {
	tests := []struct {
		name        string
		gen         gen
		specs       []spec
		want        map[string]wantVariant
		winner      string
		sentence    string // substring of run.Verdict
		geomeanNear map[string]float64
		check       func(t *testing.T, run *result.Run)
	}{
		{
			name: "clear win",
			gen:  gen{seed: 1, rounds: 10, benches: 3, noise: 0.02},
			specs: []spec{
				{name: "base"},
				{name: "fast", factor: 0.9, complexity: 1},
			},
			want: map[string]wantVariant{
				"base": {verdict: result.VerdictBaseline, rank: 2},
				"fast": {verdict: result.VerdictFaster, rank: 1, improved: 3},
			},
			winner:      "fast",
			sentence:    "fast is faster than base by ",
			geomeanNear: map[string]float64{"fast": 0.9, "base": 1},
			check: func(t *testing.T, run *result.Run) {
				g := run.Variant("fast").Geomean
				if g == nil {
					t.Fatal("fast has no geomean")
				}
				if !(g.Lo <= g.Center && g.Center <= g.Hi && g.Hi < 1) {
					t.Errorf("fast geomean %+v: want Lo ≤ Center ≤ Hi < 1", *g)
				}
				if !strings.Contains(run.Verdict, "3 of 3 benchmarks improved after Holm correction") {
					t.Errorf("verdict %q does not count 3 of 3 improved benchmarks", run.Verdict)
				}
				if len(run.Comparisons) != 3 {
					t.Errorf("got %d comparisons, want 3", len(run.Comparisons))
				}
				for _, c := range run.Comparisons {
					if !c.Significant || c.Delta > -0.05 || c.PHolm < c.P {
						t.Errorf("comparison %s: significant=%v delta=%.3f p=%.3g pholm=%.3g; want a significant ~-10%% change with PHolm ≥ P",
							c.Benchmark, c.Significant, c.Delta, c.P, c.PHolm)
					}
				}
			},
		},
		{
			name: "slower variant",
			gen:  gen{seed: 2, rounds: 10, benches: 3, noise: 0.02},
			specs: []spec{
				{name: "base"},
				{name: "slow", factor: 1.1, complexity: 1},
			},
			want: map[string]wantVariant{
				"base": {verdict: result.VerdictBaseline, rank: 1},
				"slow": {verdict: result.VerdictSlower, rank: 2, worse: 3},
			},
			winner:      "",
			sentence:    "No variant is significantly faster than the baseline (1 is slower); with 10 rounds this run could detect changes of about",
			geomeanNear: map[string]float64{"slow": 1.1},
			check: func(t *testing.T, run *result.Run) {
				if g := run.Variant("slow").Geomean; g == nil || !(g.Lo > 1) {
					t.Errorf("slow geomean %v: want Lo > 1", g)
				}
			},
		},
		{
			name: "too few samples",
			gen:  gen{seed: 3, rounds: 3, benches: 3, noise: 0.02},
			specs: []spec{
				{name: "base"},
				{name: "fast", factor: 0.8, complexity: 1},
			},
			want: map[string]wantVariant{
				"base": {verdict: result.VerdictBaseline, rank: 2},
				"fast": {verdict: result.VerdictTooFew, rank: 1, unchanged: 3},
			},
			winner:      "",
			sentence:    "could not detect any change",
			geomeanNear: map[string]float64{"fast": 0.8},
			check: func(t *testing.T, run *result.Run) {
				if run.MinDetectable != 0 {
					t.Errorf("MinDetectable = %v, want 0", run.MinDetectable)
				}
				if !hasWarning(run, "need at least 5 samples per side") {
					t.Errorf("no warning says how many samples are needed: %q", run.Warnings)
				}
				// Three samples give unbounded median intervals, kept as
				// ±Inf (result encodes them as null).
				if b := run.Comparisons[0].Base; !math.IsInf(b.Lo, -1) || !math.IsInf(b.Hi, 1) {
					t.Errorf("base summary %+v, want unbounded", b)
				}
				if _, err := json.Marshal(run); err != nil {
					t.Errorf("json.Marshal: %v", err)
				}
			},
		},
		{
			// 5 samples per side reach p=0.0079: enough for 3 comparisons
			// (Holm's strictest step 0.0167)...
			name: "five rounds suffice for a small family",
			gen:  gen{seed: 6, rounds: 5, benches: 3, noise: 0.02},
			specs: []spec{
				{name: "base"},
				{name: "fast", factor: 0.8},
			},
			want: map[string]wantVariant{
				"base": {verdict: result.VerdictBaseline, rank: 2},
				"fast": {verdict: result.VerdictFaster, rank: 1, improved: 3},
			},
			winner:   "fast",
			sentence: "fast is faster than base by ",
		},
		{
			// ...but not for 12 (0.0042), whatever the data say.
			name: "five rounds are too few for a large family",
			gen:  gen{seed: 6, rounds: 5, benches: 3, noise: 0.02},
			specs: []spec{
				{name: "base", bytes: []float64{8, 8, 8}, allocs: []float64{1, 1, 1}},
				{name: "fast", factor: 0.8, bytes: []float64{8, 8, 8}, allocs: []float64{1, 1, 1}},
				{name: "faster", factor: 0.7},
			},
			want: map[string]wantVariant{
				"base":   {verdict: result.VerdictBaseline, rank: 3},
				"fast":   {verdict: result.VerdictTooFew, rank: 2, unchanged: 3},
				"faster": {verdict: result.VerdictTooFew, rank: 1, unchanged: 3},
			},
			winner:   "",
			sentence: "No variant could be compared with the baseline: too few samples; with 5 rounds this run could not detect any change",
			check: func(t *testing.T, run *result.Run) {
				if !hasWarning(run, "over 12 comparisons") || !hasWarning(run, "need at least 6 samples per side") {
					t.Errorf("warnings %q do not explain the Holm family's needs", run.Warnings)
				}
			},
		},
		{
			// One benchmark 10% faster, two 5.5% slower: the geomean is
			// about 1, so significant changes alone make no verdict.
			name: "mixed changes cancel out",
			gen:  gen{seed: 7, rounds: 10, benches: 3, noise: 0.01},
			specs: []spec{
				{name: "base"},
				{name: "mixed", factors: []float64{0.9, 1.055, 1.055}},
			},
			want: map[string]wantVariant{
				"base":  {verdict: result.VerdictBaseline},
				"mixed": {verdict: result.VerdictNoDiff, improved: 1, worse: 2},
			},
			winner:      "",
			sentence:    "No variant is significantly faster than the baseline; with 10 rounds",
			geomeanNear: map[string]float64{"mixed": 1},
			check: func(t *testing.T, run *result.Run) {
				if g := run.Variant("mixed").Geomean; g == nil || !(g.Lo < 1 && g.Hi > 1) {
					t.Errorf("mixed geomean %v: want an interval around 1", g)
				}
			},
		},
		{
			name: "no difference",
			gen:  gen{seed: 4, rounds: 10, benches: 3, noise: 0.02},
			specs: []spec{
				{name: "base"},
				{name: "same", factor: 1, complexity: 1},
			},
			want: map[string]wantVariant{
				"base": {verdict: result.VerdictBaseline},
				"same": {verdict: result.VerdictNoDiff, unchanged: 3},
			},
			winner:      "",
			sentence:    "No variant is significantly faster than the baseline; with 10 rounds this run could detect changes of about",
			geomeanNear: map[string]float64{"same": 1},
		},
		{
			name: "unmeasured variants are not analysed",
			gen:  gen{seed: 5, rounds: 10, benches: 3, noise: 0.02},
			specs: []spec{
				{name: "base"},
				{name: "v4", status: result.StatusSkipped},
				{name: "broken", status: result.StatusBuildFailed},
				{name: "fast", factor: 0.9},
			},
			want: map[string]wantVariant{
				"base":   {verdict: result.VerdictBaseline, rank: 2},
				"v4":     {verdict: result.VerdictNone, rank: 0},
				"broken": {verdict: result.VerdictNone, rank: 0},
				"fast":   {verdict: result.VerdictFaster, rank: 1, improved: 3},
			},
			winner: "fast",
			check: func(t *testing.T, run *result.Run) {
				if v := run.Variant("v4"); v.Geomean != nil {
					t.Errorf("skipped variant got a geomean %+v", *v.Geomean)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := synthRun(tt.gen, tt.specs...)
			Analyze(run, Options{Seed: 1})
			for name, w := range tt.want {
				v := run.Variant(name)
				if v.Verdict != w.verdict {
					t.Errorf("%s: verdict %q, want %q", name, v.Verdict, w.verdict)
				}
				if w.rank != 0 || v.Status != result.StatusOK {
					if v.Rank != w.rank {
						t.Errorf("%s: rank %d, want %d", name, v.Rank, w.rank)
					}
				}
				if v.Improved != w.improved || v.Worse != w.worse || v.Unchanged != w.unchanged {
					t.Errorf("%s: improved/worse/unchanged %d/%d/%d, want %d/%d/%d",
						name, v.Improved, v.Worse, v.Unchanged, w.improved, w.worse, w.unchanged)
				}
			}
			if run.Winner != tt.winner {
				t.Errorf("winner %q, want %q", run.Winner, tt.winner)
			}
			if !strings.Contains(run.Verdict, tt.sentence) {
				t.Errorf("verdict %q does not contain %q", run.Verdict, tt.sentence)
			}
			for name, want := range tt.geomeanNear {
				g := run.Variant(name).Geomean
				if g == nil || math.Abs(g.Center-want) > 0.02 {
					t.Errorf("%s: geomean %v, want about %v", name, g, want)
				}
			}
			if run.Alpha != DefaultAlpha || run.Confidence != DefaultConfidence {
				t.Errorf("alpha %v confidence %v, want the defaults", run.Alpha, run.Confidence)
			}
			if tt.check != nil {
				tt.check(t, run)
			}
		})
	}
}

// TestAnalyzeAA runs A/A experiments: two variants drawn from the same
// distribution must rarely be called different.
func TestAnalyzeAA(t *testing.T) {
	tests := []struct {
		name     string
		gen      gen
		seeds    int
		maxCalls int
	}{
		{name: "10 rounds, 3 benchmarks, 3% noise", gen: gen{rounds: 10, benches: 3, noise: 0.03}, seeds: 40, maxCalls: 2},
		{name: "20 rounds, 8 benchmarks, 5% noise", gen: gen{rounds: 20, benches: 8, noise: 0.05}, seeds: 20, maxCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := 0
			for seed := range tt.seeds {
				g := tt.gen
				g.seed = uint64(seed) + 100
				run := synthRun(g, spec{name: "base"}, spec{name: "a", factor: 1})
				Analyze(run, Options{Seed: int64(seed), Iterations: 500})
				switch v := run.Variant("a"); v.Verdict {
				case result.VerdictNoDiff:
				case result.VerdictFaster, result.VerdictSlower:
					called++
				default:
					t.Fatalf("seed %d: verdict %q, want no difference (or a rare false call)", seed, v.Verdict)
				}
				if run.Winner != "" && run.Variant("a").Verdict != result.VerdictFaster {
					t.Fatalf("seed %d: winner %q without a faster verdict", seed, run.Winner)
				}
			}
			if called > tt.maxCalls {
				t.Errorf("%d of %d A/A runs were called different, want at most %d", called, tt.seeds, tt.maxCalls)
			}
		})
	}
}

func TestAnalyzeWinnerTies(t *testing.T) {
	g := gen{seed: 11, rounds: 10, benches: 3, noise: 0.02}
	tests := []struct {
		name   string
		specs  []spec
		winner string
		clause string // substring of run.Verdict
	}{
		{
			// Same noise, 0.2% apart: "simple" lies well inside the CI of "complex".
			name: "simpler build within the CI wins",
			specs: []spec{
				{name: "base"},
				{name: "complex", factor: 0.900, complexity: 3},
				{name: "simple", factor: 0.902, complexity: 1, noiseKey: "complex"},
			},
			winner: "simple",
			clause: "; complex measured 9.8% faster, but simple lies within its CI, so the simpler build wins.",
		},
		{
			name: "clearly faster build wins over a simpler one",
			specs: []spec{
				{name: "base"},
				{name: "complex", factor: 0.80, complexity: 3},
				{name: "simple", factor: 0.95, complexity: 1, noiseKey: "complex"},
			},
			winner: "complex",
		},
		{
			name: "equal complexity: lower geomean wins",
			specs: []spec{
				{name: "base"},
				{name: "a", factor: 0.902, complexity: 2, noiseKey: "b"},
				{name: "b", factor: 0.900, complexity: 2},
			},
			winner: "b",
		},
		{
			name: "simpler same-code twin wins over the measured variant",
			specs: []spec{
				{name: "base"},
				{name: "pgo-strip", factor: 0.9, complexity: 2},
				{name: "pgo", sameAs: "pgo-strip", complexity: 1},
			},
			winner: "pgo",
			clause: "same code as pgo-strip",
		},
		{
			name: "equally complex twin never wins over its measured variant",
			specs: []spec{
				{name: "base"},
				{name: "twin", sameAs: "measured", complexity: 1},
				{name: "measured", factor: 0.9, complexity: 1},
			},
			winner: "measured",
		},
		{
			name: "twin of the baseline never wins",
			specs: []spec{
				{name: "base", complexity: 0},
				{name: "strip", sameAs: "base", complexity: 0},
				{name: "fast", factor: 0.9, complexity: 2},
			},
			winner: "fast",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := synthRun(g, tt.specs...)
			Analyze(run, Options{Seed: 3})
			if run.Winner != tt.winner {
				t.Fatalf("winner %q, want %q; verdict %q", run.Winner, tt.winner, run.Verdict)
			}
			if !strings.HasPrefix(run.Verdict, tt.winner+" is faster than base by ") {
				t.Errorf("verdict %q does not name the winner", run.Verdict)
			}
			if !strings.Contains(run.Verdict, tt.clause) {
				t.Errorf("verdict %q does not contain %q", run.Verdict, tt.clause)
			}
		})
	}
}

func TestAnalyzeSameCode(t *testing.T) {
	tests := []struct {
		name     string
		specs    []spec
		measured map[string]string // twin → the variant whose numbers it must have
		ones     []string          // variants with a geomean of exactly 1
	}{
		{
			name: "twins copy the measured variant and the baseline",
			specs: []spec{
				{name: "base", bytes: []float64{64, 128, 0}, allocs: []float64{1, 2, 0}},
				{name: "v3", factor: 0.9, complexity: 1, bytes: []float64{32, 64, 0}, allocs: []float64{1, 1, 0}},
				{name: "v3-strip", sameAs: "v3", complexity: 2},
				{name: "strip", sameAs: "base", complexity: 1},
			},
			measured: map[string]string{"v3-strip": "v3"},
			ones:     []string{"base", "strip"},
		},
		{
			name: "baseline measured through its twin",
			specs: []spec{
				{name: "base", sameAs: "plain"},
				{name: "plain", factor: 1, complexity: 1},
				{name: "v3", factor: 0.9, complexity: 1},
				{name: "v3-again", sameAs: "v3", complexity: 3},
			},
			measured: map[string]string{"v3-again": "v3"},
			ones:     []string{"base", "plain"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := synthRun(gen{seed: 21, rounds: 10, benches: 3, noise: 0.02}, tt.specs...)
			Analyze(run, Options{Seed: 5})
			for twin, of := range tt.measured {
				tv, mv := run.Variant(twin), run.Variant(of)
				if tv.Verdict != result.VerdictSameCode {
					t.Errorf("%s: verdict %q, want %q", twin, tv.Verdict, result.VerdictSameCode)
				}
				if mv.Verdict != result.VerdictFaster {
					t.Errorf("%s: verdict %q, want %q", of, mv.Verdict, result.VerdictFaster)
				}
				if tv.Geomean == nil || *tv.Geomean != *mv.Geomean || tv.Geomean == mv.Geomean {
					t.Errorf("%s: geomean %v, want an unaliased copy of %s's %v", twin, tv.Geomean, of, mv.Geomean)
				}
				if !equalPtr(tv.BytesRatio, mv.BytesRatio) || !equalPtr(tv.AllocsRatio, mv.AllocsRatio) {
					t.Errorf("%s: bytes/allocs ratios differ from %s's", twin, of)
				}
				if tv.Rank != mv.Rank || tv.Rank == 0 {
					t.Errorf("%s: rank %d, want %s's rank %d", twin, tv.Rank, of, mv.Rank)
				}
				if tv.Improved != mv.Improved || tv.Worse != mv.Worse || tv.Unchanged != mv.Unchanged {
					t.Errorf("%s: counts differ from %s's", twin, of)
				}
				for _, c := range run.Comparisons {
					if c.Variant == twin {
						t.Fatalf("twin %s has its own comparison %+v", twin, c)
					}
				}
			}
			var rank int
			for _, name := range tt.ones {
				v := run.Variant(name)
				if v.Geomean == nil || *v.Geomean != (result.Ratio{Center: 1, Lo: 1, Hi: 1}) {
					t.Errorf("%s: geomean %v, want {1 1 1}", name, v.Geomean)
				}
				if rank != 0 && v.Rank != rank {
					t.Errorf("%s: rank %d, want %d like the baseline's other twins", name, v.Rank, rank)
				}
				rank = v.Rank
			}
			if got := len(countUnit(run, TimeUnit)); got != 3 {
				t.Errorf("got %d sec/op comparisons in the Holm family, want 3 (one measured variant × 3 benchmarks)", got)
			}
		})
	}
}

func TestAnalyzeUnitRatios(t *testing.T) {
	tests := []struct {
		name              string
		base, new         []float64 // B/op per benchmark
		baseAlloc, nAlloc []float64
		wantBytes         float64
		wantAllocs        float64
		warning           string
	}{
		{
			name: "halved bytes, 0/0 allocs count as 1",
			base: []float64{100, 200, 400}, new: []float64{50, 100, 200},
			baseAlloc: []float64{0, 2, 4}, nAlloc: []float64{0, 2, 4},
			wantBytes: 0.5, wantAllocs: 1,
		},
		{
			name: "zero baseline median is left out with a warning",
			base: []float64{0, 100, 100}, new: []float64{16, 50, 200},
			baseAlloc: []float64{1, 1, 1}, nAlloc: []float64{2, 2, 2},
			wantBytes: 1, wantAllocs: 2,
			warning: "variant new: left out of its B/op ratio 1 benchmark with a zero median on one side only: example.com/p.BenchmarkB0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := synthRun(gen{seed: 31, rounds: 6, benches: 3, noise: 0.01},
				spec{name: "base", bytes: tt.base, allocs: tt.baseAlloc},
				spec{name: "new", factor: 1, bytes: tt.new, allocs: tt.nAlloc})
			Analyze(run, Options{})
			v := run.Variant("new")
			if v.BytesRatio == nil || math.Abs(*v.BytesRatio-tt.wantBytes) > 1e-9 {
				t.Errorf("BytesRatio %v, want %v", deref(v.BytesRatio), tt.wantBytes)
			}
			if v.AllocsRatio == nil || math.Abs(*v.AllocsRatio-tt.wantAllocs) > 1e-9 {
				t.Errorf("AllocsRatio %v, want %v", deref(v.AllocsRatio), tt.wantAllocs)
			}
			if tt.warning != "" && !hasWarning(run, tt.warning) {
				t.Errorf("no warning contains %q: %q", tt.warning, run.Warnings)
			}
			if got := len(run.Comparisons); got != 9 {
				t.Errorf("got %d comparisons, want 9 (3 benchmarks × 3 units)", got)
			}
			if _, err := json.Marshal(run); err != nil {
				t.Errorf("json.Marshal: %v", err)
			}
		})
	}
}

func TestMinDetectableShrinksWithRounds(t *testing.T) {
	tests := []struct {
		name   string
		rounds []int
		noise  float64
	}{
		{name: "5% noise", rounds: []int{5, 10, 20, 40}, noise: 0.05},
		{name: "1% noise", rounds: []int{6, 12, 24}, noise: 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := math.Inf(1)
			for _, n := range tt.rounds {
				run := synthRun(gen{seed: 41, rounds: n, benches: 4, noise: tt.noise},
					spec{name: "base"}, spec{name: "a", factor: 1})
				Analyze(run, Options{Iterations: 200})
				md := run.MinDetectable
				if !(md > 0 && md < 1) {
					t.Fatalf("%d rounds: MinDetectable %v, want in (0, 1); warnings %q", n, md, run.Warnings)
				}
				if md >= prev {
					t.Errorf("%d rounds: MinDetectable %.4f, not below %.4f with fewer rounds", n, md, prev)
				}
				// The detectable change must be a real threshold: a shift of
				// it passes, a clearly smaller shift does not.
				base := values(observationsOf(run, "base", "BenchmarkB0"))
				thr := DefaultAlpha / float64(len(run.Comparisons))
				if s, ok := minDetectable(base, thr); ok {
					if p := compareP(base, scaled(base, 1-s)); p >= thr {
						t.Errorf("%d rounds: shift %.4f gives p=%.3g, want < %.3g", n, s, p, thr)
					}
					if p := compareP(base, scaled(base, 1-s*0.9)); p < thr {
						t.Errorf("%d rounds: shift %.4f is not minimal: 0.9× gives p=%.3g", n, s, p)
					}
				}
				prev = md
			}
		})
	}
}

func TestAnalyzeReproducible(t *testing.T) {
	tests := []struct {
		name       string
		seedA      int64
		seedB      int64
		wantSameCI bool
	}{
		{name: "same seed gives the same interval", seedA: 7, seedB: 7, wantSameCI: true},
		{name: "another seed gives another interval", seedA: 7, seedB: 8, wantSameCI: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gen{seed: 51, rounds: 12, benches: 5, noise: 0.05}
			specs := []spec{{name: "base"}, {name: "fast", factor: 0.95}, {name: "slow", factor: 1.03}}
			a, b := synthRun(g, specs...), synthRun(g, specs...)
			Analyze(a, Options{Seed: tt.seedA})
			Analyze(b, Options{Seed: tt.seedB})
			for _, name := range []string{"fast", "slow"} {
				ga, gb := a.Variant(name).Geomean, b.Variant(name).Geomean
				if ga.Center != gb.Center {
					t.Errorf("%s: centers %v and %v differ; the point estimate does not depend on the seed", name, ga.Center, gb.Center)
				}
				same := ga.Lo == gb.Lo && ga.Hi == gb.Hi
				if same != tt.wantSameCI {
					t.Errorf("%s: intervals %+v and %+v; want same=%v", name, *ga, *gb, tt.wantSameCI)
				}
			}
			if tt.wantSameCI {
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				if string(ja) != string(jb) {
					t.Errorf("two analyses with the same seed differ")
				}
			}
		})
	}
}

func TestAnalyzeIdempotent(t *testing.T) {
	tests := []struct {
		name  string
		first Options
	}{
		{name: "same options", first: Options{Seed: 2}},
		{name: "stricter alpha first", first: Options{Seed: 2, Alpha: 0.001}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh := synthRun(gen{seed: 61, rounds: 4, benches: 3, noise: 0.02},
				spec{name: "base"}, spec{name: "fast", factor: 0.9})
			again := synthRun(gen{seed: 61, rounds: 4, benches: 3, noise: 0.02},
				spec{name: "base"}, spec{name: "fast", factor: 0.9})
			again.Warnings = []string{"measure: round 2 was slow"}
			fresh.Warnings = []string{"measure: round 2 was slow"}
			Analyze(again, tt.first)
			Analyze(again, Options{Seed: 2})
			Analyze(fresh, Options{Seed: 2})
			if !slices.Equal(again.Warnings, fresh.Warnings) {
				t.Errorf("warnings after re-analysis %q, want %q", again.Warnings, fresh.Warnings)
			}
			if again.Verdict != fresh.Verdict || again.Winner != fresh.Winner {
				t.Errorf("re-analysis gives %q/%q, want %q/%q", again.Verdict, again.Winner, fresh.Verdict, fresh.Winner)
			}
		})
	}
}

func TestAnalyzeBrokenInputs(t *testing.T) {
	tests := []struct {
		name     string
		run      func() *result.Run
		sentence string
		warning  string
		verdicts map[string]string
		opts     Options
	}{
		{
			name: "measured variant without samples",
			run: func() *result.Run {
				r := synthRun(gen{seed: 1, rounds: 8, benches: 2, noise: 0.01}, spec{name: "base"}, spec{name: "empty"}, spec{name: "a", factor: 1})
				r.Samples = slices.DeleteFunc(r.Samples, func(s result.Sample) bool { return s.Variant == "empty" })
				return r
			},
			sentence: "No variant is significantly faster than the baseline; with 8 rounds",
			warning:  "variant empty has no sec/op benchmark in common with the baseline",
			verdicts: map[string]string{"empty": result.VerdictTooFew, "a": result.VerdictNoDiff},
		},
		{
			name: "baseline not measured",
			run: func() *result.Run {
				r := synthRun(gen{seed: 1, rounds: 5, benches: 2}, spec{name: "base", status: result.StatusFailed}, spec{name: "a", factor: 1})
				return r
			},
			sentence: "The baseline base was not measured",
			warning:  `the baseline "base" was not measured`,
		},
		{
			name: "twin of a skipped variant",
			run: func() *result.Run {
				return synthRun(gen{seed: 1, rounds: 6, benches: 2, noise: 0.01},
					spec{name: "base"}, spec{name: "v4", status: result.StatusSkipped}, spec{name: "v4s", sameAs: "v4"})
			},
			sentence: "Only the baseline was measured",
			warning:  "variant v4s is the same code as v4, which was not measured (skipped)",
		},
		{
			name: "no time samples",
			run: func() *result.Run {
				r := synthRun(gen{seed: 1, rounds: 6, benches: 2, noise: 0.01},
					spec{name: "base", bytes: []float64{1, 2}}, spec{name: "a", factor: 1, bytes: []float64{1, 2}})
				r.Samples = slices.DeleteFunc(r.Samples, func(s result.Sample) bool { return s.Unit == TimeUnit })
				return r
			},
			sentence: "has no sec/op samples",
			warning:  "has no sec/op samples",
		},
		{
			name: "invalid options fall back to defaults",
			run: func() *result.Run {
				return synthRun(gen{seed: 1, rounds: 6, benches: 2, noise: 0.01}, spec{name: "base"}, spec{name: "a", factor: 1})
			},
			opts:     Options{Alpha: 2},
			sentence: "No variant is significantly faster",
			warning:  "alpha 2 is not in (0, 1); using 0.05",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := tt.run()
			Analyze(run, tt.opts)
			if !strings.Contains(run.Verdict, tt.sentence) {
				t.Errorf("verdict %q does not contain %q", run.Verdict, tt.sentence)
			}
			if !hasWarning(run, tt.warning) {
				t.Errorf("no warning contains %q: %q", tt.warning, run.Warnings)
			}
			for name, want := range tt.verdicts {
				if got := run.Variant(name).Verdict; got != want {
					t.Errorf("%s: verdict %q, want %q", name, got, want)
				}
			}
			if _, err := json.Marshal(run); err != nil {
				t.Errorf("json.Marshal: %v", err)
			}
		})
	}
}

// hasWarning reports whether some run warning contains s.
func hasWarning(run *result.Run, s string) bool {
	for _, w := range run.Warnings {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// equalPtr reports whether two optional ratios are equal.
func equalPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// deref shows an optional ratio.
func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// countUnit returns the comparisons of the run in unit.
func countUnit(run *result.Run, unit string) []result.Comparison {
	var cs []result.Comparison
	for _, c := range run.Comparisons {
		if c.Unit == unit {
			cs = append(cs, c)
		}
	}
	return cs
}

// observationsOf returns a variant's sec/op observations of one benchmark.
func observationsOf(run *result.Run, variant, bench string) []observation {
	var obs []observation
	for _, s := range run.Samples {
		if s.Variant == variant && s.Benchmark == bench && s.Unit == TimeUnit {
			obs = append(obs, observation{s.Round, s.Value})
		}
	}
	return obs
}

// scaled returns xs multiplied by f.
func scaled(xs []float64, f float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * f
	}
	return out
}
