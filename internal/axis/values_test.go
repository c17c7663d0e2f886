package axis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseGOAMD64(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "v1", in: "v1", want: "v1"},
		{name: "v4 with spaces", in: " v4 ", want: "v4"},
		{name: "v9", in: "v9", wantErr: `unknown level "v9" (want v1, v2, v3 or v4)`},
		{name: "upper case", in: "V3", wantErr: `unknown level "V3" (want v1, v2, v3 or v4)`},
		{name: "number only", in: "3", wantErr: `unknown level "3" (want v1, v2, v3 or v4)`},
		{name: "empty", in: "", wantErr: "empty level (want v1, v2, v3 or v4)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGOAMD64(tt.in)
			checkParse(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestParsePGO(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "off", in: "off", want: "off"},
		{name: "auto", in: "auto", want: "auto"},
		{name: "collect", in: "collect", want: "collect"},
		{name: "path", in: " prof/cpu.pprof ", want: "prof/cpu.pprof"},
		{name: "path with spaces", in: "my profiles/cpu.pprof", want: "my profiles/cpu.pprof"},
		{name: "keyword in upper case", in: "Off", wantErr: `"Off": write the keyword in lower case, "off" (to mean a file, write ./Off)`},
		{name: "empty", in: " ", wantErr: "empty value (want off, auto, collect or a profile path)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePGO(tt.in)
			checkParse(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "none", in: "", want: ""},
		{name: "spaces only", in: "  ", want: ""},
		{name: "strip", in: " -s -w ", want: "-s -w"},
		{name: "pattern", in: "all=-N -l", want: "all=-N -l"},
		{name: "quoted", in: "-X 'main.version=1 2'", want: "-X 'main.version=1 2'"},
		{name: "comma inside", in: "-X main.list=a,b", want: "-X main.list=a,b"},
		{name: "no dash no pattern", in: "s -w", wantErr: `"s -w": flags start with - or a package pattern and =`},
		{name: "empty pattern", in: "=-l", wantErr: `"=-l": missing the package pattern before =`},
		{name: "leading quote", in: `"all=-l"`, wantErr: "the go command refuses a value that starts with a quote"},
		{name: "unterminated quote", in: "-X 'main.v=1", wantErr: `"-X 'main.v=1": unterminated ' string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFlags(tt.in)
			checkParse(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestParseEnv(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{name: "empty", in: "", want: nil},
		{name: "one", in: "GOEXPERIMENT=greenteagc", want: []string{"GOEXPERIMENT=greenteagc"}},
		{name: "two, extra spaces", in: " GOGC=off   CGO_ENABLED=0 ", want: []string{"GOGC=off", "CGO_ENABLED=0"}},
		{name: "comma list value", in: "GOEXPERIMENT=a,b", want: []string{"GOEXPERIMENT=a,b"}},
		{name: "empty value", in: "GODEBUG=", want: []string{"GODEBUG="}},
		{name: "lower case key", in: "my_var=1", want: []string{"my_var=1"}},
		{name: "no equals", in: "GOGC", wantErr: `"GOGC" is not KEY=VALUE`},
		{name: "key starts with digit", in: "1X=2", wantErr: `"1X=2": "1X" is not an environment variable name`},
		{name: "empty key", in: "=2", wantErr: `"=2": "" is not an environment variable name`},
		{name: "dash in key", in: "MY-VAR=1", wantErr: `"MY-VAR" is not an environment variable name`},
		{name: "GOAMD64", in: "GOAMD64=v3", wantErr: "GOAMD64 cannot be set in env: use the goamd64 axis"},
		{name: "GOFLAGS", in: "GOFLAGS=-ldflags=-s", wantErr: "GOFLAGS cannot be set in env: use the ldflags, gcflags and pgo axes"},
		{name: "twice", in: "GOGC=1 GOGC=2", wantErr: "GOGC is set twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnv(tt.in)
			checkParse(t, strings.Join(got, "|"), err, strings.Join(tt.want, "|"), tt.wantErr)
		})
	}
}

// checkParse compares the result of a Parse function with what a test
// case wants: an error containing wantErr, or got == want.
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

func TestSplitList(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{name: "not given", in: nil, want: nil},
		{name: "one", in: []string{"v3"}, want: []string{"v3"}},
		{name: "commas", in: []string{"v1,v3"}, want: []string{"v1", "v3"}},
		{name: "repeated and commas", in: []string{"v1, v2", "v4"}, want: []string{"v1", "v2", "v4"}},
		{name: "empty item kept", in: []string{"v1,,v3"}, want: []string{"v1", "", "v3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SplitList(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("SplitList(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseFlagValues(t *testing.T) {
	tests := []struct {
		name    string
		raw     Values
		want    Values
		wantErr string
	}{
		{
			name: "nothing given",
			raw:  Values{},
			want: Values{},
		},
		{
			name: "goamd64 and pgo split at commas",
			raw:  Values{"goamd64": {"v1,v3", "v4"}, "pgo": {"off, auto"}},
			want: Values{"goamd64": {"v1", "v3", "v4"}, "pgo": {"off", "auto"}},
		},
		{
			name: "flags and env are one value per occurrence",
			raw: Values{
				"ldflags": {"", "-s -w", "-X main.list=a,b"},
				"gcflags": {"all=-N -l"},
				"env":     {"GOEXPERIMENT=greenteagc,synctest  GOGC=off"},
			},
			want: Values{
				"ldflags": {"", "-s -w", "-X main.list=a,b"},
				"gcflags": {"all=-N -l"},
				"env":     {"GOEXPERIMENT=greenteagc,synctest GOGC=off"},
			},
		},
		{
			name:    "bad level names the flag",
			raw:     Values{"goamd64": {"v1,v9"}},
			wantErr: `--goamd64: unknown level "v9" (want v1, v2, v3 or v4)`,
		},
		{
			name:    "trailing comma",
			raw:     Values{"goamd64": {"v1,"}},
			wantErr: "--goamd64: empty level",
		},
		{
			name:    "every error reported",
			raw:     Values{"pgo": {"Auto"}, "env": {"GOFLAGS=-v"}},
			wantErr: "--pgo: \"Auto\": write the keyword in lower case, \"auto\" (to mean a file, write ./Auto)\n--env: GOFLAGS cannot be set in env",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFlagValues(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("ParseFlagValues() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSplitQuoted(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{name: "empty", in: "", want: nil},
		{name: "plain", in: " -s  -w ", want: []string{"-s", "-w"}},
		{name: "single quotes", in: "-X 'a=b c'", want: []string{"-X", "a=b c"}},
		{name: "double quotes", in: `-X "a=b c" -w`, want: []string{"-X", "a=b c", "-w"}},
		{name: "quote inside a word", in: "a'b c'", want: []string{"a'b", "c'"}},
		{name: "unterminated", in: `-X "a`, wantErr: `unterminated " string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitQuoted(tt.in)
			checkParse(t, strings.Join(got, "|"), err, strings.Join(tt.want, "|"), tt.wantErr)
		})
	}
}

func TestParseRev(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: " main ", want: "main"},
		{in: "HEAD~1", want: "HEAD~1"},
		{in: "origin/main", want: "origin/main"},
		{in: "v1.2.3^", want: "v1.2.3^"},
		{in: "worktree", want: "worktree"},
		{in: "3f2a9c1", want: "3f2a9c1"},
		{in: "", err: "empty revision"},
		{in: "--all", err: "cannot start with -"},
		{in: "main..HEAD", err: `is a range: give its two ends as two revisions, e.g. main,HEAD`},
		{in: "main...HEAD", err: `e.g. main,HEAD`},
		{in: "HEAD:cmd", err: "names a path inside a commit"},
		{in: "a b", err: "no blanks"},
		{in: "WorkTree", err: `write the keyword in lower case, "worktree"`},
	}
	for _, tt := range tests {
		got, err := ParseRev(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseRev(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseRev(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
