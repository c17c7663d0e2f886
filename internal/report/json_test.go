package report

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

// The JSON format is result.Encode, and result.Decode reads it back; the
// errors of Decode (not JSON, wrong shape, schema versions) are tested in
// package result. These tests check the format as Render writes it, on
// the report's fixtures.

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		run  *result.Run
	}{
		{"typical", typicalRun()},
		{"no winner", noWinnerRun()},
		{"all failed", allFailedRun()},
		{"regression", regressionRun()},
		{"empty", &result.Run{SchemaVersion: result.SchemaVersion, Variants: []result.Variant{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, FormatJSON, tt.run, Options{}); err != nil {
				t.Fatal(err)
			}
			got, err := result.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.run) {
				t.Errorf("Decode(JSON(run)) differs from run:\ngot  %+v\nwant %+v", got, tt.run)
			}
		})
	}
}

func TestJSONFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, FormatJSON, typicalRun(), Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"{\n  \"schema_version\": 2,\n  \"gotune_version\": \"v0.1.0\",\n", // indented, model field names
		`"build_line": "GOAMD64=v1 go build -pgo=off -ldflags='-s -w' ./..."`,
		`"started": "2026-03-02T10:00:00Z"`,
		`"winner": "goamd64=v3"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %q", want)
		}
	}
	if !strings.HasSuffix(out, "}\n") {
		t.Errorf("JSON does not end with a closing brace and newline")
	}
}

func TestJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func() *result.Run
		want string
	}{
		{"nil run", func() *result.Run { return nil }, "no run"},
		{"NaN ratio", func() *result.Run {
			run := typicalRun()
			run.Stats("goamd64=v3").Bytes = ptr(math.NaN())
			return run
		}, "run.analysis.variants[2].bytes (NaN)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Render(&buf, FormatJSON, tt.run(), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("JSON error = %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("JSON wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

// TestJSONUnboundedInterval checks that an unbounded interval (too few
// pairs) is written as null and read back as such.
func TestJSONUnboundedInterval(t *testing.T) {
	run := typicalRun()
	run.Analysis.Comparisons[3].Change.Lo = math.Inf(-1)
	run.Analysis.Comparisons[3].Change.Hi = math.Inf(1)
	var buf bytes.Buffer
	if err := Render(&buf, FormatJSON, run, Options{}); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	back, err := result.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if c := back.Analysis.Comparisons[3].Change; !math.IsInf(c.Lo, -1) || !math.IsInf(c.Hi, 1) {
		t.Errorf("after a round trip the interval is [%v, %v], want unbounded", c.Lo, c.Hi)
	}
}

func TestDecodedMinimalRenders(t *testing.T) {
	run, err := result.Decode(strings.NewReader(`{"schema_version": 2, "variants": [], "future_field": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	// A loaded run renders, however little it holds.
	for _, f := range Formats {
		if err := Render(&bytes.Buffer{}, f, run, Options{Verbose: true}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
