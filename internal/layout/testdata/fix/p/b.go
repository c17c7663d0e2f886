package p

// Count returns how many of xs are odd.
//
//go:noinline
func Count(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x & 1
	}
	return n
}

// Hook is set by an init function to a closure, whose name
// (p.init.0.func1) the padding must not change.
var Hook func(int) int

func init() { Hook = func(x int) int { return x + 1 } }
