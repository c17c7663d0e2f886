package fx

import "testing"

func BenchmarkSum(b *testing.B) {
	shapes := []Shape{&Rect{1, 0.5}, &Rect{3, 0.25}}
	for b.Loop() {
		Sum(1000, shapes)
	}
}
