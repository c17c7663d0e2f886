package main

import (
	"context"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gotune/gotune/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gotune": func() {
			// As main does: a signal cancels the context (and a run saves
			// what it measured) instead of killing the process.
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		},
		"mkprof": mkprof,
		"noproc": noproc,
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: real gotune
// runs on tiny fixture modules, built with the real go command and the shared
// build cache. They check structure and build settings, never timings.
func TestScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end scripts build real binaries; skipped with -short")
	}
	goEnv := map[string]string{}
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	for i, v := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		goEnv[[]string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOROOT"}[i]] = v
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			for k, v := range goEnv {
				e.Setenv(k, v)
			}
			e.Setenv("GOFLAGS", "-mod=mod")
			e.Setenv("GOTOOLCHAIN", "local")
			e.Setenv("GOAMD64", "")
			e.Setenv("PATH", os.Getenv("PATH"))
			return nil
		},
		RequireUniqueNames: true,
	})
}
