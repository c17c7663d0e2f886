package report

import (
	"bytes"
	"testing"
)

// FuzzLoadJSON feeds arbitrary bytes to LoadJSON, the loader behind gotune
// report and gotune check --against: it must never panic, and whatever it
// accepts must render in every format without panicking.
func FuzzLoadJSON(f *testing.F) {
	var typical bytes.Buffer
	if err := JSON(&typical, typicalRun()); err != nil {
		f.Fatal(err)
	}
	f.Add(typical.Bytes())
	f.Add([]byte(`{"variants": []}`))
	f.Add([]byte(`{"variants": [{"name": "baseline", "status": "ok", "geomean": {"center": 1, "lo": null, "hi": null}}], "baseline": "baseline"}`))
	f.Add([]byte(`{"variants": [{"name": "a", "same_code_as": "a"}], "comparisons": [{"base": {"lo": null}}]}`))
	f.Add([]byte(`[1, 2]`))
	f.Add([]byte(`{"variants": "x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := LoadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, format := range []Format{FormatText, FormatMarkdown, FormatHTML, FormatJSON, FormatBenchstat} {
			var out bytes.Buffer
			_ = Render(&out, format, run, Options{Verbose: true})
		}
	})
}
