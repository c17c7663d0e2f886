//go:build unix

package gotool

import (
	"os"
	"syscall"
)

// timeoutSignal is sent to a command whose timeout expired: SIGQUIT, on
// which a Go program prints every goroutine's stack before it exits.
var timeoutSignal os.Signal = syscall.SIGQUIT
