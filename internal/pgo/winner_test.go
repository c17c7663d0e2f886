package pgo

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

func TestToApply(t *testing.T) {
	prof := encoded(t, synth{stacks: map[string]int64{"main.a;main.main": 5}}.profile())
	other := encoded(t, synth{stacks: map[string]int64{"main.b;main.main": 7}}.profile())
	tests := []struct {
		name     string
		action   string
		pgo      string            // the winner's pgo setting
		mains    []string          // main package dirs, relative to the target
		defaults map[string][]byte // main dir → its default.pgo
		dir      string            // the target dir, relative to the module root; "" = the root
		want     string            // the command, with PROFILE and DIR for the paths; "" = nil
		wantMain string
	}{
		{"collect, no default.pgo", result.ActionUse, "collect", []string{"cmd/app"}, nil, "", "gotune pgo apply PROFILE -C DIR", "./cmd/app"},
		{"a file replaces a different default.pgo", result.ActionUse, "FILE", []string{"cmd/app"}, map[string][]byte{"cmd/app": other}, "", "gotune pgo apply PROFILE -C DIR --force", "./cmd/app"},
		{"the same profile is already committed", result.ActionUse, "FILE", []string{"cmd/app"}, map[string][]byte{"cmd/app": prof}, "", "", ""},
		{"committed in one main only", result.ActionUse, "collect", []string{"cmd/a", "cmd/b"}, map[string][]byte{"cmd/a": prof}, "", "gotune pgo apply PROFILE -C DIR", "./cmd/a ./cmd/b"},
		{"auto needs nothing", result.ActionUse, "auto", []string{"cmd/app"}, map[string][]byte{"cmd/app": other}, "", "", ""},
		{"off needs nothing", result.ActionUse, "off", []string{"cmd/app"}, nil, "", "", ""},
		{"no winner", result.ActionLonger, "collect", []string{"cmd/app"}, nil, "", "", ""},
		{"keep", result.ActionKeep, "collect", []string{"cmd/app"}, nil, "", "", ""},
		{"the mains under the target dir", result.ActionUse, "collect", []string{"svc/cmd/a", "svc/cmd/b", "tools/x"}, nil, "svc", "gotune pgo apply PROFILE -C DIR --main ./cmd/a --main ./cmd/b", "./cmd/a ./cmd/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			tg := &target.Target{ModuleRoot: root, Dir: filepath.Join(root, tt.dir), Module: "example.com/m"}
			for _, m := range tt.mains {
				d := filepath.Join(root, m)
				must(t, os.MkdirAll(d, 0o755))
				mn := target.Main{ImportPath: "example.com/m/" + m, Dir: d}
				if b, ok := tt.defaults[m]; ok {
					mn.DefaultPGO = filepath.Join(d, "default.pgo")
					must(t, os.WriteFile(mn.DefaultPGO, b, 0o644))
				}
				tg.Mains = append(tg.Mains, mn)
			}
			profile := filepath.Join(t.TempDir(), "run", "pgo", "collected.pprof")
			must(t, os.MkdirAll(filepath.Dir(profile), 0o755))
			must(t, os.WriteFile(profile, prof, 0o644))
			setting := tt.pgo
			if setting == "FILE" {
				setting = profile
			}
			v := result.Variant{Name: "winner", Settings: axis.Settings{axis.PGO.Name: setting}}
			if tt.pgo == "collect" || tt.pgo == "FILE" {
				v.Profile = profile
			}
			if tt.pgo == "auto" {
				v.Profile = tg.DefaultPGO()
			}
			run := &result.Run{Dir: tg.Dir, Variants: []result.Variant{{Name: "baseline"}, v},
				Analysis: &result.Analysis{Recommendation: result.Recommendation{Action: tt.action, Variant: "winner"}}}
			got := ToApply(run, tg)
			if tt.want == "" {
				if got != nil {
					t.Fatalf("ToApply = %+v, want nil", got)
				}
				return
			}
			want := strings.NewReplacer("PROFILE", profile, "DIR", tg.Dir).Replace(tt.want)
			if got == nil || got.Command != want || got.Path != profile || strings.Join(got.Mains, " ") != tt.wantMain {
				t.Fatalf("ToApply = %+v, want command %q, mains %q", got, want, tt.wantMain)
			}
			if _, err := json.Marshal(got); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestStaleWarnings(t *testing.T) {
	root := t.TempDir()
	must(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m\n\ngo 1.21\n"), 0o644))
	must(t, os.MkdirAll(filepath.Join(root, "store"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "store", "store.go"), []byte(storeSrc), 0o644))
	app := filepath.Join(root, "cmd", "app")
	must(t, os.MkdirAll(app, 0o755))
	must(t, os.WriteFile(filepath.Join(app, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644))
	const pkg = "example.com/m/store."
	for _, tt := range []struct {
		name   string
		stacks map[string]int64
		want   string
	}{
		{"fresh", map[string]int64{pkg + "(*Store).Get;main.main": 90, pkg + "Removed;main.main": 5}, ""},
		{"stale", map[string]int64{pkg + "(*Store).Get;main.main": 70, pkg + "Removed;main.main": 30},
			"cmd/app/default.pgo is stale: 30.0% of the module's profiled CPU runs through functions that no longer exist (30.0% of the profile) or moved (0.0%), e.g. missing example.com/m/store.Removed; PGO loses those call sites (refresh above 10%): gotune pgo refresh -C " + root + " --collect"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := synth{stacks: tt.stacks, startAt: map[string]int64{pkg + "(*Store).Get": 9}}.profile()
			for _, f := range p.Function {
				if strings.HasPrefix(f.Name, pkg) {
					f.Filename = "/build/store/store.go"
				}
			}
			must(t, os.WriteFile(filepath.Join(app, "default.pgo"), encoded(t, p), 0o644))
			tg := &target.Target{ModuleRoot: root, Dir: root, Module: "example.com/m", Mains: []target.Main{{ImportPath: "example.com/m/cmd/app", Dir: app, DefaultPGO: filepath.Join(app, "default.pgo")}}}
			got := strings.Join(StaleWarnings(context.Background(), gotool.Exec{}, tg), "\n")
			if got != tt.want {
				t.Errorf("warnings:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	// A module that cannot be listed gives no warning, not an error.
	tg := &target.Target{ModuleRoot: root, Dir: root, Module: "example.com/m", Mains: []target.Main{{Dir: app, DefaultPGO: filepath.Join(app, "default.pgo")}}}
	if w := StaleWarnings(context.Background(), &gotool.Fake{}, tg); len(w) != 0 {
		t.Errorf("warnings without a go command: %q", w)
	}
}
