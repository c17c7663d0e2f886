package tune

import (
	"github.com/gotune/gotune/internal/axis"

	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "cpu.pprof")
	os.WriteFile(prof, []byte("x"), 0o644)
	tg := &target.Target{Dir: dir, GoVersion: "go1.26.8", Mains: []target.Main{{ImportPath: "m/cmd/x", Dir: filepath.Join(dir, "cmd/x")}}}
	old := &target.Target{Dir: dir, GoVersion: "go1.20.14"}
	base := matrix.Variant{Name: "baseline", Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}, Baseline: true}
	levels := []string{"v1", "v2", "v3"}
	tests := []struct {
		name       string
		mv         matrix.Variant
		tg         *target.Target
		wantStatus string
		wantPGO    string
		wantErr    string
	}{
		{"auto without default.pgo is off", matrix.Variant{Name: "b", Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}}, tg, result.StatusOK, "", ""},
		{"a level the host cannot run is skipped", matrix.Variant{Name: "v4", Settings: axis.Settings{"goamd64": "v4", "pgo": "off"}}, tg, result.StatusSkipped, "", ""},
		{"a profile path is made absolute", matrix.Variant{Name: "p", Settings: axis.Settings{"goamd64": "v1", "pgo": "cpu.pprof"}}, tg, result.StatusOK, prof, ""},
		{"a missing profile", matrix.Variant{Name: "m", Settings: axis.Settings{"goamd64": "v1", "pgo": "nope.pprof"}}, tg, "", "", "pgo profile nope.pprof: no such file"},
		{"PGO on a toolchain older than go1.21", matrix.Variant{Name: "p", Settings: axis.Settings{"goamd64": "v1", "pgo": "cpu.pprof"}}, old, "", "", "PGO needs Go go1.21 or later; this toolchain is go1.20.14"},
		{"no PGO on an old toolchain is fine", matrix.Variant{Name: "o", Settings: axis.Settings{"goamd64": "v1", "pgo": "off"}}, old, result.StatusOK, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := resolve(tt.mv, base, tt.tg, levels)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Status != tt.wantStatus || v.Profile != tt.wantPGO {
				t.Errorf("status %q pgo %q (reason %q), want %q %q", v.Status, v.Profile, v.Reason, tt.wantStatus, tt.wantPGO)
			}
			if v.Status == result.StatusSkipped && !strings.Contains(v.Reason, "cannot run GOAMD64=v4 (it runs up to v3)") {
				t.Errorf("reason = %q", v.Reason)
			}
		})
	}
}
