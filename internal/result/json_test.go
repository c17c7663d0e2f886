package result

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestNonFiniteRoundTrip(t *testing.T) {
	in := Comparison{
		Variant: "v3", Benchmark: "Quote", Unit: "B/op", N: 4,
		Base: 0, New: 2,
		Change: Ratio{Center: math.Inf(1), Lo: math.Inf(-1), Hi: math.Inf(1)},
		P:      0.5, PHolm: math.NaN(),
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	for _, want := range []string{`"lo":null`, `"hi":null`, `"center":null`, `"p_holm":null`, `"p":0.5`, `"variant":"v3"`, `"unit":"B/op"`, `"new":2`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON %s lacks %s", data, want)
		}
	}
	var out Comparison
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(out.Change.Lo, -1) || !math.IsInf(out.Change.Hi, 1) || !math.IsNaN(out.Change.Center) || out.New != 2 || out.N != 4 {
		t.Errorf("after round trip: %+v", out)
	}
	if !math.IsNaN(out.PHolm) || out.P != 0.5 || out.Variant != "v3" {
		t.Errorf("comparison after round trip: %+v", out)
	}
}

func TestEncodeDecode(t *testing.T) {
	run := &Run{Module: "example.com/m", Baseline: "baseline", Variants: []Variant{{Name: "baseline", Status: StatusOK}},
		Samples: []Sample{{Variant: "baseline", Benchmark: "BenchmarkX", Unit: "sec/op", Block: 1, Value: 1e-6}}}
	var buf bytes.Buffer
	if err := Encode(&buf, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"schema_version": 2`) {
		t.Errorf("no schema version in %s", buf.String())
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Module != run.Module || len(back.Samples) != 1 || back.Samples[0].Block != 1 {
		t.Errorf("round trip: %+v", back)
	}
	run.Samples[0].Value = math.Inf(1)
	if err := Encode(&buf, run); err == nil || !strings.Contains(err.Error(), "run.samples[0].value (+Inf) is not a finite number") {
		t.Errorf("Encode of an infinite sample: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty input"},
		{"[1]", "the top level is a JSON array"},
		{`{"x": 1}`, `no "variants" list`},
		{`{"variants": {}}`, `"variants" is not a list`},
		{`{"variants": []}`, "a result of an older gotune (schema 1, before paired blocks)"},
		{`{"schema_version": 3, "variants": []}`, "a result of a newer gotune (schema 3)"},
		{`{"schema_version": "2", "variants": []}`, `"schema_version" is "2", want a number`},
		{`{"schema_version": 2, "variants": []} {}`, "unexpected data after the JSON value at line 1"},
		{`{"schema_version": 2, "variants": [`, "ends early"},
		{`{"schema_version": 2, "variants": [{"name": 1}]}`, `field "variants.name" at line 1`},
	}
	for _, tt := range tests {
		_, err := Decode(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
	if _, err := Decode(strings.NewReader(`{"schema_version": 2, "variants": [], "future_field": 1}`)); err != nil {
		t.Errorf("an unknown field is an error: %v", err)
	}
}
