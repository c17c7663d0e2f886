package lib

import "testing"

func BenchmarkDouble(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Double(i)
	}
}

func Benchmark(b *testing.B) {}

// Benchmarking is not a benchmark: a lower-case letter follows the prefix.
func Benchmarking(b *testing.B) {}

func BenchmarkHelper(n int) {}

func TestDouble(t *testing.T) {}
