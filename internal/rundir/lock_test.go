//go:build unix

package rundir

import (
	"github.com/gotune/gotune/internal/options"

	"errors"
	"strings"
	"testing"
)

func TestLock(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(dir, "run of example.com/a, seed 7")
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to open files: a second open in this process
	// conflicts like another process would.
	_, err = Lock(dir, "run of example.com/a, seed 8")
	var ie options.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("second lock: err = %v, want an InputError", err)
	}
	for _, want := range []string{"is in use by gotune run of example.com/a, seed 7 (pid ", "pass another --workdir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	unlock()
	unlock2, err := Lock(dir, "again")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	unlock2()
}
