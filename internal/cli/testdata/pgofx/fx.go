// Package fx is a tiny CPU-bound fixture: a hot call over the normal
// inlining budget and an interface call with one concrete type, the two
// things PGO acts on.
package fx

// Shape has an area.
type Shape interface{ Area() float64 }

// Rect is the only Shape the benchmark uses.
type Rect struct{ W, H float64 }

// Area returns a polynomial of r's sides.
func (r *Rect) Area() float64 {
	a := r.W
	for i := 0; i < 16; i++ {
		a = a*r.H + float64(i)
	}
	return a
}

// Mix scrambles x.
func Mix(x uint64) uint64 {
	for i := 0; i < 2; i++ {
		x ^= x >> 33
		x *= 0xff51afd7ed558ccd
		x ^= x >> 33
		x *= 0xc4ceb9fe1a85ec53
		x ^= x >> 33
	}
	x ^= x << 7
	x ^= x >> 9
	x += 0x9e3779b97f4a7c15
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Sum mixes n numbers and adds the areas of shapes.
func Sum(n int, shapes []Shape) float64 {
	var s float64
	var h uint64
	for i := 0; i < n; i++ {
		h = Mix(h + uint64(i))
		s += shapes[i%len(shapes)].Area()
	}
	return s + float64(h&1)
}
