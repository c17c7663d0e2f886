package stats

import (
	"math"
	"slices"
	"testing"
)

func TestHolm(t *testing.T) {
	tests := []struct {
		name string
		p    []float64
		want []float64
	}{
		{name: "empty", p: nil, want: []float64{}},
		{name: "single p is unchanged", p: []float64{0.03}, want: []float64{0.03}},
		{
			// Sorted: 0.005·4=0.02, 0.01·3=0.03, 0.03·2=0.06, 0.04·1=0.04→0.06.
			name: "unsorted input keeps its order",
			p:    []float64{0.01, 0.04, 0.03, 0.005},
			want: []float64{0.03, 0.06, 0.06, 0.02},
		},
		{
			// R: p.adjust(c(.01,.02,.03,.04,.05), "holm").
			name: "monotone step-down",
			p:    []float64{0.01, 0.02, 0.03, 0.04, 0.05},
			want: []float64{0.05, 0.08, 0.09, 0.09, 0.09},
		},
		{
			name: "capped at 1",
			p:    []float64{0.5, 0.6},
			want: []float64{1, 1},
		},
		{
			name: "tied p-values",
			p:    []float64{0.02, 0.02, 0.5},
			want: []float64{0.06, 0.06, 0.5},
		},
		{
			name: "NaN counts as 1",
			p:    []float64{math.NaN(), 0.01},
			want: []float64{1, 0.02},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.p)
			got := Holm(tt.p)
			if len(got) != len(tt.want) {
				t.Fatalf("Holm(%v) = %v, want %v", tt.p, got, tt.want)
			}
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > 1e-12 {
					t.Fatalf("Holm(%v) = %v, want %v", tt.p, got, tt.want)
				}
			}
			for i := range in {
				if in[i] != tt.p[i] && !(math.IsNaN(in[i]) && math.IsNaN(tt.p[i])) {
					t.Fatalf("Holm modified its input: %v, was %v", tt.p, in)
				}
			}
		})
	}
}

func TestSamplesNeeded(t *testing.T) {
	tests := []struct {
		name        string
		alpha       float64
		comparisons int
		want        int
	}{
		{name: "one comparison", alpha: 0.05, comparisons: 1, want: 4},
		{name: "zero comparisons count as one", alpha: 0.05, comparisons: 0, want: 4},
		{name: "two comparisons", alpha: 0.05, comparisons: 2, want: 5},
		{name: "23 comparisons still 6", alpha: 0.05, comparisons: 23, want: 6},
		{name: "24 comparisons need 7", alpha: 0.05, comparisons: 24, want: 7},
		{name: "300 comparisons need 8", alpha: 0.05, comparisons: 300, want: 8},
		{name: "alpha not positive", alpha: 0, comparisons: 1, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SamplesNeeded(tt.alpha, tt.comparisons); got != tt.want {
				t.Errorf("SamplesNeeded(%g, %d) = %d, want %d", tt.alpha, tt.comparisons, got, tt.want)
			}
		})
	}
}

func TestGeomean(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{name: "empty", xs: nil, want: 0},
		{name: "single", xs: []float64{0.9}, want: 0.9},
		{name: "two", xs: []float64{1, 4}, want: 2},
		{name: "reciprocals cancel", xs: []float64{0.5, 2, 1}, want: 1},
		{name: "zero", xs: []float64{0, 3}, want: 0},
		{name: "negative", xs: []float64{-1, 3}, want: math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Geomean(tt.xs)
			if math.IsNaN(tt.want) {
				if !math.IsNaN(got) {
					t.Errorf("Geomean(%v) = %v, want NaN", tt.xs, got)
				}
				return
			}
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Geomean(%v) = %v, want %v", tt.xs, got, tt.want)
			}
		})
	}
}

func TestHigherIsBetter(t *testing.T) {
	tests := []struct {
		unit string
		want bool
	}{
		{"sec/op", false},
		{"ns/op", false},
		{"B/op", false},
		{"allocs/op", false},
		{"MB/s", true},
		{"B/s", true},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			if got := HigherIsBetter(tt.unit); got != tt.want {
				t.Errorf("HigherIsBetter(%q) = %v, want %v", tt.unit, got, tt.want)
			}
		})
	}
}
