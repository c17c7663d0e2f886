package axis

import (
	"slices"
	"strings"
	"testing"
)

func TestSpec(t *testing.T) {
	s := Settings{"goamd64": "v3", "pgo": "/p/default.pgo", "ldflags": "-s -w", "gcflags": "", "env": "GOEXPERIMENT=greenteagc CGO_ENABLED=0"}
	got := s.Spec(Build)
	if want := []string{"GOAMD64=v3", "GOEXPERIMENT=greenteagc", "CGO_ENABLED=0"}; !slices.Equal(got.Env, want) {
		t.Errorf("Env = %q, want %q", got.Env, want)
	}
	if want := []string{"-pgo=/p/default.pgo", "-ldflags=-s -w"}; !slices.Equal(got.Flags, want) {
		t.Errorf("Flags = %q, want %q", got.Flags, want)
	}
	if run := s.Spec(Run); len(run.Env)+len(run.Flags) != 0 {
		t.Errorf("Run spec of build-only settings = %+v, want empty", run)
	}
	if got := (Settings{}).Spec(Build); !slices.Equal(got.Flags, []string{"-pgo=off"}) || len(got.Env) != 0 {
		t.Errorf("empty settings build as %+v, want only -pgo=off", got)
	}
}

func TestSettingsCompare(t *testing.T) {
	a := Settings{"goamd64": "v1", "ldflags": "-s  -w", "env": "A=1 B=2", "pgo": "./p.pprof"}
	b := Settings{"goamd64": "v1", "ldflags": "-s -w", "env": "B=2 A=1", "pgo": "p.pprof"}
	if d := a.Differ(b); len(d) != 0 {
		t.Errorf("Differ = %v, want none (flags split, env in any order, paths cleaned)", names(d))
	}
	if a.Key(Build) != b.Key(Build) || !a.Same(b, Build) {
		t.Errorf("keys differ: %s vs %s", a.Key(Build), b.Key(Build))
	}
	c := b.With(GOAMD64, "v3")
	if d := names(a.Differ(c)); !slices.Equal(d, []string{"goamd64"}) {
		t.Errorf("Differ = %v, want [goamd64]", d)
	}
	if b.Get(GOAMD64) != "v1" {
		t.Error("With changed the original settings")
	}
}

func TestByName(t *testing.T) {
	for _, a := range All {
		if ByName(a.Name) != a {
			t.Errorf("ByName(%q) is not the table's axis", a.Name)
		}
		if a.Parse == nil || a.Apply == nil || a.Usage == "" {
			t.Errorf("axis %s lacks Parse, Apply or Usage", a.Name)
		}
	}
	if ByName("nosuch") != nil {
		t.Error("ByName(nosuch) != nil")
	}
}

func TestValuesValidate(t *testing.T) {
	err := Values{"goamd64": {"v9"}, "nosuch": {"x"}}.Validate("")
	if err == nil || !strings.Contains(err.Error(), `goamd64: unknown level "v9"`) || !strings.Contains(err.Error(), "nosuch: unknown axis") {
		t.Errorf("Validate = %v", err)
	}
	if err := (Values{"ldflags": {"", "-s -w"}}).Validate(""); err != nil {
		t.Errorf("Validate = %v, want nil", err)
	}
}

func TestPGOSetting(t *testing.T) {
	tests := []struct {
		in   string
		mode PGOMode
		str  string
	}{
		{"", PGOModeAuto, "auto"},
		{"auto", PGOModeAuto, "auto"},
		{"off", PGOModeOff, "off"},
		{"collect", PGOModeCollect, "collect"},
		{"prof/cpu.pprof", PGOModeFile, "prof/cpu.pprof"},
	}
	for _, tt := range tests {
		p := ParsePGOSetting(tt.in)
		if p.Mode != tt.mode || p.String() != tt.str {
			t.Errorf("ParsePGOSetting(%q) = %+v (%s), want mode %d, %s", tt.in, p, p, tt.mode, tt.str)
		}
	}
}

func names(as []*Axis) []string {
	var n []string
	for _, a := range as {
		n = append(n, a.Name)
	}
	return n
}

func TestRunAxis(t *testing.T) {
	s := Settings{"goamd64": "v1", "gogc": "50"}
	if got := s.Spec(Run); !slices.Equal(got.Env, []string{"GOGC=50"}) || len(got.Flags) != 0 {
		t.Errorf("run spec = %+v", got)
	}
	if got := s.Spec(Build); slices.Contains(got.Env, "GOGC=50") {
		t.Errorf("a run axis leaked into the build: %+v", got)
	}
	// Variants that differ only in a run axis build alike and run apart.
	t2 := s.With(GOGC, "off")
	if s.Key(Build) != t2.Key(Build) || s.Key(Run) == t2.Key(Run) || s.Same(t2, Run) || !s.Same(t2, Build) {
		t.Errorf("keys: build %q / %q, run %q / %q", s.Key(Build), t2.Key(Build), s.Key(Run), t2.Key(Run))
	}
}

func TestParseGOGC(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{"off", "off", ""},
		{" 100 ", "100", ""},
		{"0", "0", ""},
		{"050", "50", ""},
		{"-1", "", "want off or a percentage"},
		{"Off", "", "want off or a percentage"},
		{"", "", "want off or a percentage"},
	}
	for _, tt := range tests {
		got, err := ParseGOGC(tt.in)
		checkParse(t, got, err, tt.want, tt.wantErr)
	}
	if _, err := ParseFlagValues(Values{"gogc": {"off,100,x"}}); err == nil || !strings.Contains(err.Error(), `--gogc: "x": want off`) {
		t.Errorf("--gogc with a bad value: %v", err)
	}
}

func TestRevAxis(t *testing.T) {
	a := Settings{"rev": "HEAD~1", "goamd64": "v1"}
	b := a.With(Rev, "HEAD")
	// A revision changes what is built, not the go command's flags.
	if !slices.Equal(a.Spec(Build).Flags, b.Spec(Build).Flags) || !slices.Equal(a.Spec(Build).Env, b.Spec(Build).Env) {
		t.Errorf("specs differ: %+v / %+v", a.Spec(Build), b.Spec(Build))
	}
	if a.Key(Build) == b.Key(Build) || a.Same(b, Build) {
		t.Error("two revisions share a build key: they would share binaries")
	}
	if d := names(a.Differ(b)); !slices.Equal(d, []string{"rev"}) {
		t.Errorf("Differ = %v, want [rev]", d)
	}
	if All[0] != Rev {
		t.Error("rev is not the first axis: variant names would not start with it")
	}
	v, err := ParseFlagValues(Values{"rev": {"HEAD~1,worktree"}})
	if err != nil || !slices.Equal(v.Get(Rev), []string{"HEAD~1", "worktree"}) {
		t.Errorf("--rev HEAD~1,worktree = %v, %v", v, err)
	}
}
