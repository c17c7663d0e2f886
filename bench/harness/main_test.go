package main

import (
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

func TestAgree(t *testing.T) {
	grid := func(winner string, vs ...result.Variant) *result.Run {
		return &result.Run{Baseline: "baseline", Winner: winner, Variants: vs}
	}
	v := func(name, verdict string, c, lo, hi float64) result.Variant {
		return result.Variant{Name: name, Verdict: verdict, Geomean: &result.Ratio{Center: c, Lo: lo, Hi: hi}}
	}
	tests := []struct {
		name   string
		grid   *result.Run
		winner string
		want   bool
	}{
		{"same winner", grid("a", v("a", "faster", 0.9, 0.85, 0.95)), "a", true},
		{"both keep the baseline", grid(""), "", true},
		{"tied in the grid", grid("a", v("a", "faster", 0.9, 0.85, 0.95), v("b", "faster", 0.92, 0.88, 0.97)), "b", true},
		{"separated in the grid", grid("a", v("a", "faster", 0.8, 0.78, 0.82), v("b", "faster", 0.9, 0.88, 0.92)), "b", false},
		{"grid keeps the baseline, b no diff there", grid("", v("b", "no significant difference", 0.97, 0.9, 1.03)), "b", true},
		{"grid keeps the baseline, b faster there", grid("", v("b", "faster", 0.9, 0.85, 0.95)), "b", false},
		{"default keeps the baseline, grid found a", grid("a", v("a", "faster", 0.9, 0.85, 0.95)), "", false},
		{"winner unknown to the grid", grid("a", v("a", "faster", 0.9, 0.85, 0.95)), "zz", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Agree(tt.grid, tt.winner)
			if got != tt.want || why == "" {
				t.Errorf("Agree = %v (%s), want %v", got, why, tt.want)
			}
		})
	}
}

func TestReport(t *testing.T) {
	mk := func(rep int, side string, wall float64, winner string, cpu float64) sample {
		return sample{Rep: rep, Side: side, Wall: wall, Winner: winner, CPU: cpu, CPUShare: cpu / wall,
			run: &result.Run{Winner: winner, Variants: []result.Variant{{Name: "a", Verdict: "faster", Geomean: &result.Ratio{Center: 0.9, Lo: 0.85, Hi: 0.95}}}}}
	}
	var good []sample
	for rep := 1; rep <= 3; rep++ {
		good = append(good, mk(rep, "default", 40, "a", 0.1), mk(rep, "grid", 100, "a", 0.2))
	}
	var b strings.Builder
	if !report(&b, good) || strings.Contains(b.String(), "FAIL") {
		t.Errorf("a good harness run fails:\n%s", b.String())
	}
	slow := append([]sample(nil), good...)
	slow[0] = mk(1, "default", 80, "a", 0.1)
	slow[2] = mk(2, "default", 80, "a", 0.1)
	b.Reset()
	if report(&b, slow) || !strings.Contains(b.String(), "FAIL  median wall-time ratio 0.80x") {
		t.Errorf("a slow default search passes:\n%s", b.String())
	}
	hungry := append([]sample(nil), good...)
	hungry[1] = mk(1, "grid", 100, "a", 5)
	b.Reset()
	if report(&b, hungry) || !strings.Contains(b.String(), "FAIL  gotune's own CPU") {
		t.Errorf("5%% CPU share passes:\n%s", b.String())
	}
	b.Reset()
	if report(&b, good[:4]) {
		t.Errorf("two repetitions pass:\n%s", b.String())
	}
}
