package pairstat

import (
	"cmp"
	"math"
	"slices"
)

// Holm returns the Holm–Bonferroni adjusted p-values of p, in the order of
// p: the i-th smallest of m p-values becomes the largest over j ≤ i of
// (m-j+1)·p_(j), capped at 1. The adjusted values are monotone in p, and a
// hypothesis is rejected at family-wise level a exactly when its adjusted
// p-value is at most a. A NaN p-value counts as 1. Holm does not modify p.
func Holm(p []float64) []float64 {
	return holmFamily(p, len(p))
}

// holmFamily is Holm for a family of m ≥ len(p) hypotheses of which the
// ones not in p have p-value 1 (hypotheses that are still in the family
// but were not tested, such as arms a caller has stopped measuring). Only
// the multipliers change: the i-th smallest is multiplied by m-i+1.
func holmFamily(p []float64, m int) []float64 {
	m = max(m, len(p))
	adj := make([]float64, len(p))
	val := func(i int) float64 {
		if math.IsNaN(p[i]) {
			return 1
		}
		return p[i]
	}
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(val(a), val(b)) })
	running := 0.0
	for rank, i := range order {
		running = max(running, min(1, float64(m-rank)*val(i)))
		adj[i] = running
	}
	return adj
}
