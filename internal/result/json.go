package result

import (
	"encoding/json"
	"math"
)

// JSON has no infinities or NaNs, yet statistics produce them: benchmath
// gives an unbounded confidence interval (±Inf) below six samples, and a
// change from zero B/op has no finite ratio. Summary and Comparison encode
// such values as null and decode null back: a missing lower bound as -Inf, a
// missing upper bound as +Inf, anything else as NaN.

// num is a float64 that encodes non-finite values as null.
type num struct {
	v   float64
	nul float64 // what null decodes to
}

func (n num) MarshalJSON() ([]byte, error) {
	if math.IsNaN(n.v) || math.IsInf(n.v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(n.v)
}

func (n *num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		n.v = n.nul
		return nil
	}
	return json.Unmarshal(b, &n.v)
}

type summaryJSON struct {
	Center num `json:"center"`
	Lo     num `json:"lo"`
	Hi     num `json:"hi"`
	N      int `json:"n"`
}

// MarshalJSON encodes s with non-finite bounds as null.
func (s Summary) MarshalJSON() ([]byte, error) {
	return json.Marshal(summaryJSON{num{v: s.Center}, num{v: s.Lo}, num{v: s.Hi}, s.N})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (s *Summary) UnmarshalJSON(b []byte) error {
	j := summaryJSON{num{nul: math.NaN()}, num{nul: math.Inf(-1)}, num{nul: math.Inf(1)}, 0}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Summary{Center: j.Center.v, Lo: j.Lo.v, Hi: j.Hi.v, N: j.N}
	return nil
}

// comparisonJSON mirrors Comparison with its floats as nums; the embedded
// alias carries the other fields.
type comparisonAlias Comparison

type comparisonJSON struct {
	*comparisonAlias
	Delta num `json:"delta"`
	P     num `json:"p"`
	PHolm num `json:"p_holm"`
}

// MarshalJSON encodes c with non-finite numbers as null.
func (c Comparison) MarshalJSON() ([]byte, error) {
	a := comparisonAlias(c)
	return json.Marshal(comparisonJSON{&a, num{v: c.Delta}, num{v: c.P}, num{v: c.PHolm}})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (c *Comparison) UnmarshalJSON(b []byte) error {
	var a comparisonAlias
	j := comparisonJSON{&a, num{nul: math.NaN()}, num{nul: math.NaN()}, num{nul: math.NaN()}}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Comparison(a)
	c.Delta, c.P, c.PHolm = j.Delta.v, j.P.v, j.PHolm.v
	return nil
}
