package binaries

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/result"
)

func TestCrossVersion(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "default.pgo")
	data := []byte("not parsed here")
	if err := os.WriteFile(prof, data, 0o644); err != nil {
		t.Fatal(err)
	}
	v := &result.Variant{Name: "toolchain=go1.27.3", Profile: prof}
	if pg, w := crossVersion(v, "go1.27.3"); pg != "" || w != "" {
		t.Errorf("a profile without provenance: %q, %q", pg, w)
	}
	if err := pgo.WriteProvenance(prof, data, pgo.Provenance{GoVersion: "go1.26.8", Source: "collect"}); err != nil {
		t.Fatal(err)
	}
	pg, w := crossVersion(v, "go1.27.3")
	if pg != "go1.26.8" || !strings.Contains(w, "toolchain=go1.27.3: its profile default.pgo was collected from code built by go1.26.8, and it builds with go1.27.3") {
		t.Errorf("= %q, %q", pg, w)
	}
	if _, w := crossVersion(v, "go1.26.2"); w != "" {
		t.Errorf("another patch release is flagged: %q", w)
	}

	// A default.pgo written by pgo apply: its provenance is kept in the
	// repository's profiles folder.
	repo := t.TempDir()
	main := filepath.Join(repo, "cmd", "x")
	for _, d := range []string{main, filepath.Join(repo, "profiles"), filepath.Join(repo, ".git")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	def := filepath.Join(main, "default.pgo")
	if err := os.WriteFile(def, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pgo.WriteProvenance(filepath.Join(repo, "profiles", "api.pprof"), data, pgo.Provenance{GoVersion: "go1.25.5", Source: "merge"}); err != nil {
		t.Fatal(err)
	}
	if got := profileGoVersion(def); got != "go1.25.5" {
		t.Errorf("default.pgo's release %q, want go1.25.5 from profiles/api.provenance.json", got)
	}
}
