package service

import (
	"io"
	"syscall"
	"time"
)

// ProcessSpec is a server process to start, described as data.
type ProcessSpec struct {
	Path string   // the server binary
	Args []string // arguments, placeholders already replaced
	Env  []string // the whole environment
	Dir  string   // working directory
	// Output receives the server's stdout and stderr. It must not block.
	Output io.Writer
}

// Starter starts server processes, each in its own process group. The
// real one is Exec; tests give RunTrial a fake.
type Starter interface {
	Start(spec ProcessSpec) (Process, error)
}

// Process is a started server.
type Process interface {
	// PID is the process ID; the process group has the same ID.
	PID() int
	// Done is closed once the process has exited and been reaped.
	Done() <-chan struct{}
	// ExitErr is the process's exit error, nil for status 0; valid after
	// Done is closed.
	ExitErr() error
	// Signal sends sig to the whole process group.
	Signal(sig syscall.Signal) error
	// Usage reads the CPU time of the process group and the peak resident
	// memory of the process.
	Usage() (Usage, error)
	// Alive lists the processes of the group that still run (zombies
	// excluded), after the process itself has exited.
	Alive() []int
}

// Usage is a reading of a server's resource use.
type Usage struct {
	// CPU is the user+system time of every process of the group so far,
	// including the children they waited for. It has clock-tick (10 ms)
	// resolution.
	CPU time.Duration
	// RunTime is the time the group's live threads have run so far, with
	// nanosecond resolution; zero when the kernel does not expose it.
	// Threads that exit take their time with them, so a window's RunTime
	// delta is trusted only while it agrees with its CPU delta.
	RunTime time.Duration
	// PeakRSS is the process's peak resident set size (VmHWM) in bytes.
	PeakRSS int64
}

// cpuDelta returns the CPU time spent between two readings: the
// nanosecond run time when it agrees with the tick-based CPU time within
// their resolution, else the tick-based time.
func cpuDelta(a, b Usage) time.Duration {
	ticks := b.CPU - a.CPU
	if a.RunTime == 0 || b.RunTime == 0 {
		return ticks
	}
	run := b.RunTime - a.RunTime
	diff := run - ticks
	if diff < 0 {
		diff = -diff
	}
	if diff <= 30*time.Millisecond+ticks/20 {
		return run
	}
	return ticks
}
