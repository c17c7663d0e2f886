package cache

import (
	"github.com/gotune/gotune/internal/axis"

	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/result"
)

func TestBuildKey(t *testing.T) {
	base := BuildInputs{Source: "src1", GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64",
		Settings: axis.Settings{"goamd64": "v1", "ldflags": "-s -w", "pgo": "off", "env": "A=1 B=2"},
		Packages: []string{"example.com/p"}, Env: []string{"GOFLAGS=-mod=mod"}}
	k := BuildKey(base)
	same := []struct {
		name string
		edit func(*BuildInputs)
	}{
		{"flags split on spaces", func(b *BuildInputs) { b.Settings = b.Settings.With(axis.LDFlags, " -s   -w ") }},
		{"env in any order", func(b *BuildInputs) { b.Settings = b.Settings.With(axis.Env, "B=2 A=1") }},
		{"profile hash without a profile", func(b *BuildInputs) { b.Profile = "p1" }},
	}
	for _, tt := range same {
		t.Run("same/"+tt.name, func(t *testing.T) {
			in := base
			tt.edit(&in)
			if BuildKey(in) != k {
				t.Errorf("key changed")
			}
		})
	}
	differ := []struct {
		name string
		edit func(*BuildInputs)
	}{
		{"source", func(b *BuildInputs) { b.Source = "src2" }},
		{"go version", func(b *BuildInputs) { b.GoVersion = "go1.26.9" }},
		{"goamd64", func(b *BuildInputs) { b.Settings = b.Settings.With(axis.GOAMD64, "v3") }},
		{"gcflags", func(b *BuildInputs) { b.Settings = b.Settings.With(axis.GCFlags, "-l") }},
		{"pgo on", func(b *BuildInputs) { b.Settings = b.Settings.With(axis.PGO, "/p/default.pgo") }},
		{"packages", func(b *BuildInputs) { b.Packages = []string{"example.com/q"} }},
		{"user environment", func(b *BuildInputs) { b.Env = []string{"GOEXPERIMENT=x"} }},
	}
	for _, tt := range differ {
		t.Run("differ/"+tt.name, func(t *testing.T) {
			in := base
			tt.edit(&in)
			if BuildKey(in) == k {
				t.Errorf("key unchanged")
			}
		})
	}
	// Profiles are keyed by content.
	p1, p2 := base, base
	p1.Settings, p1.Profile = base.Settings.With(axis.PGO, "/a/default.pgo"), "h1"
	p2.Settings, p2.Profile = base.Settings.With(axis.PGO, "/b/other.pgo"), "h1"
	if BuildKey(p1) != BuildKey(p2) {
		t.Errorf("the same profile content at two paths gave two keys")
	}
	p2.Profile = "h2"
	if BuildKey(p1) == BuildKey(p2) {
		t.Errorf("two profile contents gave one key")
	}
}

