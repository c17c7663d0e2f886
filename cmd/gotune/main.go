// Command gotune finds the fastest way to build a Go program and proves it:
// it builds the target under a matrix of build settings, runs its benchmarks
// in interleaved rounds and reports with statistics which build wins.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gotune/gotune/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
