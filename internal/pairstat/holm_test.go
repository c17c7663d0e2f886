package pairstat

import (
	"math"
	"slices"
	"testing"
)

func TestHolm(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    []float64
		want []float64
	}{
		{"empty", nil, []float64{}},
		{"one", []float64{0.03}, []float64{0.03}},
		// Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 →
		// 0.06 by monotonicity.
		{"four", []float64{0.01, 0.04, 0.03, 0.005}, []float64{0.03, 0.06, 0.06, 0.02}},
		{"capped", []float64{0.5, 0.4, 0.9}, []float64{1, 1, 1}},
		{"nan-is-one", []float64{math.NaN(), 0.01}, []float64{1, 0.02}},
		{"ties", []float64{0.02, 0.02}, []float64{0.04, 0.04}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.p)
			got := Holm(tc.p)
			if len(got) != len(tc.want) {
				t.Fatalf("Holm(%v) = %v, want %v", tc.p, got, tc.want)
			}
			for i := range got {
				if math.Abs(got[i]-tc.want[i]) > 1e-15 {
					t.Fatalf("Holm(%v) = %v, want %v", tc.p, got, tc.want)
				}
			}
			if !slices.EqualFunc(in, tc.p, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
				t.Errorf("Holm modified its input: %v", tc.p)
			}
		})
	}
	// A family larger than the p-values given: multipliers count the
	// untested members.
	if got := holmFamily([]float64{0.01, 0.02}, 5); got[0] != 0.05 || got[1] != 0.08 {
		t.Errorf("holmFamily(.01, .02; 5) = %v, want [0.05 0.08]", got)
	}
	if got := holmFamily([]float64{0.01, 0.02}, 1); got[0] != 0.02 || got[1] != 0.02 {
		t.Errorf("holmFamily with m < len(p) = %v, want plain Holm [0.02 0.02]", got)
	}
}
