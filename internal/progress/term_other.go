//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package progress

func isTerminal(fd int) bool { return false }
