package matrix

import (
	"strings"
	"testing"
	"time"
)

// TestParseService checks that the service: section decodes into
// service.Config, and that a typo in it is an error at its line of the
// whole file.
func TestParseService(t *testing.T) {
	cfg, err := Parse("gotune.yaml", []byte(`count: 3
service:
  main: ./cmd/server
  args: [-addr, "{addr}"]
  load:
    rate: 50
    requests:
      - {path: /x, weight: 2}
  duration: 3s
`))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Service
	if s == nil || s.Main != "./cmd/server" || s.Load.Rate != 50 || len(s.Load.Requests) != 1 || s.Load.Requests[0].Weight != 2 || s.Duration != 3*time.Second {
		t.Fatalf("Service = %+v", s)
	}
	for _, c := range []struct{ name, yaml, want string }{
		{"typo", "count: 3\nservice:\n  main: .\n  load:\n    rat: 5\n", `gotune.yaml:5: service: field rat not found`},
		{"not a mapping", "service: [a]\n", `gotune.yaml:1: service: want a mapping`},
		{"bad duration", "service:\n  main: .\n  warmup: soon\n", `gotune.yaml:3: service:`},
	} {
		_, err := Parse("gotune.yaml", []byte(c.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v, want prefix %q", c.name, err, c.want)
		}
	}
}
