package cmdutil

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/gotune/gotune/internal/atomicfile"
	"github.com/gotune/gotune/internal/result"
)

// LoadResult reads a saved result from path, or from stdin when path is
// "-", with an error that names the file and what to do.
func LoadResult(path string, stdin io.Reader) (*result.Run, error) {
	r := stdin
	name := "standard input"
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: no such file: give the path of a result saved with 'gotune run --json FILE'", path)
			}
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		defer file.Close()
		r, name = file, path
	}
	run, err := result.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return run, nil
}

// WriteReport renders a report into path, or to stdout when path is "" or
// "-". A file is written whole or not at all (a temporary file renamed
// into place), and its path is logged on stderr.
func WriteReport(f *Factory, path string, render func(io.Writer) error) error {
	if path == "" || path == "-" {
		return render(f.Stdout)
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("writing -o %s: %v", path, err)
	}
	fmt.Fprintf(f.Stderr, "gotune: report written to %s\n", path)
	return nil
}

// StepSummaryEnv is the variable GitHub Actions sets to the file whose
// Markdown it shows on the run's summary page.
const StepSummaryEnv = "GITHUB_STEP_SUMMARY"

// AppendStepSummary appends a Markdown summary to the step-summary file,
// when there is one. A failure to write it is a warning on stderr, not an
// error: the report itself went out.
func AppendStepSummary(f *Factory, path string, render func(io.Writer) error) {
	if path == "" {
		return
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		fmt.Fprintf(f.Stderr, "gotune: warning: $%s: %v\n", StepSummaryEnv, err)
		return
	}
	buf.WriteString("\n")
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = file.Write(buf.Bytes())
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(f.Stderr, "gotune: warning: could not write the summary to $%s: %v\n", StepSummaryEnv, err)
	}
}
