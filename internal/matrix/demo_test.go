package matrix

import "testing"

// TestDemoConfig checks that the demo's gotune.yaml parses and that its
// service: section validates: `gotune run -C examples/quotes --service`
// depends on it.
func TestDemoConfig(t *testing.T) {
	cfg, err := Load("../../examples/quotes/gotune.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Service == nil || cfg.Service.Main != "./cmd/quotesd" || !cfg.Service.UsesPprofListener() {
		t.Fatalf("the demo's service section is not quotesd with its pprof listener: %+v", cfg.Service)
	}
	if _, err := cfg.Service.Resolve("../../examples/quotes"); err != nil {
		t.Errorf("the demo's service section does not validate: %v", err)
	}
	if !cfg.Axes.Empty() || len(cfg.Variants) > 0 {
		t.Errorf("the demo's gotune.yaml changes the benchmark run's matrix: %+v", cfg)
	}
}
