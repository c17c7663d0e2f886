package report

import (
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

func TestToolchainNotes(t *testing.T) {
	run := &result.Run{GoVersion: "go1.26.8", Baseline: "baseline",
		Toolchains: []result.Toolchain{
			{Version: "go1.27.3", GoVersion: "go version go1.27.3 linux/amd64", Seconds: 9.84},
			{Version: "go1.99.1", Error: "go1.99.1 cannot be had: go: download go1.99.1 for linux/amd64: toolchain not available"},
		},
		Variants: []result.Variant{
			{Name: "baseline", Status: result.StatusOK, Builds: []result.Build{{Binary: "/b/0", Seconds: 2}, {Binary: "/b/0l", Seconds: 1.5, Cached: true}}},
			{Name: "gogc=50", Status: result.StatusOK, Settings: map[string]string{"gogc": "50"}, Builds: []result.Build{{Binary: "/b/0", Seconds: 2}}},
			{Name: "toolchain=go1.27.3", Status: result.StatusOK, Settings: map[string]string{"toolchain": "go1.27.3"}, Builds: []result.Build{{Binary: "/b/1", Seconds: 4.25}}},
			{Name: "toolchain=go1.99.1", Status: result.StatusSkipped, Settings: map[string]string{"toolchain": "go1.99.1"}},
		}}
	got := toolchainNotes(run)
	want := "Go toolchains: go1.26.8: 2 builds in 3.5s (1 from gotune's cache, timed when first built); go1.27.3: 1 build in 4.2s; checked with go version in 9.8s; go1.99.1 skipped: go1.99.1 cannot be had: go: download go1.99.1 for linux/amd64: toolchain not available"
	if len(got) != 1 || got[0] != want {
		t.Errorf("notes %q\nwant %q", got, want)
	}
	if toolchainNotes(&result.Run{Variants: run.Variants}) != nil {
		t.Error("a run without the toolchain axis has a toolchain note")
	}
	if a := toolchainAdvice(run, &run.Variants[2]); !strings.Contains(a, "'go get toolchain@go1.27.3'") {
		t.Errorf("advice %q", a)
	}
	if a := toolchainAdvice(run, &run.Variants[0]); a != "" {
		t.Errorf("advice for the go command's own toolchain: %q", a)
	}
}
