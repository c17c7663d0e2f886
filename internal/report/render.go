package report

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gotune/gotune/internal/result"
)

// Format names a report format.
type Format string

// The report formats, as --format spells them.
const (
	FormatText      Format = "text"      // the terminal report
	FormatMarkdown  Format = "markdown"  // a summary for a pull-request comment or $GITHUB_STEP_SUMMARY
	FormatHTML      Format = "html"      // one self-contained page with charts
	FormatJSON      Format = "json"      // the whole result, as result.Encode writes it and result.Decode reads it
	FormatBenchstat Format = "benchstat" // the samples in the Go benchmark format, with per-axis keys
)

// Formats lists every format in the order help texts show them.
var Formats = []Format{FormatText, FormatMarkdown, FormatHTML, FormatJSON, FormatBenchstat}

// FormatList returns the formats as "text|markdown|html|json|benchstat".
func FormatList() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(names, "|")
}

// ParseFormat returns the format s names; "md" is accepted for Markdown.
func ParseFormat(s string) (Format, error) {
	if s == "md" {
		return FormatMarkdown, nil
	}
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("--format %q: unknown format (want %s)", s, strings.ReplaceAll(FormatList(), "|", ", "))
}

// Render writes run to w in format f. Options apply to the formats for
// people (Verbose adds per-benchmark detail to text and Markdown).
func Render(w io.Writer, f Format, run *result.Run, opts Options) error {
	if run == nil {
		return errors.New("report: no run to render")
	}
	switch f {
	case FormatText, "":
		return Text(w, run, opts)
	case FormatMarkdown:
		return Markdown(w, run, opts)
	case FormatHTML:
		return HTML(w, run)
	case FormatJSON:
		return result.Encode(w, run)
	case FormatBenchstat:
		return Benchstat(w, run)
	}
	return fmt.Errorf("report: unknown format %q", f)
}
