package tune

import (
	"bytes"

	"github.com/gotune/gotune/internal/atomicfile"
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
	return atomicfile.Write(path, buf.Bytes())
}
