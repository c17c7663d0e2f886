package matrix

import (
	"github.com/gotune/gotune/internal/axis"

	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// names returns the names of vs.
func names(vs []Variant) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func TestExpand(t *testing.T) {
	v1auto := Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}}
	host := []string{"v1", "v2", "v3"}
	tests := []struct {
		name      string
		cfg       Config
		opts      ExpandOptions
		wantNames []string // checked when not nil
		wantN     int      // checked when wantNames is nil and wantErr is ""
		wantErr   string
	}{
		{
			name: "default matrix with default.pgo",
			opts: ExpandOptions{Baseline: v1auto, HostLevels: host, HasDefaultPGO: true},
			wantNames: []string{"baseline", "pgo=off", "goamd64=v2,pgo=off", "goamd64=v2",
				"goamd64=v3,pgo=off", "goamd64=v3"},
		},
		{
			name:      "default matrix without default.pgo",
			opts:      ExpandOptions{Baseline: v1auto, HostLevels: host},
			wantNames: []string{"baseline", "goamd64=v2", "goamd64=v3"},
		},
		{
			name:      "default matrix on a host without levels",
			opts:      ExpandOptions{Baseline: Variant{Settings: axis.Settings{"pgo": "auto"}}, HasDefaultPGO: true},
			wantNames: []string{"baseline", "pgo=off"},
		},
		{
			name: "cross product holding the baseline",
			cfg: Config{Axes: axis.Values{
				"goamd64": {"v1", "v3"},
				"ldflags": {"", "-s -w"},
				"gcflags": {"", "all=-l"},
			}},
			opts: ExpandOptions{Baseline: v1auto, HostLevels: host},
			wantNames: []string{"baseline",
				"gcflags=all=-l", "ldflags=-s -w", "ldflags=-s -w,gcflags=all=-l",
				"goamd64=v3", "goamd64=v3,gcflags=all=-l", "goamd64=v3,ldflags=-s -w", "goamd64=v3,ldflags=-s -w,gcflags=all=-l"},
		},
		{
			name:      "cross product without the baseline",
			cfg:       Config{Axes: axis.Values{"goamd64": {"v2", "v3"}, "pgo": {"off"}}},
			opts:      ExpandOptions{Baseline: v1auto, HasDefaultPGO: true},
			wantNames: []string{"baseline", "goamd64=v2,pgo=off", "goamd64=v3,pgo=off"},
		},
		{
			name: "five axes",
			cfg: Config{Axes: axis.Values{
				"goamd64": {"v1", "v3"},
				"pgo":     {"off", "auto"},
				"ldflags": {"", "-s -w"},
				"gcflags": {"", "all=-l"},
				"env":     {"", "GOEXPERIMENT=greenteagc"},
			}},
			opts:  ExpandOptions{Baseline: v1auto, HasDefaultPGO: true},
			wantN: 32,
		},
		{
			name:      "revisions alone: no default matrix",
			cfg:       Config{Axes: axis.Values{"rev": {"HEAD~1", "HEAD"}}},
			opts:      ExpandOptions{Baseline: v1auto, HostLevels: host, HasDefaultPGO: true},
			wantNames: []string{"baseline", "rev=HEAD"},
		},
		{
			name:      "revisions crossed with pgo",
			cfg:       Config{Axes: axis.Values{"rev": {"HEAD~1", "HEAD"}, "pgo": {"off", "auto"}}},
			opts:      ExpandOptions{Baseline: v1auto, HasDefaultPGO: true},
			wantNames: []string{"baseline", "pgo=off", "rev=HEAD,pgo=off", "rev=HEAD"},
		},
		{
			name:      "repeated axis values",
			cfg:       Config{Axes: axis.Values{"goamd64": {"v3", " v3", "v3"}}},
			opts:      ExpandOptions{Baseline: v1auto},
			wantNames: []string{"baseline", "goamd64=v3"},
		},
		{
			name:      "auto is off without default.pgo",
			cfg:       Config{Axes: axis.Values{"pgo": {"off", "auto"}}},
			opts:      ExpandOptions{Baseline: v1auto},
			wantNames: []string{"baseline"},
		},
		{
			name:      "auto is not off with default.pgo",
			cfg:       Config{Axes: axis.Values{"pgo": {"off", "auto", "collect", "./prof/cpu.pprof", "prof/cpu.pprof"}}},
			opts:      ExpandOptions{Baseline: v1auto, HasDefaultPGO: true},
			wantNames: []string{"baseline", "pgo=off", "pgo=collect", "pgo=./prof/cpu.pprof"},
		},
		{
			name:      "env in any order",
			cfg:       Config{Axes: axis.Values{"env": {"A=1 B=2", "B=2  A=1", ""}}},
			opts:      ExpandOptions{Baseline: v1auto},
			wantNames: []string{"baseline", "env=A=1 B=2"},
		},
		{
			name:      "flags compared as the go command splits them",
			cfg:       Config{Axes: axis.Values{"ldflags": {"-s -w", " -s  -w ", "-X 'main.v=a b'", `-X "main.v=a b"`}}},
			opts:      ExpandOptions{Baseline: v1auto},
			wantNames: []string{"baseline", "ldflags=-s -w", "ldflags=-X 'main.v=a b'"},
		},
		{
			name: "baseline with ldflags",
			cfg: Config{
				Axes:     axis.Values{"ldflags": {"", "-s -w"}},
				Variants: []NamedVariant{{Name: "plain", Set: axis.Settings{"ldflags": ""}}, {Name: "inherit"}},
			},
			opts:      ExpandOptions{Baseline: Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto", "ldflags": "-s -w"}}},
			wantNames: []string{"baseline", `ldflags=""`, "plain", "inherit"},
		},
		{
			name: "named variants without axes",
			cfg: Config{Variants: []NamedVariant{
				{Name: "release", Set: axis.Settings{"goamd64": "v3", "ldflags": "-s -w"}},
				{Name: "same-as-base", Set: axis.Settings{"goamd64": "v1"}},
			}},
			opts:      ExpandOptions{Baseline: v1auto, HostLevels: host, HasDefaultPGO: true},
			wantNames: []string{"baseline", "release", "same-as-base"},
		},
		{
			name: "named variants after the cross product",
			cfg: Config{
				Axes:     axis.Values{"goamd64": {"v3"}},
				Variants: []NamedVariant{{Name: "v3-too", Set: axis.Settings{"goamd64": "v3"}}},
			},
			opts:      ExpandOptions{Baseline: v1auto},
			wantNames: []string{"baseline", "goamd64=v3", "v3-too"},
		},
		{
			name: "A/A named twins are kept",
			cfg: Config{Variants: []NamedVariant{
				{Name: "a1", Set: axis.Settings{"pgo": "off"}}, {Name: "a2", Set: axis.Settings{"pgo": "off"}},
			}},
			opts:      ExpandOptions{Baseline: v1auto},
			wantNames: []string{"baseline", "a1", "a2"},
		},
		{
			name: "duplicate names",
			cfg: Config{Variants: []NamedVariant{
				{Name: "fast", Set: axis.Settings{"goamd64": "v3"}}, {Name: "fast", Set: axis.Settings{"goamd64": "v2"}},
			}},
			opts:    ExpandOptions{Baseline: v1auto},
			wantErr: `two variants are named "fast"`,
		},
		{
			name:    "named baseline",
			cfg:     Config{Variants: []NamedVariant{{Name: "baseline"}}},
			opts:    ExpandOptions{Baseline: v1auto},
			wantErr: `variant name "baseline" is reserved for the baseline`,
		},
		{
			name:    "bad named setting",
			cfg:     Config{Variants: []NamedVariant{{Name: "x", Set: axis.Settings{"goamd64": "v9"}}}},
			opts:    ExpandOptions{Baseline: v1auto},
			wantErr: `variant "x": goamd64: unknown level "v9" (want v1, v2, v3 or v4)`,
		},
		{
			name:    "bad axis value",
			cfg:     Config{Axes: axis.Values{"env": {"GOAMD64=v3"}}},
			opts:    ExpandOptions{Baseline: v1auto},
			wantErr: "env: GOAMD64 cannot be set in env: use the goamd64 axis",
		},
		{
			name:    "bad host level",
			opts:    ExpandOptions{Baseline: v1auto, HostLevels: []string{"v1", "v5"}},
			wantErr: `default matrix: goamd64: unknown level "v5" (want v1, v2, v3 or v4)`,
		},
		{
			name:    "bad baseline",
			opts:    ExpandOptions{Baseline: Variant{Settings: axis.Settings{"goamd64": "v5"}}},
			wantErr: `baseline: goamd64: unknown level "v5" (want v1, v2, v3 or v4)`,
		},
		{
			name: "too many variants",
			cfg: Config{Axes: axis.Values{
				"goamd64": {"v1", "v2", "v3", "v4"},
				"pgo":     {"off", "auto"},
				"ldflags": {"", "-s -w", "-w"},
				"gcflags": {"", "all=-l"},
				"env":     {"", "GOGC=off"},
			}},
			opts:    ExpandOptions{Baseline: v1auto, HasDefaultPGO: true},
			wantErr: "the matrix has 96 variants, more than --max-variants=64: drop axis values or raise --max-variants",
		},
		{
			name: "too many variants for the config's limit",
			cfg: Config{
				Axes:        axis.Values{"goamd64": {"v1", "v2", "v3", "v4"}},
				Variants:    []NamedVariant{{Name: "a"}},
				MaxVariants: 4,
			},
			opts:    ExpandOptions{Baseline: v1auto},
			wantErr: "the matrix has 5 variants, more than max_variants=4: drop axis values or raise max_variants",
		},
		{
			name: "the flag's limit wins over the config's",
			cfg: Config{
				Axes:        axis.Values{"goamd64": {"v1", "v2", "v3", "v4"}},
				MaxVariants: 2,
			},
			opts:  ExpandOptions{Baseline: v1auto, MaxVariants: 4},
			wantN: 4,
		},
		{
			name: "limit met exactly",
			cfg: Config{Axes: axis.Values{
				"goamd64": {"v1", "v2", "v3", "v4"},
				"pgo":     {"off", "auto"},
				"ldflags": {"", "-s -w"},
				"gcflags": {"", "all=-l"},
				"env":     {"", "GOGC=off"},
			}},
			opts:  ExpandOptions{Baseline: v1auto, HasDefaultPGO: true},
			wantN: 64,
		},
		{
			name: "an astronomical matrix is refused before it is built",
			cfg: Config{Axes: axis.Values{
				"ldflags": manyFlags(100000),
				"gcflags": manyFlags(100000),
				"env":     manyEnv(100000),
			}},
			opts:    ExpandOptions{Baseline: v1auto},
			wantErr: "the matrix has 1000000000000001 variants, more than --max-variants=64",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.cfg, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Expand() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Expand() error = %v", err)
			}
			if tt.wantNames != nil && !slices.Equal(names(got), tt.wantNames) {
				t.Errorf("Expand() names =\n%q\nwant\n%q", names(got), tt.wantNames)
			}
			if tt.wantNames == nil && len(got) != tt.wantN {
				t.Errorf("Expand() gave %d variants, want %d", len(got), tt.wantN)
			}
			checkInvariants(t, got)
		})
	}
}

