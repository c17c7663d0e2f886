package cmdutil

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
)

// OutputFlags are the flags that say where a run's report goes, shared by
// run and check.
type OutputFlags struct {
	format  string
	Format  report.Format
	Output  string // -o FILE; "" or "-" = stdout
	JSON    string // --json FILE; "-" = stdout
	Verbose bool
	// StepSummary is the file of $GITHUB_STEP_SUMMARY; when set, a
	// Markdown summary is appended to it.
	StepSummary string
}

func (o *OutputFlags) Register(fl *pflag.FlagSet, jsonHelp string) {
	fl.StringVar(&o.format, "format", string(report.FormatText), "report `format`: "+report.FormatList())
	fl.StringVarP(&o.Output, "output", "o", "", "write the report to `file` instead of stdout")
	fl.StringVar(&o.JSON, "json", "", jsonHelp)
	fl.BoolVarP(&o.Verbose, "verbose", "v", false, "add per-benchmark detail to the report")
}

// Finish checks the output flags before anything is measured: the format,
// that each output's directory exists and is not a directory itself, and
// that two outputs do not go to the same place.
func (o *OutputFlags) Finish() error {
	fm, err := report.ParseFormat(o.format)
	if err != nil {
		return UsageError{err}
	}
	o.Format = fm
	if err := CheckOutputPath("-o", o.Output); err != nil {
		return err
	}
	if err := CheckOutputPath("--json", o.JSON); err != nil {
		return err
	}
	toStdout := o.Output == "" || o.Output == "-"
	switch {
	case o.JSON == "-" && toStdout:
		return Usagef("--json - and the report would both go to stdout: write the report elsewhere with -o FILE, or use --format json")
	case o.JSON != "" && o.JSON != "-" && !toStdout && samePath(o.JSON, o.Output):
		return Usagef("--json and -o both name %s: the report would overwrite the result; give them different files", o.Output)
	}
	o.StepSummary = os.Getenv(StepSummaryEnv)
	return nil
}

// samePath reports whether two paths name the same file: the same
// existing file (through a link or a hard link), or the same name in the
// same folder, the folders' links followed.
func samePath(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	return resolved(a) == resolved(b)
}

// resolved is path made absolute, its folder's symbolic links followed.
func resolved(path string) string {
	abs, _ := filepath.Abs(path)
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// CheckOutputPath fails early, before anything is measured, when an
// output file cannot be written: its directory is missing, or it is a
// directory.
func CheckOutputPath(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return Usagef("%s %s is a directory: give a file name", flag, path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return Usagef("%s %s: directory %s does not exist: create it or write elsewhere", flag, path, dir)
	}
	return nil
}

// WriteJSON writes the whole result to --json: a file, or stdout with "-".
func (o *OutputFlags) WriteJSON(f *Factory, run *result.Run) error {
	switch o.JSON {
	case "":
		return nil
	case "-":
		return result.Encode(f.Stdout, run)
	}
	if err := result.WriteFile(o.JSON, run); err != nil {
		return fmt.Errorf("writing --json %s: %v", o.JSON, err)
	}
	return nil
}

// Write renders the report to -o or stdout, and the Markdown summary to
// $GITHUB_STEP_SUMMARY.
func (o *OutputFlags) Write(f *Factory, render, summary func(io.Writer) error) error {
	if err := WriteReport(f, o.Output, render); err != nil {
		return err
	}
	AppendStepSummary(f, o.StepSummary, summary)
	return nil
}

// Render returns the renderer of run in the chosen format.
func (o *OutputFlags) Render(run *result.Run) (func(io.Writer) error, func(io.Writer) error) {
	ro := report.Options{Verbose: o.Verbose}
	return func(w io.Writer) error { return report.Render(w, o.Format, run, ro) },
		func(w io.Writer) error { return report.Markdown(w, run, ro) }
}
