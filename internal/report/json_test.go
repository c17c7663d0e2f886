package report

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		run  *result.Run
	}{
		{"typical", typicalRun()},
		{"no winner", noWinnerRun()},
		{"all failed", allFailedRun()},
		{"empty", &result.Run{Variants: []result.Variant{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JSON(&buf, tt.run); err != nil {
				t.Fatal(err)
			}
			got, err := LoadJSON(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.run) {
				t.Errorf("LoadJSON(JSON(run)) differs from run:\ngot  %+v\nwant %+v", got, tt.run)
			}
		})
	}
}

func TestJSONFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, typicalRun()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"{\n  \"gotune_version\": \"v0.1.0\",\n", // indented, model field names
		`"build_line": "GOAMD64=v1 go build -pgo=off -ldflags='-s -w' ./..."`,
		`"started": "2026-03-02T10:00:00Z"`,
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
			run.Variants[2].BytesRatio = ptr(math.NaN())
			return run
		}, "run.variants[2].bytes_ratio (NaN)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := JSON(&buf, tt.run())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("JSON error = %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("JSON wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

// TestJSONUnboundedCI checks that an unbounded confidence interval (benchmath
// gives ±Inf below six samples) is written as null and read back as such.
func TestJSONUnboundedCI(t *testing.T) {
	run := typicalRun()
	run.Comparisons[3].Base.Lo = math.Inf(-1)
	run.Comparisons[3].Base.Hi = math.Inf(1)
	var buf bytes.Buffer
	if err := JSON(&buf, run); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	back, err := LoadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := back.Comparisons[3].Base; !math.IsInf(b.Lo, -1) || !math.IsInf(b.Hi, 1) {
		t.Errorf("after a round trip the CI is [%v, %v], want unbounded", b.Lo, b.Hi)
	}
}

func TestLoadJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty input"},
		{"blank", " \n\t", "empty input"},
		{"not JSON", "goos: linux\nBenchmarkX 1 2 ns/op\n", "invalid JSON at line 1, column 1"},
		{"syntax error on line 3", "{\n  \"variants\": [],\n  \"seed\": 12,,\n}", "invalid JSON at line 3"},
		{"truncated", `{"variants": [`, "ends early"},
		{"array", `[{"variants": []}]`, "the top level is a JSON array, want an object"},
		{"string", `"hello"`, "the top level is a JSON string, want an object"},
		{"missing variants", `{"module": "example.com/m", "seed": 1}`, `no "variants" list`},
		{"null variants", `{"variants": null}`, `no "variants" list`},
		{"variants not a list", `{"variants": {"a": 1}}`, `"variants" is not a list`},
		{"wrong field type", "{\"variants\": [],\n \"seed\": \"abc\"}", `field "seed" at line 2`},
		{"wrong nested type", `{"variants": [{"name": "v", "rank": "first"}]}`, `field "variants.rank"`},
		{"trailing data", `{"variants": []} {"variants": []}`, "unexpected data after the JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, err := LoadJSON(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("LoadJSON = %+v, want an error containing %q", run, tt.want)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadJSON error = %q, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadJSONMinimal(t *testing.T) {
	run, err := LoadJSON(strings.NewReader(`{"variants": [], "future_field": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	if run.Variants == nil || len(run.Variants) != 0 {
		t.Errorf("Variants = %#v, want an empty list", run.Variants)
	}
	// A loaded run renders, however little it holds.
	if err := Text(&bytes.Buffer{}, run, Options{Verbose: true}); err != nil {
		t.Error(err)
	}
}
