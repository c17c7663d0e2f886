package result

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestNonFiniteRoundTrip(t *testing.T) {
	in := Comparison{
		Variant: "v3", Benchmark: "Quote", Unit: "B/op",
		Base:  Summary{Center: 0, Lo: math.Inf(-1), Hi: math.Inf(1), N: 4},
		New:   Summary{Center: 2, Lo: 1, Hi: 3, N: 4},
		Delta: math.Inf(1), P: 0.5, PHolm: math.NaN(), Significant: false,
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	for _, want := range []string{`"lo":null`, `"hi":null`, `"delta":null`, `"p_holm":null`, `"p":0.5`, `"variant":"v3"`, `"unit":"B/op"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON %s lacks %s", data, want)
		}
	}
	var out Comparison
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(out.Base.Lo, -1) || !math.IsInf(out.Base.Hi, 1) || out.New.Hi != 3 || out.Base.N != 4 {
		t.Errorf("summaries after round trip: %+v %+v", out.Base, out.New)
	}
	if !math.IsNaN(out.Delta) || !math.IsNaN(out.PHolm) || out.P != 0.5 || out.Variant != "v3" {
		t.Errorf("comparison after round trip: %+v", out)
	}
}
