package lib

import "testing"

func BenchmarkDouble(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Double(i)
	}
}

func Benchmark(b *testing.B) {}

func TestDouble(t *testing.T) {}
