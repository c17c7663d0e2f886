package pgo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "nope.pprof"), "no such file"},
		{"empty file", write("empty.pprof", nil), "empty file, not a profile"},
		{"corrupt", write("corrupt.pprof", []byte("this is not a profile\x00\x01\x02")), "not a pprof profile"},
		{"truncated gzip", write("trunc.pprof", encoded(t, synth{stacks: map[string]int64{"a;b": 1}}.profile())[:20]), "not a pprof profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Read(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !errors.As(err, new(InputError)) {
				t.Errorf("err %v is not an InputError (exit status 2)", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err %q is not one line", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		p    synth
		want string // "" = valid
	}{
		{"cpu profile", synth{stacks: map[string]int64{"main.a;main.main": 5}}, ""},
		{"no samples", synth{stacks: map[string]int64{}}, "empty profile: no CPU samples"},
		{"zero values", synth{stacks: map[string]int64{"main.a;main.main": 0}}, "empty profile: no CPU samples"},
		{"no start lines", synth{stacks: map[string]int64{"main.a;main.main": 5}, noStart: true}, "no function start lines"},
		{"no call stacks", synth{stacks: map[string]int64{"main.a": 5}}, "no call stacks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate("x.pprof", tt.p.profile())
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !errors.As(err, new(InputError)) {
				t.Errorf("err %v is not an InputError", err)
			}
		})
	}
	t.Run("heap profile", func(t *testing.T) {
		err := Validate("heap.pprof", heap())
		if err == nil || !strings.Contains(err.Error(), "heap.pprof is a heap profile") || !strings.Contains(err.Error(), "PGO needs a CPU profile") {
			t.Fatalf("err = %v, want a heap profile error", err)
		}
	})
}

func TestSummarize(t *testing.T) {
	p := synth{duration: 2 * time.Second, stacks: map[string]int64{
		"main.hot;main.work;main.main":  60,
		"main.cold;main.work;main.main": 10,
		"main.work;main.main":           30,
	}}.profile()
	sm := Summarize(p, 2)
	if sm.Samples != 3 || sm.CPU != time.Second || sm.Duration != 2*time.Second || sm.StartLines != 1 {
		t.Errorf("summary = %+v", sm)
	}
	want := []Func{{Name: "main.hot", Flat: 600 * time.Millisecond, Cum: 600 * time.Millisecond}, {Name: "main.work", Flat: 300 * time.Millisecond, Cum: time.Second}}
	if len(sm.Top) != 2 || sm.Top[0] != want[0] || sm.Top[1] != want[1] {
		t.Errorf("top = %+v, want %+v", sm.Top, want)
	}
}

func TestCountDecisions(t *testing.T) {
	out := `# example.com/fx [example.com/fx.test]
hot-callsite-thres-from-CDF=2.4390243902439024
./fx.go:11:6: can inline Rect.Area
hot-node enabled increased budget=2000 for func=example.com/fx.Mix
hot-node enabled increased budget=2000 for func=example.com/fx.Sum
./fx.go:45:34: PGO devirtualizing interface call .autotmp_6.Area to (*Rect).Area
hot-budget check allows inlining for call example.com/fx.Sum (cost 223) at ./fx_test.go:8:6 in function example.com/fx.BenchmarkSum
hot-budget check allows inlining for call example.com/fx.Sum (cost 223) at ./fx_test.go:8:6 in function example.com/fx.BenchmarkSum
hot-big check disallows inlining for call example.com/fx.Big (cost 900) at ./fx.go:50:3 in big function example.com/fx.Huge
./fx.go:60:2: PGO devirtualizing function call f to example.com/fx.g
`
	got := CountDecisions([]byte(out))
	want := Decisions{HotInlines: 1, Devirtualized: 2, HotFunctions: 2}
	if got != want {
		t.Errorf("CountDecisions = %+v, want %+v", got, want)
	}
	if got := CountDecisions(nil); got != (Decisions{}) {
		t.Errorf("CountDecisions(nil) = %+v", got)
	}
}

func TestProvenancePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"profiles/quotes.pprof", "profiles/quotes.provenance.json"},
		{"cmd/x/default.pgo", "cmd/x/default.provenance.json"},
		{"cpu.out", "cpu.out.provenance.json"},
		{"merged", "merged.provenance.json"},
	}
	for _, tt := range tests {
		if got := ProvenancePath(tt.in); got != tt.want {
			t.Errorf("ProvenancePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProvenanceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.pprof")
	data := []byte("profile bytes")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteProvenance(path, data, Provenance{Source: "collect", How: "benchmarks", Commit: "abc"}); err != nil {
		t.Fatal(err)
	}
	got := ReadProvenance(path, data)
	if got.Source != "collect" || got.Commit != "abc" || got.Profile != "a.pprof" || got.Bytes != int64(len(data)) {
		t.Errorf("read back %+v", got)
	}
	// A provenance file of other bytes does not describe this profile.
	if got := ReadProvenance(path, []byte("other bytes")); got.Source != "file" {
		t.Errorf("provenance of changed bytes = %+v, want a plain file record", got)
	}
}
