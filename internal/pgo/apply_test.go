package pgo

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
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

// TestApplyStaysInside checks that apply writes nothing that resolves,
// symbolic links followed, outside the repository: a committed profiles
// link, a default.pgo linked out, --name with a folder, --profiles
// elsewhere. A link that stays inside is followed.
func TestApplyStaysInside(t *testing.T) {
	prof := encoded(t, synth{stacks: map[string]int64{"main.a;main.main": 5}}.profile())
	tests := []struct {
		name    string
		setup   func(t *testing.T, repo, elsewhere string) ApplyOptions
		wantErr string
		want    string // with no error: the kept profile's real path, relative to repo
	}{
		{"profiles links out", func(t *testing.T, repo, elsewhere string) ApplyOptions {
			must(t, os.Symlink(elsewhere, filepath.Join(repo, "profiles")))
			return ApplyOptions{}
		}, "refusing to write " + "REPO/profiles/svc.pprof: it resolves to ELSEWHERE/svc.pprof, outside the repository REPO: gotune pgo apply writes only inside the target; a symbolic link leads out of it", ""},
		{"profiles links out to a missing folder", func(t *testing.T, repo, elsewhere string) ApplyOptions {
			must(t, os.Symlink(filepath.Join(elsewhere, "new"), filepath.Join(repo, "profiles")))
			return ApplyOptions{}
		}, "resolves to ELSEWHERE/new/svc.pprof", ""},
		{"kept profile links out", func(t *testing.T, repo, elsewhere string) ApplyOptions {
			must(t, os.Mkdir(filepath.Join(repo, "profiles"), 0o755))
			must(t, os.Symlink(filepath.Join(elsewhere, "x.pprof"), filepath.Join(repo, "profiles", "svc.pprof")))
			return ApplyOptions{}
		}, "resolves to ELSEWHERE/x.pprof", ""},
		{"default.pgo links out", func(t *testing.T, repo, elsewhere string) ApplyOptions {
			must(t, os.WriteFile(filepath.Join(elsewhere, "victim"), nil, 0o644))
			must(t, os.Symlink(filepath.Join(elsewhere, "victim"), filepath.Join(repo, "cmd", "api", "default.pgo")))
			return ApplyOptions{Force: true}
		}, "refusing to write REPO/cmd/api/default.pgo: it resolves to ELSEWHERE/victim", ""},
		{"--name climbs out", func(t *testing.T, repo, elsewhere string) ApplyOptions {
			return ApplyOptions{Name: "../../../x"}
		}, "--name ../../../x: want a plain file name without a folder", ""},
		{"--profiles elsewhere", func(t *testing.T, repo, elsewhere string) ApplyOptions {
			return ApplyOptions{ProfilesDir: elsewhere}
		}, "outside the repository REPO: gotune pgo apply writes only inside the target; pass --profiles with a folder inside it", ""},
		{"a link inside the repository is followed", func(t *testing.T, repo, elsewhere string) ApplyOptions {
			must(t, os.MkdirAll(filepath.Join(repo, "data", "pgo"), 0o755))
			must(t, os.Symlink(filepath.Join("data", "pgo"), filepath.Join(repo, "profiles")))
			return ApplyOptions{}
		}, "", "data/pgo/svc.pprof"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// --name ../../../x would land in base/top.
			base := t.TempDir()
			repo, elsewhere := filepath.Join(base, "top", "sub", "repo"), filepath.Join(base, "elsewhere")
			api := filepath.Join(repo, "cmd", "api")
			must(t, os.MkdirAll(api, 0o755))
			must(t, os.Mkdir(elsewhere, 0o755))
			src := filepath.Join(base, "merged.pprof")
			must(t, os.WriteFile(src, prof, 0o644))
			opts := tt.setup(t, repo, elsewhere)
			opts.Profile, opts.Mains, opts.RepoRoot = src, []string{api}, repo
			if opts.ProfilesDir == "" {
				opts.ProfilesDir = filepath.Join(repo, "profiles")
			}
			if opts.Name == "" {
				opts.Name = "svc"
			}
			changes, err := Apply(opts)
			if tt.wantErr != "" {
				want := strings.NewReplacer("REPO", repo, "ELSEWHERE", elsewhere).Replace(tt.wantErr)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want %q", err, want)
				}
				if !errors.As(err, new(InputError)) || len(changes) != 0 {
					t.Errorf("err %v is not an InputError, or changes %v reported", err, changes)
				}
				// Nothing written, inside or out.
				var found []string
				for _, root := range []string{base} {
					filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
						if err == nil && p != src && d.Type().IsRegular() && (strings.HasSuffix(p, ".pprof") || strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".pgo")) {
							found = append(found, p)
						}
						return nil
					})
				}
				if len(found) > 0 {
					t.Errorf("written although refused: %v", found)
				}
				if b, _ := os.ReadFile(filepath.Join(elsewhere, "victim")); len(b) != 0 {
					t.Errorf("the file default.pgo links to was written")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(filepath.Join(repo, tt.want)); !bytes.Equal(b, prof) {
				t.Errorf("%s does not hold the profile", tt.want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestApplyAllOrNothing makes the last write of an apply fail (the kept
// profile's path is taken by a folder, which fails even for root): the
// default.pgo files already written get their old contents back, the new
// ones are removed, the profiles folder created for the kept profile goes
// too, and no temporary file is left.
func TestApplyAllOrNothing(t *testing.T) {
	prof := encoded(t, synth{stacks: map[string]int64{"main.a;main.main": 5}}.profile())
	old := encoded(t, synth{stacks: map[string]int64{"main.b;main.main": 7}}.profile())
	for _, tt := range []struct {
		name  string
		block string // the path made a folder so that writing it fails
	}{
		{"kept profile", "profiles/svc.pprof"},
		{"provenance", "profiles/svc.provenance.json"},
		{"second main", "cmd/worker/default.pgo"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			repo := t.TempDir()
			api, worker := filepath.Join(repo, "cmd", "api"), filepath.Join(repo, "cmd", "worker")
			must(t, os.MkdirAll(api, 0o755))
			must(t, os.MkdirAll(worker, 0o755))
			must(t, os.WriteFile(filepath.Join(api, "default.pgo"), old, 0o644))
			must(t, os.MkdirAll(filepath.Join(repo, tt.block), 0o755))
			src := filepath.Join(t.TempDir(), "merged.pprof")
			must(t, os.WriteFile(src, prof, 0o644))
			var before []string
			filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
				before = append(before, p)
				return nil
			})
			changes, err := Apply(ApplyOptions{Profile: src, Mains: []string{api, worker}, Force: true, ProfilesDir: filepath.Join(repo, "profiles"), Name: "svc", RepoRoot: repo})
			if err == nil || len(changes) != 0 {
				t.Fatalf("changes %v, err %v: want the failed write's error and no changes", changes, err)
			}
			if b, _ := os.ReadFile(filepath.Join(api, "default.pgo")); !bytes.Equal(b, old) {
				t.Error("cmd/api/default.pgo does not hold its old profile again")
			}
			var after []string
			filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
				after = append(after, p)
				return nil
			})
			if strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("the repository's files changed:\nbefore %q\nafter  %q", before, after)
			}
		})
	}
}