// checkInvariants checks what holds for every expansion: the baseline comes
// first and only first, and names are unique.
func checkInvariants(t *testing.T, vs []Variant) {
	t.Helper()
	if len(vs) == 0 || !vs[0].Baseline || vs[0].Name != BaselineName {
		t.Fatalf("first variant is not the baseline: %+v", vs)
	}
	seen := map[string]bool{}
	for i, v := range vs {
		if i > 0 && v.Baseline {
			t.Errorf("variant %d (%s) is marked as baseline", i, v.Name)
		}
		if seen[v.Name] {
			t.Errorf("name %q is used twice", v.Name)
		}
		seen[v.Name] = true
	}
}

func manyFlags(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("-X main.n=%d", i)
	}
	return out
}

func manyEnv(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("N=%d", i)
	}
	return out
}

func TestExpandSettings(t *testing.T) {
	base := Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto", "ldflags": "-s", "env": "GOGC=200"}}
	cfg := Config{
		Axes: axis.Values{"goamd64": {"v3"}},
		Variants: []NamedVariant{
			{Name: "mix", Set: axis.Settings{"pgo": "off", "env": "GOEXPERIMENT=greenteagc"}},
		},
	}
	got, err := Expand(cfg, ExpandOptions{Baseline: base})
	if err != nil {
		t.Fatal(err)
	}
	want := []Variant{
		{Name: "baseline", Settings: axis.Settings{"goamd64": "v1", "pgo": "auto", "ldflags": "-s", "env": "GOGC=200"}, Baseline: true},
		{Name: "goamd64=v3", Settings: axis.Settings{"goamd64": "v3", "pgo": "auto", "ldflags": "-s", "env": "GOGC=200"}},
		{Name: "mix", Settings: axis.Settings{"goamd64": "v1", "pgo": "off", "ldflags": "-s", "env": "GOEXPERIMENT=greenteagc"}},
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("Expand() =\n%+v\nwant\n%+v", got, want)
	}
	// The caller's baseline must not be changed through shared maps.
	got[2].Settings["env"] = "X=1"
	got[0].Settings["ldflags"] = "-w"
	if base.Settings["env"] != "GOGC=200" || base.Settings["ldflags"] != "-s" || got[1].Settings["ldflags"] != "-s" {
		t.Errorf("variants share settings with the baseline")
	}
}

