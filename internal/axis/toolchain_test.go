package axis

import (
	"slices"
	"strings"
	"testing"
)

func TestParseToolchain(t *testing.T) {
	tests := []struct{ name, in, want, wantErr string }{
		{"release", "go1.27.3", "go1.27.3", ""},
		{"without go", " 1.26.8 ", "go1.26.8", ""},
		{"release candidate", "go1.28rc1", "go1.28rc1", ""},
		{"old release", "go1.20", "go1.20", ""},
		{"language version", "go1.27", "", `"go1.27" is a language version, not a release: name a release such as go1.27.0`},
		{"language version without go", "1.22", "", "name a release such as go1.22.0"},
		{"garbage", "latest", "", `"latest" is not a Go release`},
		{"GOTOOLCHAIN syntax", "go1.27.3+auto", "", "is not a Go release"},
		{"empty", "", "", "empty toolchain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseToolchain(tt.in)
			checkParse(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestToolchainAxis(t *testing.T) {
	s := Settings{"toolchain": "go1.27.3", "goamd64": "v3"}
	b := s.Spec(Build)
	if want := []string{"GOTOOLCHAIN=go1.27.3", "GOAMD64=v3"}; !slices.Equal(b.Env, want) {
		t.Errorf("build env %q, want %q", b.Env, want)
	}
	if r := s.Spec(Run); len(r.Env) != 0 {
		t.Errorf("the toolchain leaked into the run: %q", r.Env)
	}
	if s.Same(s.With(Toolchain, "go1.26.8"), Build) {
		t.Error("two toolchains build alike")
	}
	if (Settings{}).Spec(Build).Env != nil {
		t.Error("no toolchain must set no GOTOOLCHAIN")
	}
	// The flag is --go; errors name it so.
	got, err := ParseFlagValues(Values{"toolchain": {"go1.26.8,1.27.3"}})
	if err != nil || !slices.Equal(got["toolchain"], []string{"go1.26.8", "go1.27.3"}) {
		t.Errorf("--go go1.26.8,1.27.3 = %q, %v", got["toolchain"], err)
	}
	if _, err := ParseFlagValues(Values{"toolchain": {"go1.27"}}); err == nil || !strings.HasPrefix(err.Error(), `--go: "go1.27" is a language version`) {
		t.Errorf("error %v, want one naming --go", err)
	}
	if err := (Values{"toolchain": {"x"}}).Validate("--"); err == nil || !strings.HasPrefix(err.Error(), "--go: ") {
		t.Errorf("Validate(--) = %v, want it to name --go", err)
	}
	if err := (Values{"toolchain": {"x"}}).Validate(""); err == nil || !strings.HasPrefix(err.Error(), "toolchain: ") {
		t.Errorf("Validate() = %v, want it to name the gotune.yaml key", err)
	}
	if _, err := ParseEnv("GOTOOLCHAIN=go1.27.3"); err == nil || !strings.Contains(err.Error(), "use the toolchain axis (--go") {
		t.Errorf("env GOTOOLCHAIN: %v", err)
	}
}

func TestParseGOEXPERIMENT(t *testing.T) {
	tests := []struct{ name, in, want, wantErr string }{
		{"empty", "", "", ""},
		{"one", " greenteagc ", "greenteagc", ""},
		{"several", "jsonv2, nogreenteagc", "jsonv2,nogreenteagc", ""},
		{"none", "none", "none", ""},
		{"upper case", "GreenTeaGC", "", `"GreenTeaGC" is not an experiment name`},
		{"empty item", "jsonv2,,x", "", "an empty experiment name between commas"},
		{"a variable", "GOEXPERIMENT=x", "", "is not an experiment name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGOEXPERIMENT(tt.in)
			checkParse(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestGOEXPERIMENTOf(t *testing.T) {
	tests := []struct {
		name             string
		s                Settings
		value, from, err string
	}{
		{"none", Settings{"env": "CGO_ENABLED=0"}, "", "", ""},
		{"axis", Settings{"goexperiment": "jsonv2"}, "jsonv2", "goexperiment", ""},
		{"env", Settings{"env": "CGO_ENABLED=0 GOEXPERIMENT=greenteagc"}, "greenteagc", "env", ""},
		{"both", Settings{"goexperiment": "jsonv2", "env": "GOEXPERIMENT=greenteagc"}, "", "", "GOEXPERIMENT is set twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, from, err := tt.s.GOEXPERIMENTOf()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || v != tt.value || from != tt.from {
				t.Errorf("= %q, %q, %v; want %q, %q", v, from, err, tt.value, tt.from)
			}
		})
	}
	if env := (Settings{"goexperiment": "jsonv2"}).Spec(Build).Env; !slices.Equal(env, []string{"GOEXPERIMENT=jsonv2"}) {
		t.Errorf("build env %q", env)
	}
}
