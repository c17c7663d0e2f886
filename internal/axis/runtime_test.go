package axis

import (
	"slices"
	"strings"
	"testing"
)

func TestParseGOMEMLIMIT(t *testing.T) {
	tests := []struct{ name, in, want, wantErr string }{
		{"off", "off", "off", ""},
		{"MiB", " 512MiB ", "512MiB", ""},
		{"bytes", "1000000", "1000000", ""},
		{"bytes with B", "64B", "64B", ""},
		{"GiB", "2GiB", "2GiB", ""},
		{"zero", "0", "0", ""},
		{"decimal unit", "512MB", "", "the runtime reads MiB, not MB"},
		{"short unit", "2G", "", "the runtime reads GiB, not G"},
		{"negative", "-1", "", "want off or a size"},
		{"fraction", "1.5GiB", "", "want off or a size"},
		{"too large", "9000000TiB", "", "want off or a size"},
		{"Off", "Off", "", "want off or a size"},
		{"empty", "", "", "want off or a size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGOMEMLIMIT(tt.in)
			checkParse(t, got, err, tt.want, tt.wantErr)
		})
	}
	if !GOMEMLIMIT.Same("512MiB", "536870912") || GOMEMLIMIT.Same("512MiB", "512KiB") || GOMEMLIMIT.Same("off", "0") {
		t.Error("GOMEMLIMIT values compare by their bytes")
	}
}

func TestParseGOMAXPROCS(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{"1", "1", ""},
		{" 02 ", "2", ""},
		{"0", "", "want a number of 1 or more"},
		{"-1", "", "want a number of 1 or more"},
		{"all", "", "want a number of 1 or more"},
	}
	for _, tt := range tests {
		got, err := ParseGOMAXPROCS(tt.in)
		checkParse(t, got, err, tt.want, tt.wantErr)
	}
}

func TestParseRunEnv(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		wantErr  string
	}{
		{"empty", "", nil, ""},
		{"one", "GODEBUG=madvdontneed=1", []string{"GODEBUG=madvdontneed=1"}, ""},
		{"two", " GODEBUG=x=1  MYAPP_MODE=fast ", []string{"GODEBUG=x=1", "MYAPP_MODE=fast"}, ""},
		{"not kv", "GODEBUG", nil, `"GODEBUG" is not KEY=VALUE`},
		{"GOGC", "GOGC=50", nil, "GOGC cannot be set in runenv: use the gogc axis (--gogc)"},
		{"GOMEMLIMIT", "GOMEMLIMIT=1GiB", nil, "use the gomemlimit axis (--gomemlimit)"},
		{"GOMAXPROCS", "GOMAXPROCS=1", nil, "use the gomaxprocs axis (--gomaxprocs)"},
		{"build var", "GOEXPERIMENT=greenteagc", nil, "GOEXPERIMENT is read when building, not when running"},
		{"toolchain", "GOTOOLCHAIN=go1.27.3", nil, "use the toolchain axis (--go)"},
		{"twice", "A=1 A=2", nil, "A is set twice"},
		{"bad name", "1A=2", nil, "is not an environment variable name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRunEnv(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("ParseRunEnv(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// The run axes apply to the run only, as environment, in table order;
// variants that differ in them build alike and run apart.
func TestRunAxesSpec(t *testing.T) {
	s := Settings{"goamd64": "v1", "gogc": "200", "gomemlimit": "512MiB", "gomaxprocs": "1", "runenv": "GODEBUG=madvdontneed=1 APP=x"}
	run := s.Spec(Run)
	want := []string{"GOGC=200", "GOMEMLIMIT=512MiB", "GOMAXPROCS=1", "GODEBUG=madvdontneed=1", "APP=x"}
	if !slices.Equal(run.Env, want) || len(run.Flags) != 0 {
		t.Errorf("run spec = %+v, want env %q", run, want)
	}
	if b := s.Spec(Build); slices.ContainsFunc(b.Env, func(kv string) bool { return strings.HasPrefix(kv, "GOM") || strings.HasPrefix(kv, "GODEBUG") }) {
		t.Errorf("a run axis leaked into the build: %+v", b)
	}
	for _, a := range []*Axis{GOMEMLIMIT, GOMAXPROCS, RunEnv} {
		u := s.With(a, "")
		if !u.Same(s, Build) || u.Same(s, Run) || u.Key(Run) == s.Key(Run) {
			t.Errorf("%s: variants differing in it must build alike and run apart", a.Name)
		}
	}
	if !s.With(RunEnv, "APP=x GODEBUG=madvdontneed=1").Same(s, Run) {
		t.Error("runenv compares in any order")
	}
}

func TestRunAxesFlags(t *testing.T) {
	got, err := ParseFlagValues(Values{"gomemlimit": {"512MiB,off"}, "gomaxprocs": {"1,2"}, "runenv": {"", "GODEBUG=a=1,b=2"}})
	if err != nil {
		t.Fatal(err)
	}
	want := Values{"gomemlimit": {"512MiB", "off"}, "gomaxprocs": {"1", "2"}, "runenv": {"", "GODEBUG=a=1,b=2"}}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("%s = %q, want %q (runenv values keep their commas)", k, got[k], v)
		}
	}
	_, err = ParseFlagValues(Values{"gomemlimit": {"512MB"}, "gomaxprocs": {"0"}, "runenv": {"GOGC=1"}})
	for _, w := range []string{`--gomemlimit: "512MB"`, `--gomaxprocs: "0"`, "--runenv: GOGC cannot be set in runenv"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v, want it to hold %q", err, w)
		}
	}
}
