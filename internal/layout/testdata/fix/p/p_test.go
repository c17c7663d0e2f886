package p_test

import (
	"testing"

	"example.com/layoutfix/p"
)

var sink int

func BenchmarkSum(b *testing.B) {
	xs := []int{1, 2, 3}
	for b.Loop() {
		sink += p.Sum(xs) + p.Max(xs) + p.Count(xs)
	}
}
