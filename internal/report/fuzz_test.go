package report

import (
	"bytes"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

// FuzzLoadJSON feeds arbitrary bytes to result.Decode, the loader behind
// gotune report and gotune check --against: it must never panic, and
// whatever it accepts must render in every format without panicking.
func FuzzLoadJSON(f *testing.F) {
	for _, mk := range []func() *result.Run{typicalRun, noWinnerRun, allFailedRun} {
		var buf bytes.Buffer
		if err := result.Encode(&buf, mk()); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"schema_version": 2, "variants": []}`))
	f.Add([]byte(`{"schema_version": 2, "baseline": "baseline", "variants": [{"name": "baseline", "status": "ok"}, {"name": "v3", "status": "ok"}], "analysis": {"variants": [{"name": "v3", "verdict": "faster", "change": {"center": 1, "lo": null, "hi": null}}], "winner": "v3"}}`))
	f.Add([]byte(`{"schema_version": 2, "variants": [{"name": "a", "same_code_as": "a"}], "analysis": {"comparisons": [{"variant": "a", "unit": "sec/op", "change": {"lo": null}, "base": null, "p": null}]}}`))
	f.Add([]byte(`{"schema_version": 2, "variants": [{"name": "a", "status": "ok"}], "baseline": "a", "blocks": [{"index": 1, "cycle": -3}], "failures": [{"variant": "a", "block": 1, "error": "x"}], "samples": [{"variant": "a", "unit": "sec/op", "block": 1, "value": -1}]}`))
	f.Add([]byte(`[1, 2]`))
	f.Add([]byte(`{"variants": "x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := result.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, format := range Formats {
			var out bytes.Buffer
			_ = Render(&out, format, run, Options{Verbose: true})
		}
	})
}
