//go:build !linux

package service

import "errors"

// Exec is the Starter that starts real processes. Service mode reads CPU
// time and memory from Linux's /proc, so elsewhere it refuses to start.
type Exec struct{}

// Start implements Starter.
func (Exec) Start(spec ProcessSpec) (Process, error) {
	return nil, errors.New("service mode needs Linux: it reads the server's CPU time and memory from /proc")
}

// GroupAlive lists the processes of group pgid that still run; elsewhere
// than Linux it cannot tell and returns nil.
func GroupAlive(pgid int) []int { return nil }
