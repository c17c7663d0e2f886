package pgo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckFile checks files as gotune run --pgo FILE does before any
// build: each unusable one gets the same one line as pgo merge gives it.
func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := encoded(t, synth{stacks: map[string]int64{"main.a;main.main": 5}}.profile())
	tests := []struct {
		name string
		path string
		want string // "" = usable
	}{
		{"a CPU profile", write("cpu.pprof", good), ""},
		{"a heap profile", write("heap.pprof", encoded(t, heap())), "heap.pprof is a heap profile (sample types: "},
		{"an empty file", write("empty.pprof", nil), "empty.pprof: empty file, not a profile"},
		{"a truncated file", write("trunc.pprof", good[:len(good)/2]), "trunc.pprof: not a pprof profile (decompressing profile: unexpected EOF)"},
		{"text", write("notes.txt", []byte("hello\n")), "notes.txt: not a pprof profile"},
		{"no samples", write("idle.pprof", encoded(t, synth{stacks: map[string]int64{}}.profile())), "idle.pprof: empty profile: no CPU samples"},
		{"no start lines", write("old.pprof", encoded(t, synth{stacks: map[string]int64{"main.a;main.main": 5}, noStart: true}.profile())), "old.pprof: no function start lines"},
		{"missing", filepath.Join(dir, "nope.pprof"), "nope.pprof: no such file: give the path of a CPU profile"},
		{"a folder", dir, "001 is a directory: give the path of a CPU profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckFile(tt.path)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, tt.want)
			}
			if !errors.As(err, new(InputError)) {
				t.Errorf("err %v is not an InputError (exit status 2)", err)
			}
			_, merr := MergeFiles(MergeFilesOptions{Files: []string{tt.path}, Output: filepath.Join(t.TempDir(), "m.pprof")})
			if merr == nil || merr.Error() != err.Error() {
				t.Errorf("pgo merge says %q, CheckFile %q: want the same words", merr, err)
			}
		})
	}
}
