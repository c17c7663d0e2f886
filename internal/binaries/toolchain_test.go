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
}
