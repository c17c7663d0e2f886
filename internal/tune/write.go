package tune

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
)

// WriteJSON writes run to path atomically: a temporary file in the same
// directory, synced, then renamed, so that a kill never leaves half a file.
func WriteJSON(path string, run *result.Run) error {
	var buf bytes.Buffer
	if err := report.JSON(&buf, run); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// WriteFileAtomic writes data to path through a temporary file and a rename.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