func TestComplexity(t *testing.T) {
	base := Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}}
	tests := []struct {
		name string
		v    Variant
		want int
	}{
		{"same", Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}}, 0},
		{"one level", Variant{Settings: axis.Settings{"goamd64": "v3", "pgo": "auto"}}, 1},
		{"pgo off counts", Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "off"}}, 1},
		{"flags split the same", Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto", "ldflags": ""}}, 0},
		{"three", Variant{Settings: axis.Settings{"goamd64": "v3", "pgo": "off", "gcflags": "all=-l"}}, 3},
		{"all five", Variant{Settings: axis.Settings{"goamd64": "v3", "pgo": "off", "ldflags": "-s -w", "gcflags": "-l", "env": "A=1"}}, 5},
		{"env order", Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto", "env": "B=2 A=1"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.Complexity(base); got != tt.want {
				t.Errorf("Complexity() = %d, want %d", got, tt.want)
			}
		})
	}
	a := Variant{Settings: axis.Settings{"env": "A=1 B=2"}}
	b := Variant{Settings: axis.Settings{"env": "B=2 A=1"}}
	if got := a.Complexity(b); got != 0 {
		t.Errorf("env in another order: Complexity() = %d, want 0", got)
	}
}

func TestVariantString(t *testing.T) {
	tests := []struct {
		name string
		v    Variant
		want string
	}{
		{"baseline", Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}}, "goamd64=v1 pgo=auto"},
		{"everything", Variant{Settings: axis.Settings{"goamd64": "v3", "pgo": "off", "ldflags": "-s -w", "gcflags": "all=-l", "env": "GOEXPERIMENT=greenteagc GOGC=off"}},
			`goamd64=v3 pgo=off ldflags="-s -w" gcflags=all=-l GOEXPERIMENT=greenteagc GOGC=off`},
		{"profile path", Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "prof/cpu.pprof"}}, "goamd64=v1 pgo=prof/cpu.pprof"},
		{"nothing set", Variant{}, "default settings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestGolden expands testdata/gotune.yaml and compares the names and
// settings with testdata/gotune.golden; run with -update to rewrite it.
func TestGolden(t *testing.T) {
	cfg, err := Load(filepath.Join("testdata", "gotune.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := Expand(cfg, ExpandOptions{
		Baseline:      Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}},
		HostLevels:    []string{"v1", "v2", "v3"},
		HasDefaultPGO: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# name | complexity | settings\n")
	for _, v := range vs {
		fmt.Fprintf(&b, "%s | %d | %s\n", v.Name, v.Complexity(vs[0]), v)
	}
	golden := filepath.Join("testdata", "gotune.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("expansion differs from %s (run go test -update if the change is intended):\ngot:\n%s\nwant:\n%s", golden, b.String(), want)
	}
}

// A run axis crosses like a build axis: its values are variants of their
// own, named after it; given values replace the baseline's unset one.
func TestExpandRunAxis(t *testing.T) {
	cfg := Config{Axes: axis.Values{"goamd64": {"v1", "v3"}, "gogc": {"off", "200"}}}
	got, err := Expand(cfg, ExpandOptions{Baseline: Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"baseline", "gogc=off", "gogc=200", "goamd64=v3,gogc=off", "goamd64=v3,gogc=200"}
	if !slices.Equal(names(got), want) {
		t.Errorf("variants %q, want %q", names(got), want)
	}
	if got[2].Settings.Get(axis.GOGC) != "200" || got[0].Settings.Get(axis.GOGC) != "" {
		t.Errorf("settings %v, %v", got[2].Settings, got[0].Settings)
	}
}

func TestExpandRevisions(t *testing.T) {
	base := Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}}
	got, err := Expand(Config{Axes: axis.Values{"goamd64": {"v1", "v3"}}}, ExpandOptions{Baseline: base})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		if _, ok := v.Settings["rev"]; ok {
			t.Errorf("%s has a rev setting in a run without revisions: %v", v.Name, v.Settings)
		}
	}
	got, err = Expand(Config{Axes: axis.Values{"rev": {"main", "worktree"}, "goamd64": {"v1", "v3"}}}, ExpandOptions{Baseline: base})
	if err != nil {
		t.Fatal(err)
	}
	revs := map[string]string{}
	for _, v := range got {
		revs[v.Name] = v.Settings.Get(axis.Rev)
	}
	want := map[string]string{"baseline": "main", "goamd64=v3": "main", "rev=worktree": "worktree", "rev=worktree,goamd64=v3": "worktree"}
	if fmt.Sprint(revs) != fmt.Sprint(want) {
		t.Errorf("revisions = %v, want %v (the first revision is the baseline's)", revs, want)
	}
}
