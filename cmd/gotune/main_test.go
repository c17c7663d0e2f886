package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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
	keys := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOROOT", "GOVERSION"}
	out, err := exec.Command("go", append([]string{"env"}, keys...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	for i, v := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		goEnv[keys[i]] = v
	}
	// $GOLOCAL is the go command's own release, e.g. go1.26.8.
	goEnv["GOLOCAL"] = goEnv["GOVERSION"]
	delete(goEnv, "GOVERSION")
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
		// [toolchain:go1.27.3] holds when that release can be had here:
		// GOTOOLCHAIN=go1.27.3 go version answers with it (from the module
		// cache, or fetched from the module proxy).
		Condition: func(cond string) (bool, error) {
			if tc, ok := strings.CutPrefix(cond, "toolchain:"); ok {
				return haveToolchain(tc), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		RequireUniqueNames: true,
	})
}

var toolchains sync.Map // release → bool

// haveToolchain reports whether the go command can run Go release tc.
func haveToolchain(tc string) bool {
	if ok, seen := toolchains.Load(tc); seen {
		return ok.(bool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "version")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+tc)
	out, err := cmd.Output()
	ok := err == nil && strings.Contains(string(out), " "+tc+" ")
	toolchains.Store(tc, ok)
	return ok
}
