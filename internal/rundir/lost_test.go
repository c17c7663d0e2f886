package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLost: a run folder removed, renamed, replaced by a file or by
// another folder, or under a folder replaced by a file, is lost, and the
// error says which.
func TestLost(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
		want   string // "" = not lost
	}{
		{"untouched", func(*testing.T, string) {}, ""},
		{"written into", func(t *testing.T, path string) { os.WriteFile(filepath.Join(path, "x"), nil, 0o644) }, ""},
		{"removed", func(t *testing.T, path string) { os.RemoveAll(path) }, "was removed during the run"},
		{"renamed", func(t *testing.T, path string) { os.Rename(path, path+".old") }, "was removed during the run"},
		{"replaced by a file", func(t *testing.T, path string) {
			os.RemoveAll(path)
			os.WriteFile(path, []byte("x"), 0o644)
		}, "was replaced by a file during the run"},
		{"replaced by another folder", func(t *testing.T, path string) {
			os.RemoveAll(path)
			os.Mkdir(path, 0o755)
		}, "was replaced by another folder during the run"},
		{"a folder above it replaced by a file", func(t *testing.T, path string) {
			runs := filepath.Dir(path)
			os.RemoveAll(runs)
			os.WriteFile(runs, []byte("x"), 0o644)
		}, "was removed during the run: a folder above it is now a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Create(t.TempDir(), time.Now(), 1, State{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			tt.change(t, d.Path)
			err = d.Lost()
			if tt.want == "" {
				if err != nil {
					t.Errorf("Lost = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), d.Path) {
				t.Errorf("Lost = %v, want the folder and %q", err, tt.want)
			}
		})
	}
}
