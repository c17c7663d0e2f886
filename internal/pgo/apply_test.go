package pgo

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	prof := encoded(t, synth{stacks: map[string]int64{"main.a;main.main": 5}}.profile())
	other := encoded(t, synth{stacks: map[string]int64{"main.b;main.main": 7}}.profile())

	type setup struct {
		existing map[string][]byte // main dir → its current default.pgo
	}
	tests := []struct {
		name    string
		setup   setup
		force   bool
		profile []byte
		want    map[string]string // main dir → action
		wantErr string
	}{
		{"creates", setup{}, false, prof, map[string]string{"api": "created", "worker": "created"}, ""},
		{"same file is unchanged", setup{map[string][]byte{"api": prof}}, false, prof, map[string]string{"api": "unchanged", "worker": "created"}, ""},
		{"refuses a different file", setup{map[string][]byte{"worker": other}}, false, prof, nil, "cmd/worker/default.pgo already holds a different profile: pass --force"},
		{"replaces with --force", setup{map[string][]byte{"worker": other}}, true, prof, map[string]string{"api": "created", "worker": "replaced"}, ""},
		{"refuses a heap profile", setup{}, false, encoded(t, heap()), nil, "is a heap profile"},
		{"refuses an empty profile", setup{}, false, encoded(t, synth{stacks: map[string]int64{}}.profile()), nil, "empty profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := t.TempDir()
			var mains []string
			for _, m := range []string{"api", "worker"} {
				d := filepath.Join(repo, "cmd", m)
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
				if b, ok := tt.setup.existing[m]; ok {
					if err := os.WriteFile(filepath.Join(d, "default.pgo"), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				mains = append(mains, d)
			}
			src := filepath.Join(t.TempDir(), "merged.pprof")
			if err := os.WriteFile(src, tt.profile, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := WriteProvenance(src, tt.profile, Provenance{Source: "merge", Commit: "c0ffee"}); err != nil {
				t.Fatal(err)
			}
			changes, err := Apply(ApplyOptions{Profile: src, Mains: mains, Force: tt.force, ProfilesDir: filepath.Join(repo, "profiles"), Name: "svc", RepoRoot: repo})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				// Nothing was written.
				for _, m := range []string{"api", "worker"} {
					b, _ := os.ReadFile(filepath.Join(repo, "cmd", m, "default.pgo"))
					if !bytes.Equal(b, tt.setup.existing[m]) {
						t.Errorf("cmd/%s/default.pgo changed although apply failed", m)
					}
				}
				if _, err := os.Stat(filepath.Join(repo, "profiles")); err == nil {
					t.Errorf("profiles/ written although apply failed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, c := range changes {
				if filepath.Base(c.Path) == "default.pgo" {
					got[filepath.Base(filepath.Dir(c.Path))] = c.Action
				}
			}
			for m, a := range tt.want {
				if got[m] != a {
					t.Errorf("cmd/%s: %q, want %q (changes %+v)", m, got[m], a, changes)
				}
				b, _ := os.ReadFile(filepath.Join(repo, "cmd", m, "default.pgo"))
				if !bytes.Equal(b, tt.profile) {
					t.Errorf("cmd/%s/default.pgo does not hold the profile", m)
				}
			}
			kept, _ := os.ReadFile(filepath.Join(repo, "profiles", "svc.pprof"))
			if !bytes.Equal(kept, tt.profile) {
				t.Errorf("profiles/svc.pprof does not hold the profile")
			}
			var pv Provenance
			b, err := os.ReadFile(filepath.Join(repo, "profiles", "svc.provenance.json"))
			if err != nil || json.Unmarshal(b, &pv) != nil {
				t.Fatalf("reading the provenance: %v", err)
			}
			if pv.Commit != "c0ffee" || pv.Source != "merge" || strings.Join(pv.AppliedTo, " ") != "cmd/api/default.pgo cmd/worker/default.pgo" {
				t.Errorf("provenance = %+v", pv)
			}
			// No temporary files are left behind.
			for _, m := range []string{"api", "worker"} {
				entries, _ := os.ReadDir(filepath.Join(repo, "cmd", m))
				if len(entries) != 1 {
					t.Errorf("cmd/%s holds %d files, want default.pgo only", m, len(entries))
				}
			}
		})
	}
}

func TestApplyNeedsAMain(t *testing.T) {
	src := filepath.Join(t.TempDir(), "p.pprof")
	if err := os.WriteFile(src, encoded(t, synth{stacks: map[string]int64{"main.a;main.main": 5}}.profile()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ApplyOptions{Profile: src}); err == nil || !strings.Contains(err.Error(), "pass --main") {
		t.Errorf("err = %v, want a request for --main", err)
	}
}
