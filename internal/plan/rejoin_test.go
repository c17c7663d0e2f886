package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
)

func TestRejoin(t *testing.T) {
	dir := t.TempDir()
	bin := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("binary "+name), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	host := result.Host{GOOS: "linux", GOARCH: "amd64", CPU: "cpu", NumCPU: 2, GOAMD64Max: "v3"}
	settings := axis.Settings{"goamd64": "v1", "pgo": "auto"}
	b0, b1 := bin("l0.test"), bin("l1.test")
	saved := func() *result.Run {
		return &result.Run{Host: host, Baseline: "baseline", Variants: []result.Variant{{
			Name: "baseline", Settings: settings, Status: result.StatusOK, BuildLine: "go build .",
			Builds: []result.Build{{Package: "p", Binary: b0, Size: int64(len("binary l0.test"))}, {Package: "p", Binary: b1, Size: int64(len("binary l1.test")), Layout: 1}},
		}}}
	}
	plan := func(layouts int) *Plan {
		return &Plan{Host: host, Options: options.Options{Layouts: layouts}, Variants: []result.Variant{{Name: "baseline", Settings: settings, Status: result.StatusOK}}}
	}
	for _, tc := range []struct {
		name    string
		layouts int
		change  func(*result.Run, *Plan)
		err     string
	}{
		{name: "both layouts", layouts: 2},
		{name: "layouts off takes layout 0 only", layouts: 0},
		{name: "another machine", layouts: 2, change: func(r *result.Run, _ *Plan) { r.Host.CPU = "other" }, err: "another machine"},
		{name: "binary gone", layouts: 2, change: func(r *result.Run, _ *Plan) { r.Variants[0].Builds[1].Binary += ".gone" }, err: "is gone or changed"},
		{name: "binary changed", layouts: 2, change: func(r *result.Run, _ *Plan) { r.Variants[0].Builds[0].Size++ }, err: "is gone or changed"},
		{name: "layout missing", layouts: 3, err: "no binaries of code layout 2"},
		{name: "baseline failed", layouts: 2, change: func(r *result.Run, _ *Plan) { r.Variants[0].Status = result.StatusBuildFailed }, err: "no binaries"},
		{name: "not baseline-only", layouts: 2, change: func(_ *result.Run, p *Plan) { p.Variants = append(p.Variants, result.Variant{Name: "v"}) }, err: "not the baseline alone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, p := saved(), plan(tc.layouts)
			if tc.change != nil {
				tc.change(r, p)
			}
			before := len(p.Variants)
			err := p.Rejoin(r, "saved", "current")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if len(p.Variants) != before {
					t.Errorf("the plan changed on error: %d variants", len(p.Variants))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Variants) != 2 || p.Variants[0].Name != "saved" || p.Variants[1].Name != "current" || p.Variants[1].Complexity != 1 {
				t.Fatalf("variants %+v", p.Variants)
			}
			s := p.Variants[0]
			if s.Status != result.StatusOK || s.BuildLine != "go build ." || s.Settings.Get(axis.GOAMD64) != "v1" {
				t.Errorf("saved variant %+v", s)
			}
			if want := max(1, tc.layouts); len(s.Builds) != want {
				t.Errorf("%d builds, want %d", len(s.Builds), want)
			}
			if len(p.Variants[1].Builds) != 0 {
				t.Errorf("the current build came built: %+v", p.Variants[1].Builds)
			}
		})
	}
}
