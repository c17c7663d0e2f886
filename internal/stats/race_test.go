package stats

import (
	"slices"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

// dropped returns the names of the dropped variants.
func dropped(d RaceDecision) []string {
	var out []string
	for _, x := range d.Drops {
		out = append(out, x.Variant)
	}
	return out
}

func TestRace(t *testing.T) {
	one := func(vs ...string) []RaceGroup { return []RaceGroup{{Name: "grid", Variants: vs}} }
	tests := []struct {
		name      string
		gen       gen
		specs     []spec
		groups    []RaceGroup
		opts      RaceOptions
		drops     []string
		leaders   map[string]string
		separated bool
		anyLeader bool // the leader is a toss-up: do not check it
	}{
		{
			name:    "too few rounds decide nothing",
			gen:     gen{seed: 1, rounds: 5, benches: 4, noise: 0.02},
			specs:   []spec{{name: "base"}, {name: "slow", factor: 2}},
			groups:  one("slow"),
			leaders: map[string]string{},
		},
		{
			name:      "a clearly slower variant is dropped and the baseline is separated",
			gen:       gen{seed: 2, rounds: 6, benches: 4, noise: 0.02},
			specs:     []spec{{name: "base"}, {name: "slow", factor: 1.3}},
			groups:    one("slow"),
			drops:     []string{"slow"},
			leaders:   map[string]string{"grid": "base"},
			separated: true,
		},
		{
			name:      "a variant as fast as the baseline stays",
			gen:       gen{seed: 3, rounds: 10, benches: 4, noise: 0.2},
			specs:     []spec{{name: "base"}, {name: "twin"}, {name: "slow", factor: 1.5}},
			groups:    one("twin", "slow"),
			drops:     []string{"slow"},
			anyLeader: true,
		},
		{
			name:      "the baseline is never dropped",
			gen:       gen{seed: 4, rounds: 8, benches: 4, noise: 0.02},
			specs:     []spec{{name: "base"}, {name: "fast", factor: 0.7}},
			groups:    one("fast"),
			leaders:   map[string]string{"grid": "fast"},
			separated: true,
		},
		{
			name:    "slower against a faster leader is dropped",
			gen:     gen{seed: 5, rounds: 8, benches: 4, noise: 0.02},
			specs:   []spec{{name: "base"}, {name: "fast", factor: 0.7}, {name: "same"}},
			groups:  one("fast", "same"),
			drops:   []string{"same"},
			leaders: map[string]string{"grid": "fast"},
			// The baseline is slower than the leader too: nothing is left
			// to separate.
			separated: true,
		},
		{
			name:  "groups compete separately",
			gen:   gen{seed: 6, rounds: 8, benches: 4, noise: 0.02},
			specs: []spec{{name: "base"}, {name: "a1", factor: 0.7}, {name: "a2", factor: 1.0}, {name: "b1", factor: 0.95}},
			groups: []RaceGroup{
				{Name: "a", Variants: []string{"a1", "a2"}},
				{Name: "b", Variants: []string{"b1"}},
			},
			// b1 is much slower than a1, but a1 is not in its group.
			drops:   []string{"a2"},
			leaders: map[string]string{"a": "a1", "b": "b1"},
			// Each leader is significantly faster than the rest of its group.
			separated: true,
		},
		{
			name: "slower on one benchmark but not overall stays",
			gen:  gen{seed: 7, rounds: 10, benches: 4, noise: 0.05},
			specs: []spec{{name: "base"},
				{name: "mixed", factors: []float64{1.3, 0.92, 0.92, 0.92}}},
			groups:  one("mixed"),
			leaders: map[string]string{"grid": "base"},
		},
		{
			name:    "many looks need more evidence",
			gen:     gen{seed: 2, rounds: 6, benches: 4, noise: 0.02},
			specs:   []spec{{name: "base"}, {name: "slow", factor: 1.3}},
			groups:  one("slow"),
			opts:    RaceOptions{Looks: 1000},
			leaders: map[string]string{"grid": "base"},
		},
		{
			name:    "a dropped variant no longer counts",
			gen:     gen{seed: 8, rounds: 8, benches: 4, noise: 0.02},
			specs:   []spec{{name: "base"}, {name: "gone", factor: 0.5}, {name: "slow", factor: 1.3}},
			groups:  one("slow"), // gone was dropped earlier: its samples are ignored
			drops:   []string{"slow"},
			leaders: map[string]string{"grid": "base"},
			// Every other variant is slower than the leader.
			separated: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := synthRun(tt.gen, tt.specs...)
			d := Race(run.Samples, tt.specs[0].name, tt.groups, tt.opts)
			if got := dropped(d); !slices.Equal(got, tt.drops) {
				t.Errorf("dropped %v, want %v (decision %+v)", got, tt.drops, d)
			}
			for g, want := range tt.leaders {
				if d.Leaders[g] != want {
					t.Errorf("leader of %s = %q, want %q", g, d.Leaders[g], want)
				}
			}
			if len(tt.leaders) == 0 && !tt.anyLeader && len(d.Leaders) != 0 {
				t.Errorf("leaders %v before the minimum rounds", d.Leaders)
			}
			if d.Separated != tt.separated {
				t.Errorf("separated = %v, want %v", d.Separated, tt.separated)
			}
			for _, x := range d.Drops {
				if !(x.Ratio.Lo > 1 && x.Ratio.Lo <= x.Ratio.Center && x.Ratio.Center <= x.Ratio.Hi) || x.Worse < 1 {
					t.Errorf("drop %+v: want a ratio interval above 1 and a worse benchmark", x)
				}
			}
		})
	}
}

