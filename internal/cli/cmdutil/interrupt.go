package cmdutil

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// KillOnSecondInterrupt returns the context whose end kills a running
// trial: it ends on a second interrupt after ctx ended with the first, so
// that the first lets the running trial finish and keeps its samples.
// Signals are the edge's business: the engine only sees the two contexts.
func KillOnSecondInterrupt(ctx context.Context, notice io.Writer) (context.Context, func()) {
	kill, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sig)
		fmt.Fprintln(notice, "gotune: stopping after the current trial (interrupt again to stop at once)")
		select {
		case <-sig:
			cancel()
		case <-done:
		}
	}()
	var once sync.Once
	return kill, func() {
		once.Do(func() {
			close(done)
			cancel()
		})
	}
}
