package matrix

import (
	"github.com/gotune/gotune/internal/axis"

	"strings"
	"testing"
)

// FuzzParseFlagAxes feeds arbitrary flag values through axis.ParseFlagValues and
// Expand: they must never panic, and every accepted value must survive a
// second parse unchanged (parsing is idempotent).
func FuzzParseFlagAxes(f *testing.F) {
	f.Add("v1,v3", "off,auto", "-s -w", "all=-N -l", "GOEXPERIMENT=greenteagc")
	f.Add("v9", "Off", "'unbalanced", "=", "gotune")
	f.Add("", "", "", "", "")
	f.Add(",,", "./p.pprof", `-X 'main.v=a b'`, "pkg=-m=2", "A=1 B=2")
	f.Fuzz(func(t *testing.T, goamd64, pgo, ldflags, gcflags, env string) {
		raw := axis.Values{"goamd64": {goamd64}, "pgo": {pgo}, "ldflags": {ldflags}, "gcflags": {gcflags}, "env": {env}}
		ax, err := axis.ParseFlagValues(raw)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "--") {
					t.Errorf("error line does not name its flag: %q", line)
				}
			}
			return
		}
		again, err := axis.ParseFlagValues(ax)
		if err != nil {
			t.Fatalf("an accepted value fails a second parse: %v (axes %q)", err, ax)
		}
		for _, pair := range [][2][]string{{ax["ldflags"], again["ldflags"]}, {ax["gcflags"], again["gcflags"]}, {ax["goamd64"], again["goamd64"]}} {
			if strings.Join(pair[0], "\x00") != strings.Join(pair[1], "\x00") {
				t.Errorf("parse is not idempotent: %q then %q", pair[0], pair[1])
			}
		}
		_, _ = Expand(Config{Axes: ax}, ExpandOptions{Baseline: Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": axis.PGOAuto}}, HostLevels: []string{"v1", "v2", "v3"}})
	})
}