// TestRaceAADropsRarely races equal variants on many seeds: a drop is a
// false positive, and the race must keep them rare (below its alpha).
func TestRaceAADropsRarely(t *testing.T) {
	const seeds = 40
	falseDrops := 0
	for seed := range uint64(seeds) {
		run := synthRun(gen{seed: seed + 100, rounds: 10, benches: 6, noise: 0.2},
			spec{name: "base"}, spec{name: "a"}, spec{name: "b"}, spec{name: "c"})
		d := Race(run.Samples, "base", []RaceGroup{{Name: "grid", Variants: []string{"a", "b", "c"}}}, RaceOptions{Looks: 5, Seed: int64(seed)})
		if len(d.Drops) > 0 {
			falseDrops++
		}
		if d.Separated {
			t.Errorf("seed %d: equal variants reported separated: %+v", seed, d)
		}
	}
	if falseDrops > 2 {
		t.Errorf("%d of %d A/A races dropped a variant; want at most 2 (alpha 5%%)", falseDrops, seeds)
	}
}

// TestRaceReproducible checks that a decision depends only on its inputs.
func TestRaceReproducible(t *testing.T) {
	run := synthRun(gen{seed: 9, rounds: 8, benches: 3, noise: 0.05}, spec{name: "base"}, spec{name: "slow", factor: 1.2})
	g := []RaceGroup{{Name: "grid", Variants: []string{"slow"}}}
	a := Race(run.Samples, "base", g, RaceOptions{Seed: 3})
	samples := slices.Clone(run.Samples)
	slices.Reverse(samples)
	b := Race(samples, "base", g, RaceOptions{Seed: 3})
	if len(a.Drops) != 1 || len(b.Drops) != 1 || a.Drops[0].Ratio != b.Drops[0].Ratio {
		t.Errorf("decisions differ: %+v vs %+v", a, b)
	}
}

// TestRaceIgnoresOtherUnits checks that only time samples decide.
func TestRaceIgnoresOtherUnits(t *testing.T) {
	run := synthRun(gen{seed: 10, rounds: 8, benches: 3, noise: 0.02},
		spec{name: "base", bytes: []float64{1, 1, 1}},
		spec{name: "fat", bytes: []float64{100, 100, 100}})
	d := Race(run.Samples, "base", []RaceGroup{{Name: "grid", Variants: []string{"fat"}}}, RaceOptions{})
	if len(d.Drops) != 0 {
		t.Errorf("dropped %v for B/op alone", dropped(d))
	}
	var ns []result.Sample
	for _, s := range run.Samples {
		if s.Unit == TimeUnit {
			s.Unit, s.Value = NsUnit, s.Value*1e9
			if s.Variant == "fat" {
				s.Value *= 1.5
			}
			ns = append(ns, s)
		}
	}
	if d := Race(ns, "base", []RaceGroup{{Name: "grid", Variants: []string{"fat"}}}, RaceOptions{}); len(d.Drops) != 1 {
		t.Errorf("with ns/op only, dropped %v, want fat", dropped(d))
	}
}
