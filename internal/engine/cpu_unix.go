//go:build unix

package engine

import (
	"syscall"
	"time"
)

// selfCPU returns the CPU time (user and system) of gotune's own process,
// without that of the processes it ran.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
