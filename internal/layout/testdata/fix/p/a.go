// Package p is the fixture of internal/layout's build test: a few functions
// that stay out of line so that their addresses can be read from the binary.
package p

// Sum returns the sum of xs.
//
//go:noinline
func Sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// Max returns the largest of xs, or 0.
//
//go:noinline
func Max(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
