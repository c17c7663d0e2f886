package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strings"

	"github.com/gotune/gotune/internal/atomicfile"
)

// Encode writes run to w as indented JSON, the form Decode reads back,
// with the current SchemaVersion. JSON has no infinities or NaNs: the
// statistics that may hold them (Ratio bounds, p-values) encode them as
// null, and any other is an error that names the field.
func Encode(w io.Writer, run *Run) error {
	if run == nil {
		return errors.New("result: no run to write")
	}
	run.SchemaVersion = SchemaVersion
	if path := nonFinite(reflect.ValueOf(run).Elem(), "run"); path != "" {
		return fmt.Errorf("result: cannot write JSON: %s is not a finite number", path)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // build lines hold quotes and '>' that should stay readable
	if err := enc.Encode(run); err != nil {
		return fmt.Errorf("result: encoding JSON: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteFile writes run to path atomically.
func WriteFile(path string, run *Run) error {
	var buf bytes.Buffer
	if err := Encode(&buf, run); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes())
}

// ReadFile reads a run written by WriteFile.
func ReadFile(path string) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(f)
}

var marshaler = reflect.TypeFor[json.Marshaler]()

// nonFinite returns the JSON path of the first NaN or infinite float in v,
// such as "run.analysis.detectable", or "" when there is none.
func nonFinite(v reflect.Value, path string) string {
	if v.Type().Implements(marshaler) {
		return "" // it knows how to encode itself
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Sprintf("%s (%v)", path, f)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return nonFinite(v.Elem(), path)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p := nonFinite(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if p := nonFinite(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key())); p != "" {
				return p
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if p := nonFinite(v.Field(i), path+"."+name); p != "" {
				return p
			}
		}
	}
	return ""
}

// Decode reads a run written by Encode. It rejects input that is not JSON,
// holds more than one value, is not shaped like a gotune result (an object
// with a "variants" array), or was written with another schema version,
// with an error that says which and what to do.
func Decode(r io.Reader) (*Run, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading result: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("reading result: empty input, want a gotune result in JSON")
	}

	// First the shape, so that a stray JSON file gets a clear answer.
	var top map[string]json.RawMessage
	if err := decodeOne(data, &top); err != nil {
		return nil, err
	}
	raw, ok := top["variants"]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return nil, errors.New(`not a gotune result: no "variants" list`)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		return nil, errors.New(`not a gotune result: "variants" is not a list`)
	}
	var version int
	if v, ok := top["schema_version"]; ok {
		if err := json.Unmarshal(v, &version); err != nil {
			return nil, fmt.Errorf(`not a gotune result: "schema_version" is %s, want a number`, v)
		}
	}
	switch {
	case version == 0:
		return nil, fmt.Errorf("a result of an older gotune (schema 1, before paired blocks): its samples cannot be compared with this version's (schema %d); measure again with this gotune", SchemaVersion)
	case version > SchemaVersion:
		return nil, fmt.Errorf("a result of a newer gotune (schema %d): this gotune reads schema %d; upgrade gotune", version, SchemaVersion)
	case version < SchemaVersion:
		return nil, fmt.Errorf("a result of an older gotune (schema %d): this gotune reads schema %d; measure again with this gotune", version, SchemaVersion)
	}

	var run Run
	if err := decodeOne(data, &run); err != nil {
		return nil, err
	}
	return &run, nil
}

// decodeOne decodes exactly one JSON value from data into v, turning the
// decoder's errors into messages with a line and column.
func decodeOne(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		off := dec.InputOffset() - 1 // InputOffset is past the extra token's first byte
		line, col := lineCol(data, off)
		return fmt.Errorf("reading result: unexpected data after the JSON value at line %d, column %d", line, col)
	}
	return nil
}

// jsonError rewrites an encoding/json error for people.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset-1) // Offset counts the bad byte
		return fmt.Errorf("reading result: invalid JSON at line %d, column %d: %v", line, col, syn)
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset-1) // the value's last byte
		if typ.Field == "" {
			return fmt.Errorf("not a gotune result: the top level is a JSON %s, want an object", typ.Value)
		}
		return fmt.Errorf("not a gotune result: field %q at line %d, column %d is a JSON %s, want %s",
			typ.Field, line, col, typ.Value, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("reading result: the JSON ends early (truncated file?)")
	}
	return fmt.Errorf("reading result: %w", err)
}

// lineCol converts a byte offset in data to a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// JSON has no infinities or NaNs, yet statistics produce them: an
// interval needs enough pairs, and a change from zero B/op has no finite
// ratio. Ratio and Comparison encode such values as null and decode null
// back: a missing lower bound as -Inf, a missing upper bound as +Inf,
// anything else as NaN.

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

type ratioJSON struct {
	Center num `json:"center"`
	Lo     num `json:"lo"`
	Hi     num `json:"hi"`
}

// MarshalJSON encodes r with non-finite numbers as null.
func (r Ratio) MarshalJSON() ([]byte, error) {
	return json.Marshal(ratioJSON{num{v: r.Center}, num{v: r.Lo}, num{v: r.Hi}})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (r *Ratio) UnmarshalJSON(b []byte) error {
	j := ratioJSON{num{nul: math.NaN()}, num{nul: math.Inf(-1)}, num{nul: math.Inf(1)}}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Ratio{Center: j.Center.v, Lo: j.Lo.v, Hi: j.Hi.v}
	return nil
}

// comparisonJSON mirrors Comparison with its floats as nums; the embedded
// alias carries the other fields.
type comparisonAlias Comparison

type comparisonJSON struct {
	*comparisonAlias
	Base  num `json:"base"`
	New   num `json:"new"`
	P     num `json:"p"`
	PHolm num `json:"p_holm"`
}

// MarshalJSON encodes c with non-finite numbers as null.
func (c Comparison) MarshalJSON() ([]byte, error) {
	a := comparisonAlias(c)
	return json.Marshal(comparisonJSON{&a, num{v: c.Base}, num{v: c.New}, num{v: c.P}, num{v: c.PHolm}})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (c *Comparison) UnmarshalJSON(b []byte) error {
	var a comparisonAlias
	j := comparisonJSON{&a, num{nul: math.NaN()}, num{nul: math.NaN()}, num{nul: math.NaN()}, num{nul: math.NaN()}}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Comparison(a)
	c.Base, c.New, c.P, c.PHolm = j.Base.v, j.New.v, j.P.v, j.PHolm.v
	return nil
}
