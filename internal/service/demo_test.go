//go:build linux

package service

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestDemoTrial runs a real short trial against gotune's demo service,
// built from examples/quotes with the configuration of docs/service.md
// made shorter.
func TestDemoTrial(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the demo server")
	}
	bin := filepath.Join(t.TempDir(), "quotesd")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/quotesd")
	cmd.Dir = filepath.Join("..", "..", "examples", "quotes")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building quotesd: %v\n%s", err, out)
	}
	cfg, err := docExample(t).Resolve(".")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Warmup, cfg.Duration, cfg.Load.Rate = time.Second, 2*time.Second, 100
	m, err := trial(t, cfg, bin)
	if err != nil {
		t.Fatal(err)
	}
	checkMetrics(t, m)
	if m.Requests < 100 {
		t.Errorf("Requests = %d at 100/s for 2s, want about 200", m.Requests)
	}
}
