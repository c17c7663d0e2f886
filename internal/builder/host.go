package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/cpu"

	"github.com/gotune/gotune/internal/gotool"
)

// Levels lists the GOAMD64 levels in order.
var Levels = []string{"v1", "v2", "v3", "v4"}

// CPULevel returns the highest GOAMD64 level the CPU features (as reported by
// golang.org/x/sys/cpu) allow, following the definitions in the Go wiki's
// MinimumRequirements page.
func CPULevel() string {
	if runtime.GOARCH != "amd64" {
		return ""
	}
	x := cpu.X86
	v2 := x.HasCX16 && x.HasLAHF && x.HasPOPCNT && x.HasSSE3 && x.HasSSE41 && x.HasSSE42 && x.HasSSSE3
	v3 := v2 && x.HasAVX && x.HasAVX2 && x.HasBMI1 && x.HasBMI2 && x.HasF16C && x.HasFMA && x.HasLZCNT && x.HasMOVBE && x.HasOSXSAVE
	v4 := v3 && x.HasAVX512F && x.HasAVX512BW && x.HasAVX512CD && x.HasAVX512DQ && x.HasAVX512VL
	switch {
	case v4:
		return "v4"
	case v3:
		return "v3"
	case v2:
		return "v2"
	}
	return "v1"
}

// HostLevels returns the GOAMD64 levels this host can run: those the CPU
// reports, with the highest confirmed by building and running a tiny program
// for it in dir (a level that fails is dropped and the next lower one tried).
func HostLevels(ctx context.Context, r gotool.Runner, dir string) ([]string, error) {
	max := CPULevel()
	if max == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module gotune.probe\n\ngo 1.21\n"), 0o644); err != nil {
		return nil, err
	}
	for i := levelIndex(max); i > 0; i-- {
		lvl := Levels[i]
		bin := filepath.Join(dir, "probe-"+lvl)
		if _, err := r.Run(ctx, gotool.Cmd{Args: []string{"go", "build", "-o", bin, "."}, Dir: dir, Env: []string{"GOAMD64=" + lvl, "GOFLAGS="}}); err != nil {
			return nil, fmt.Errorf("building a GOAMD64=%s probe: %w", lvl, err)
		}
		if _, err := r.Run(ctx, gotool.Cmd{Args: []string{bin}, Dir: dir}); err == nil {
			return Levels[:i+1], nil
		}
	}
	return Levels[:1], nil
}

func levelIndex(l string) int {
	for i, v := range Levels {
		if v == l {
			return i
		}
	}
	return -1
}

// Runs reports whether level is among the host's levels.
func Runs(host []string, level string) bool {
	for _, l := range host {
		if l == level {
			return true
		}
	}
	return false
}
