package stats

import (
	"math"
	"slices"
)

// Holm returns the Holm–Bonferroni adjusted p-values of p, in the order of
// p. The adjusted value of the i-th smallest of m p-values is
// max over j ≤ i of (m-j+1)·p(j), capped at 1, so the result is monotone in
// p and a comparison is significant at family-wise level alpha exactly when
// its adjusted p-value is below alpha. A NaN p-value counts as 1. Holm does
// not modify p.
func Holm(p []float64) []float64 {
	m := len(p)
	adj := make([]float64, m)
	if m == 0 {
		return adj
	}
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	val := func(i int) float64 {
		if math.IsNaN(p[i]) {
			return 1
		}
		return p[i]
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch va, vb := val(a), val(b); {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return 0
	})
	running := 0.0
	for rank, i := range order {
		v := math.Min(1, float64(m-rank)*val(i))
		running = math.Max(running, v)
		adj[i] = running
	}
	return adj
}
