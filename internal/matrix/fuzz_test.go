package matrix

import (
	"github.com/gotune/gotune/internal/axis"

	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad writes arbitrary bytes to a file and loads it: Load must never
// panic, and a config it accepts must expand, or fail, without panicking
// and with the invariants of every expansion.
func FuzzLoad(f *testing.F) {
	seeds := []string{
		goodYAML,
		"",
		"# nothing\n",
		"---\n",
		"axes:\n  goamd64: [v1, v9]\n",
		"axes:\n  ldflag: [\"-s\"]\n",
		"axes:\n  goamd64: &a [*a]\n",
		"variants:\n  - name: fast\n  - name: fast\n",
		"variants:\n  - name: x\n    <<: {goamd64: v3}\n",
		"count: 5\n---\ncount: 6\n",
		"axes: goamd64: v1\n",
		"axes:\n  env: [\"GOEXPERIMENT=a,b GOGC=off\", \"\"]\n  ldflags: [\"-X 'main.v=a b'\"]\n",
		"count: 0x10\nmax_variants: 1_000\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "gotune.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path)
		if err != nil {
			return
		}
		for _, pgo := range []bool{false, true} {
			vs, err := Expand(cfg, ExpandOptions{
				Baseline:      Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}},
				HostLevels:    []string{"v1", "v2", "v3"},
				HasDefaultPGO: pgo,
			})
			if err == nil {
				checkInvariants(t, vs)
			}
		}
	})
}
