//go:build !unix

package engine

import "time"

// selfCPU returns 0 where the process's own CPU time is not known.
func selfCPU() time.Duration { return 0 }
