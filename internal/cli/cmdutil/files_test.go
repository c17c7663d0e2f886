package cmdutil

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAppendStepSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	var stderr bytes.Buffer
	f := &Factory{Stdout: &bytes.Buffer{}, Stderr: &stderr}
	for _, s := range []string{"first", "second"} {
		AppendStepSummary(f, path, func(w io.Writer) error {
			_, err := w.Write([]byte("### " + s + "\n"))
			return err
		})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), "### first\n\n### second\n\n"; got != want {
		t.Errorf("summary = %q, want %q (appended, not replaced)", got, want)
	}
	// An unwritable summary is a warning, not a failure.
	AppendStepSummary(f, filepath.Join(t.TempDir(), "no", "such", "dir", "s.md"), func(w io.Writer) error { return nil })
	if !strings.Contains(stderr.String(), "warning: could not write the summary to $GITHUB_STEP_SUMMARY") {
		t.Errorf("stderr = %q, want a warning", stderr.String())
	}
}