func TestKeyFieldsDoNotCollide(t *testing.T) {
	if Key("k", "ab", "c") == Key("k", "a", "bc") {
		t.Error("fields collide")
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSourceHash(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "go.mod"), "module m\n")
	write(t, filepath.Join(root, "a.go"), "package m\n")
	h1, err := SourceHash(root)
	if err != nil {
		t.Fatal(err)
	}
	// Version control and nested modules do not count.
	write(t, filepath.Join(root, ".git", "HEAD"), "ref: x\n")
	write(t, filepath.Join(root, "sub", "go.mod"), "module m/sub\n")
	write(t, filepath.Join(root, "sub", "x.go"), "package sub\n")
	if h, _ := SourceHash(root); h != h1 {
		t.Errorf(".git or a nested module changed the hash")
	}
	// Any other file does: code, embedded data, test data.
	for _, f := range []string{"a.go", "testdata/in.json", "web/index.html"} {
		write(t, filepath.Join(root, f), "changed\n")
		h, _ := SourceHash(root)
		if h == h1 {
			t.Errorf("changing %s did not change the hash", f)
		}
		h1 = h
	}
	// The same content in a fresh copy hashes the same: no times involved.
	if err := os.Chtimes(filepath.Join(root, "a.go"), time.Now(), time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if h, _ := SourceHash(root); h != h1 {
		t.Errorf("a changed modification time changed the hash")
	}
}

func TestBuildStoreLoadPlace(t *testing.T) {
	c := Cache{Dir: filepath.Join(t.TempDir(), "cache")}
	run := t.TempDir()
	bin := filepath.Join(run, "bin", "v", "p.test")
	write(t, bin, "binary")
	builds := []result.Build{{Package: "example.com/p", Binary: bin, Seconds: 3.5, Size: 6, Fingerprint: "fp"}}
	if _, ok := c.LoadBuild("k1"); ok {
		t.Fatal("hit in an empty cache")
	}
	if err := c.StoreBuild("k1", builds); err != nil {
		t.Fatal(err)
	}
	if err := c.StoreBuild("k1", builds); err != nil {
		t.Fatalf("storing twice: %v", err)
	}
	got, ok := c.LoadBuild("k1")
	if !ok || len(got) != 1 || got[0].Fingerprint != "fp" || got[0].Seconds != 3.5 {
		t.Fatalf("LoadBuild = %+v, %v", got, ok)
	}
	placed, err := Place(got, filepath.Join(t.TempDir(), "bin", "v"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(placed[0].Binary)
	if err != nil || string(data) != "binary" || !placed[0].Cached {
		t.Errorf("placed %+v: %q, %v", placed[0], data, err)
	}
	// A failed build is never stored; a half entry is never loaded.
	if err := c.StoreBuild("k2", []result.Build{{Package: "p", Binary: bin, Error: "boom"}}); err == nil {
		t.Error("stored a failed build")
	}
	write(t, filepath.Join(c.Dir, "builds", "k3", "p.test"), "x")
	if _, ok := c.LoadBuild("k3"); ok {
		t.Error("loaded an entry without meta.json")
	}
	if entries, _ := os.ReadDir(filepath.Join(c.Dir, "builds")); len(entries) != 2 {
		t.Errorf("builds folder holds %d entries, want 2 (no temporary left)", len(entries))
	}
}

func TestResultAndPrune(t *testing.T) {
	c := Cache{Dir: t.TempDir()}
	if _, ok := c.LoadResult("r"); ok {
		t.Fatal("hit in an empty cache")
	}
	if err := c.StoreResult("r", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if p, ok := c.LoadResult("r"); !ok || filepath.Base(p) != "r.json" {
		t.Errorf("LoadResult = %q, %v", p, ok)
	}
	bin := filepath.Join(t.TempDir(), "p.test")
	write(t, bin, "b")
	for i, k := range []string{"old", "mid", "new"} {
		if err := c.StoreBuild(k+"-key-padding", []result.Build{{Package: "p", Binary: bin}}); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(time.Duration(i-3) * time.Hour)
		os.Chtimes(filepath.Join(c.Dir, "builds", k+"-key-padding"), when, when)
	}
	c.Prune(2)
	if _, ok := c.LoadBuild("old-key-padding"); ok {
		t.Error("the least recently used entry survived")
	}
	if _, ok := c.LoadBuild("new-key-padding"); !ok {
		t.Error("the newest entry was pruned")
	}
}

func TestHostAndResultKeys(t *testing.T) {
	h := result.Host{GOOS: "linux", GOARCH: "amd64", CPU: "EPYC", NumCPU: 2}
	a := HostFingerprint(h, "box")
	if HostFingerprint(h, "other") == a {
		t.Error("hostname ignored")
	}
	h.NumCPU = 4
	if HostFingerprint(h, "box") == a {
		t.Error("CPU count ignored")
	}
	if ResultKey([]string{"b1"}, a, "count=10") == ResultKey([]string{"b1"}, a, "count=20") {
		t.Error("settings ignored")
	}
}
