// Package lib is the replaced dependency of the fixture.
package lib

// F returns 1.
func F() int { return 1 }
