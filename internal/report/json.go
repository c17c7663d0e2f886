package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"

	"github.com/gotune/gotune/internal/result"
)

// JSON writes the whole run to w as indented JSON, the format LoadJSON
// reads back. JSON has no infinities or NaNs: the statistics that may hold
// them (result.Summary, result.Comparison) encode them as null, and any other
// is an error that names the field.
func JSON(w io.Writer, run *result.Run) error {
	if run == nil {
		return errors.New("report: no run to write")
	}
	if path := nonFinite(reflect.ValueOf(run).Elem(), "run"); path != "" {
		return fmt.Errorf("report: cannot write JSON: %s is not a finite number", path)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // build lines hold quotes and '>' that should stay readable
	if err := enc.Encode(run); err != nil {
		return fmt.Errorf("report: encoding JSON: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

var marshaler = reflect.TypeFor[json.Marshaler]()

// nonFinite returns the JSON path of the first NaN or infinite float in v,
// such as "run.comparisons[3].base.hi", or "" when there is none.
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

// LoadJSON reads a run written by JSON. It rejects input that is not JSON,
// holds more than one value, or is not shaped like a gotune result (an
// object with a "variants" array), with an error that says which.
func LoadJSON(r io.Reader) (*result.Run, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("report: reading result: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("report: reading result: empty input, want a gotune result in JSON")
	}

	// First the shape, so that a stray JSON file gets a clear answer.
	var top map[string]json.RawMessage
	if err := decodeOne(data, &top); err != nil {
		return nil, err
	}
	raw, ok := top["variants"]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return nil, errors.New(`report: not a gotune result: no "variants" list`)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		return nil, errors.New(`report: not a gotune result: "variants" is not a list`)
	}

	var run result.Run
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
		return fmt.Errorf("report: reading result: unexpected data after the JSON value at line %d, column %d", line, col)
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
		return fmt.Errorf("report: reading result: invalid JSON at line %d, column %d: %v", line, col, syn)
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset-1) // the value's last byte
		if typ.Field == "" {
			return fmt.Errorf("report: not a gotune result: the top level is a JSON %s, want an object", typ.Value)
		}
		return fmt.Errorf("report: not a gotune result: field %q at line %d, column %d is a JSON %s, want %s",
			typ.Field, line, col, typ.Value, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("report: reading result: the JSON ends early (truncated file?)")
	}
	return fmt.Errorf("report: reading result: %w", err)
}

// lineCol converts a byte offset in data to a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}
