package matrix

import (
	"github.com/gotune/gotune/internal/axis"

	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goodYAML uses every key of gotune.yaml.
const goodYAML = `# gotune.yaml
axes:
  goamd64: [v1, v3]
  pgo: [off, auto, ./prof/cpu.pprof]
  ldflags: ["", "-s -w"]
  gcflags: ["", "all=-l"]
  env: ["", "GOEXPERIMENT=greenteagc  GOGC=off"]
variants:
  - name: release
    ldflags: -s -w
    goamd64: v3
  - name: no-ldflags
    ldflags: ""
  - name: aa
max_variants: 200
count: 10
bench: .
benchtime: 500ms
packages: [./..., ./cmd/x]
`

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    Config
		wantErr string // the whole error text
	}{
		{
			name: "good file",
			yaml: goodYAML,
			want: Config{
				Axes: axis.Values{
					"goamd64": {"v1", "v3"},
					"pgo":     {"off", "auto", "./prof/cpu.pprof"},
					"ldflags": {"", "-s -w"},
					"gcflags": {"", "all=-l"},
					"env":     {"", "GOEXPERIMENT=greenteagc GOGC=off"},
				},
				Variants: []NamedVariant{
					{Name: "release", Set: axis.Settings{"ldflags": "-s -w", "goamd64": "v3"}, Line: 9},
					{Name: "no-ldflags", Set: axis.Settings{"ldflags": ""}, Line: 12},
					{Name: "aa", Line: 14},
				},
				MaxVariants: 200,
				Count:       10,
				Bench:       ".",
				Benchtime:   "500ms",
				Packages:    []string{"./...", "./cmd/x"},
			},
		},
		{name: "empty file", yaml: "", want: Config{}},
		{name: "comments only", yaml: "# nothing yet\n", want: Config{}},
		{name: "empty document", yaml: "---\n", want: Config{}},
		{name: "null value", yaml: "variants:\n  - name: plain\n    ldflags:\n", want: Config{
			Variants: []NamedVariant{{Name: "plain", Set: axis.Settings{"ldflags": ""}, Line: 2}},
		}},
		{name: "anchors and aliases", yaml: "axes:\n  goamd64: &levels [v1, v3]\nvariants:\n  - name: a\n    goamd64: &l v3\n  - name: b\n    goamd64: *l\n", want: Config{
			Axes:     axis.Values{"goamd64": {"v1", "v3"}},
			Variants: []NamedVariant{{Name: "a", Set: axis.Settings{"goamd64": "v3"}, Line: 4}, {Name: "b", Set: axis.Settings{"goamd64": "v3"}, Line: 6}},
		}},
		{
			name:    "unknown axis key",
			yaml:    "axes:\n  goamd64: [v1]\n  ldflag: [\"-s\"]\n",
			wantErr: `gotune.yaml:3: unknown key "ldflag" (known: toolchain, goamd64, pgo, ldflags, gcflags, env, goexperiment, gogc, gomemlimit, gomaxprocs, runenv)`,
		},
		{
			name:    "unknown top-level key",
			yaml:    "count: 5\nmax-variants: 10\n",
			wantErr: `gotune.yaml:2: unknown key "max-variants" (known: axes, variants, revisions, max_variants, count, bench, benchtime, packages, service)`,
		},
		{
			name:    "axis at the top level",
			yaml:    "goamd64: [v1, v3]\n",
			wantErr: `gotune.yaml:1: unknown key "goamd64" (known: axes, variants, revisions, max_variants, count, bench, benchtime, packages, service); axes go under "axes:"`,
		},
		{
			name: "revisions",
			yaml: "revisions: [main, HEAD]\naxes:\n  pgo: [off, auto]\n",
			want: Config{Axes: axis.Values{"rev": {"main", "HEAD"}, "pgo": {"off", "auto"}}},
		},
		{
			name:    "bad revision",
			yaml:    "revisions:\n  - main..HEAD\n",
			wantErr: `gotune.yaml:2: revisions: "main..HEAD" is a range: give its two ends as two revisions, e.g. main,HEAD`,
		},
		{
			name:    "empty revisions",
			yaml:    "revisions: []\n",
			wantErr: "gotune.yaml:1: revisions: the list is empty; leave the key out to build the current files only",
		},
		{
			name:    "rev under axes",
			yaml:    "axes:\n  rev: [main, HEAD]\n",
			wantErr: `gotune.yaml:2: unknown key "rev" (known: toolchain, goamd64, pgo, ldflags, gcflags, env, goexperiment, gogc, gomemlimit, gomaxprocs, runenv); the revisions to compare are a list at the top of the file: revisions: [main, HEAD]`,
		},
		{
			name:    "rev in a variant",
			yaml:    "variants:\n  - name: x\n    rev: HEAD\n",
			wantErr: `gotune.yaml:3: unknown key "rev" (known: name, toolchain, goamd64, pgo, ldflags, gcflags, env, goexperiment, gogc, gomemlimit, gomaxprocs, runenv); the revisions to compare are a list at the top of the file: revisions: [main, HEAD]`,
		},
		{
			name:    "unknown variant key",
			yaml:    "variants:\n  - name: x\n    goamd4: v3\n",
			wantErr: `gotune.yaml:3: unknown key "goamd4" (known: name, toolchain, goamd64, pgo, ldflags, gcflags, env, goexperiment, gogc, gomemlimit, gomaxprocs, runenv)`,
		},
		{
			name:    "bad level in an axis",
			yaml:    "# levels\n\naxes:\n  goamd64: [v1,\n    v9]\n",
			wantErr: `gotune.yaml:5: goamd64: unknown level "v9" (want v1, v2, v3 or v4)`,
		},
		{
			name:    "bad level in a variant",
			yaml:    "variants:\n  - name: x\n    goamd64: v9\n",
			wantErr: `gotune.yaml:3: goamd64: unknown level "v9" (want v1, v2, v3 or v4)`,
		},
		{
			name:    "bad env",
			yaml:    "axes:\n  env:\n    - GOAMD64=v3\n",
			wantErr: "gotune.yaml:3: env: GOAMD64 cannot be set in env: use the goamd64 axis",
		},
		{
			name:    "bad flags",
			yaml:    "axes:\n  gcflags: [\"N -l\"]\n",
			wantErr: `gotune.yaml:2: gcflags: "N -l": flags start with - or a package pattern and =, as in "-s -w" or "all=-l"`,
		},
		{
			name:    "axis not a list",
			yaml:    "axes:\n  goamd64: v3\n",
			wantErr: `gotune.yaml:2: goamd64: want a list such as [a, b], got the string "v3"`,
		},
		{
			name:    "empty axis list",
			yaml:    "axes:\n  pgo: []\n",
			wantErr: "gotune.yaml:2: pgo: the list is empty; leave the axis out to keep the baseline's value",
		},
		{
			name:    "list item not a string",
			yaml:    "axes:\n  ldflags:\n    - [a]\n",
			wantErr: "gotune.yaml:3: ldflags: want a single value, got a list",
		},
		{
			name:    "axes not a mapping",
			yaml:    "axes: [v1, v3]\n",
			wantErr: "gotune.yaml:1: axes: want a mapping of axes (toolchain, goamd64, pgo, ldflags, gcflags, env, goexperiment, gogc, gomemlimit, gomaxprocs, runenv), got a list",
		},
		{
			name:    "count not a number",
			yaml:    "count: ten\n",
			wantErr: `gotune.yaml:1: count: want a whole number, got the string "ten"`,
		},
		{
			name:    "count not whole",
			yaml:    "count: 2.5\n",
			wantErr: "gotune.yaml:1: count: want a whole number, got the number 2.5",
		},
		{
			name:    "count zero",
			yaml:    "count: 0\n",
			wantErr: "gotune.yaml:1: count: want a number above 0, got 0",
		},
		{
			name:    "max_variants negative",
			yaml:    "max_variants: -3\n",
			wantErr: "gotune.yaml:1: max_variants: want a number above 0, got -3",
		},
		{
			name:    "bad benchtime",
			yaml:    "benchtime: 500\n",
			wantErr: `gotune.yaml:1: benchtime: "500" is neither a duration like 500ms nor a count like 100x`,
		},
		{
			name:    "bad bench regexp",
			yaml:    "bench: \"Benchmark(\"\n",
			wantErr: "gotune.yaml:1: bench: \"Benchmark(\" is not a regular expression: error parsing regexp: missing closing ): `Benchmark(`",
		},
		{
			name:    "packages not a list",
			yaml:    "packages: ./...\n",
			wantErr: `gotune.yaml:1: packages: want a list such as [a, b], got the string "./..."`,
		},
		{
			name:    "variants not a list",
			yaml:    "variants:\n  name: x\n",
			wantErr: "gotune.yaml:2: variants: want a list of variants, got a mapping",
		},
		{
			name:    "variant list value",
			yaml:    "variants:\n  - name: x\n    goamd64: [v1, v3]\n",
			wantErr: "gotune.yaml:3: goamd64: want a single value in a variant, got a list; lists of values belong under axes",
		},
		{
			name:    "variant without a name",
			yaml:    "variants:\n  - goamd64: v3\n",
			wantErr: "gotune.yaml:2: variant has no name",
		},
		{
			name:    "variant with an empty name",
			yaml:    "variants:\n  - name: \"\"\n",
			wantErr: "gotune.yaml:2: a variant needs a name",
		},
		{
			name:    "variant named baseline",
			yaml:    "variants:\n  - name: baseline\n",
			wantErr: `gotune.yaml:2: variant name "baseline" is reserved for the baseline`,
		},
		{
			name:    "duplicate variant names",
			yaml:    "variants:\n  - name: fast\n    goamd64: v3\n  - name: fast\n    goamd64: v2\n",
			wantErr: `gotune.yaml:4: variant name "fast" is already used at line 2`,
		},
		{
			name:    "duplicate key",
			yaml:    "count: 5\nbench: .\ncount: 6\n",
			wantErr: `gotune.yaml:3: duplicate key "count" (first at line 1)`,
		},
		{
			name:    "merge key in a variant",
			yaml:    "variants:\n  - name: x\n    <<: {goamd64: v3}\n",
			wantErr: "gotune.yaml:3: merge keys (<<) are not supported",
		},
		{
			name:    "top level a list",
			yaml:    "- v1\n- v3\n",
			wantErr: "gotune.yaml:1: want a mapping of settings (axes, variants, revisions, max_variants, count, bench, benchtime, packages, service), got a list",
		},
		{
			name:    "top level a string",
			yaml:    "hello\n",
			wantErr: `gotune.yaml:1: want a mapping of settings (axes, variants, revisions, max_variants, count, bench, benchtime, packages, service), got the string "hello"`,
		},
		{
			name:    "syntax error",
			yaml:    "axes:\n  goamd64: [v1,\n",
			wantErr: "gotune.yaml:2: invalid YAML: did not find expected node content",
		},
		{
			name:    "syntax error without a line",
			yaml:    "axes: goamd64: v1\n",
			wantErr: "gotune.yaml: invalid YAML: mapping values are not allowed in this context",
		},
		{
			name:    "two documents",
			yaml:    "count: 5\n---\ncount: 6\n",
			wantErr: "gotune.yaml:2: more than one YAML document: gotune.yaml holds one",
		},
		{
			name: "every problem reported",
			yaml: "axes:\n  goamd64: [v9]\ncount: x\n",
			wantErr: `gotune.yaml:2: goamd64: unknown level "v9" (want v1, v2, v3 or v4)` + "\n" +
				`gotune.yaml:3: count: want a whole number, got the string "x"`,
		},
		{
			name:    "alias loop",
			yaml:    "axes:\n  goamd64: &a [*a]\n",
			wantErr: "gotune.yaml:2: goamd64: want a single value, got a list",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("gotune.yaml", []byte(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Parse() error =\n%v\nwant\n%s", err, tt.wantErr)
				}
				var e *Error
				if !errors.As(err, &e) {
					t.Errorf("Parse() error is %T, want an *Error inside", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if fmt.Sprintf("%#v", show(got)) != fmt.Sprintf("%#v", show(tt.want)) {
				t.Errorf("Parse() =\n%#v\nwant\n%#v", show(got), show(tt.want))
			}
		})
	}
}

// shown is a Config with the pointers of its named variants followed, so
// that configs can be compared as text.
type shown struct {
	Axes     axis.Values
	Variants []string
	Rest     [5]any
}

func show(c Config) shown {
	s := shown{Axes: c.Axes, Rest: [5]any{c.MaxVariants, c.Count, c.Bench, c.Benchtime, c.Packages}}
	for _, v := range c.Variants {
		var parts []string
		for _, a := range axis.All {
			if p, ok := v.Set[a.Name]; ok {
				parts = append(parts, fmt.Sprintf("%s=%q", a.Name, p))
			}
		}
		s.Variants = append(s.Variants, fmt.Sprintf("%s@%d{%s}", v.Name, v.Line, strings.Join(parts, " ")))
	}
	return s
}

func TestParseTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("axes:\n  goamd64:\n")
	for range 50 {
		b.WriteString("    - v9\n")
	}
	_, err := Parse("gotune.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("Parse() succeeded")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxErrors+1 || lines[len(lines)-1] != "gotune.yaml: too many errors" {
		t.Errorf("Parse() gave %d lines ending in %q, want %d ending in too many errors", len(lines), lines[len(lines)-1], maxErrors+1)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gotune.yaml")
	if err := os.WriteFile(path, []byte("axes:\n  goamd64: [v1, v9]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if want := path + `:2: goamd64: unknown level "v9" (want v1, v2, v3 or v4)`; err == nil || err.Error() != want {
		t.Errorf("Load() error = %v, want %s", err, want)
	}

	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want fs.ErrNotExist", err)
	}
}

// TestExampleExceedsItsLimit checks the example of the design brief: its 32
// axis points plus a named variant make 33 variants, one more than its own
// max_variants.
func TestExampleExceedsItsLimit(t *testing.T) {
	const example = `axes:
  goamd64: [v1, v3]
  pgo: [off, auto]
  ldflags: ["", "-s -w"]
  gcflags: ["", "all=-l"]
  env: ["", "GOEXPERIMENT=greenteagc"]
variants:
  - name: release
    ldflags: -s -w
    goamd64: v3
max_variants: 32
`
	cfg, err := Parse("gotune.yaml", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Expand(cfg, ExpandOptions{Baseline: Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}}, HasDefaultPGO: true})
	want := "the matrix has 33 variants, more than max_variants=32: drop axis values or raise max_variants"
	if err == nil || err.Error() != want {
		t.Errorf("Expand() error = %v, want %s", err, want)
	}
}
func TestParseBenchtime(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "duration", in: "500ms", want: "500ms"},
		{name: "count", in: "100x", want: "100x"},
		{name: "bare number", in: "500", wantErr: `"500" is neither a duration like 500ms nor a count like 100x`},
		{name: "zero count", in: "0x", wantErr: "is neither"},
		{name: "negative duration", in: "-1s", wantErr: "is neither"},
		{name: "empty", in: "", wantErr: "is neither"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBenchtime(tt.in)
			checkParse(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{name: "simple", in: "release"},
		{name: "punctuation", in: "v3.pgo+strip_2-a"},
		{name: "empty", in: "", wantErr: "a variant needs a name"},
		{name: "reserved", in: "baseline", wantErr: `variant name "baseline" is reserved for the baseline`},
		{name: "space", in: "my variant", wantErr: "may hold only letters, digits and . _ + -"},
		{name: "equals", in: "goamd64=v3", wantErr: "may hold only"},
		{name: "leading dash", in: "-x", wantErr: "must start with a letter or digit"},
		{name: "slash", in: "a/b", wantErr: "may hold only"},
		{name: "too long", in: strings.Repeat("a", 65), wantErr: "longer than 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkParse(t, "", ValidateName(tt.in), "", tt.wantErr)
		})
	}
}
func checkParse(t *testing.T, got string, err error, want, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error = %v, want one containing %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error %v", err)
	}
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
