package options

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/matrix"
)

// parse registers every group on a fresh flag set, parses args and
// finishes, as a command does.
func parse(t *testing.T, args ...string) (Options, *Flags, error) {
	t.Helper()
	var o Options
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	f := Register(fs, &o, Matrix|Measure|Search)
	if err := fs.Parse(args); err != nil {
		return o, f, err
	}
	return o, f, f.Finish()
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, o Options, f *Flags)
	}{
		{"defaults leave everything unset", nil, func(t *testing.T, o Options, f *Flags) {
			if len(o.Axes) != 0 || o.MinBlocks != 0 || o.Budget != 0 || o.NoEarlyStop || o.Equivalence != 0 || f.AxesGiven() {
				t.Errorf("options = %+v", o)
			}
		}},
		{"axes", []string{"--goamd64", "v1,v3", "--ldflags", "", "--ldflags", "-s -w", "--env", "GOEXPERIMENT=a,b"}, func(t *testing.T, o Options, f *Flags) {
			want := axis.Values{"goamd64": {"v1", "v3"}, "ldflags": {"", "-s -w"}, "env": {"GOEXPERIMENT=a,b"}}
			if !equalValues(o.Axes, want) || !f.AxesGiven() {
				t.Errorf("axes = %q, want %q", o.Axes, want)
			}
		}},
		{"toolchain and goexperiment", []string{"--go", "go1.26.8,1.27.3", "--goexperiment", "", "--goexperiment", "greenteagc,jsonv2"}, func(t *testing.T, o Options, f *Flags) {
			want := axis.Values{"toolchain": {"go1.26.8", "go1.27.3"}, "goexperiment": {"", "greenteagc,jsonv2"}}
			if !equalValues(o.Axes, want) || !f.AxesGiven() {
				t.Errorf("axes = %q, want %q", o.Axes, want)
			}
		}},
		{"run axes", []string{"--gomemlimit", "512MiB,off", "--gomaxprocs", "1,2", "--runenv", "GODEBUG=a=1,b=2"}, func(t *testing.T, o Options, f *Flags) {
			want := axis.Values{"gomemlimit": {"512MiB", "off"}, "gomaxprocs": {"1", "2"}, "runenv": {"GODEBUG=a=1,b=2"}}
			if !equalValues(o.Axes, want) || !f.AxesGiven() {
				t.Errorf("axes = %q, want %q", o.Axes, want)
			}
		}},
		{"measuring", []string{"--count", "8", "--budget", "2m", "--early-stop=false", "--equivalence", "1.5%", "--layouts", "4"}, func(t *testing.T, o Options, f *Flags) {
			if o.MinBlocks != 8 || o.Budget != 2*time.Minute || !o.NoEarlyStop || o.Equivalence != 0.015 || o.Layouts != 4 {
				t.Errorf("options = %+v", o)
			}
		}},
		{"--race=false is the old --early-stop=false", []string{"--race=false"}, func(t *testing.T, o Options, f *Flags) {
			if !o.NoEarlyStop || len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "--race is now --early-stop") {
				t.Errorf("--race=false: no early stop %v, warnings %q", o.NoEarlyStop, f.Warnings)
			}
		}},
		{"given flags", []string{"--count", "8", "--json", "x"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, f, err := parse(t, tt.args...)
			if tt.check == nil {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o, f)
		})
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--goamd64", "v9"}, `--goamd64: unknown level "v9"`},
		{[]string{"--count", "0"}, "--count 0: want at least 1 block"},
		{[]string{"--count", "-3"}, "--count -3: want at least 1 block"},
		{[]string{"--timeout", "-1s"}, "--timeout -1s: want a positive duration"},
		{[]string{"--max-variants", "-1"}, "--max-variants -1: want a positive number"},
		{[]string{"--budget", "1ns"}, "--budget 1ns is too short to measure anything: give at least 1s"},
		{[]string{"--max-blocks", "-2"}, "--max-blocks -2: want a positive number"},
		{[]string{"--budget", "0"}, "--budget 0: want a positive duration"},
		{[]string{"--equivalence", "abc"}, `--equivalence "abc": want a percentage`},
		{[]string{"--equivalence", "0"}, "--equivalence 0: want a margin above 0%"},
		{[]string{"--equivalence", "60%"}, "--equivalence 60%: want a margin between 0% and 50%"},
		{[]string{"--search", "random"}, `--search "random": want grid or screen`},
		{[]string{"--bench", "("}, `--bench "(" is not a valid regular expression`},
		{[]string{"--benchtime", "fast"}, `--benchtime: "fast" is neither a duration`},
		{[]string{"--layouts", "-1"}, "--layouts -1: want 0 (off) to 64"},
		{[]string{"--go", "go1.27"}, `--go: "go1.27" is a language version, not a release: name a release such as go1.27.0`},
		{[]string{"--go", "tip"}, `--go: "tip" is not a Go release`},
		{[]string{"--goexperiment", "GreenTea"}, `--goexperiment: "GreenTea": "GreenTea" is not an experiment name`},
		{[]string{"--env", "GOTOOLCHAIN=go1.27.3"}, "--env: GOTOOLCHAIN cannot be set in env: use the toolchain axis (--go go1.27.3)"},
		{[]string{"--gomemlimit", "1GB"}, `--gomemlimit: "1GB": want off or a size`},
		{[]string{"--gomaxprocs", "0"}, `--gomaxprocs: "0": want a number of 1 or more`},
		{[]string{"--runenv", "GOGC=10"}, "--runenv: GOGC cannot be set in runenv: use the gogc axis (--gogc)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, _, err := parse(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !isInput(err) {
				t.Errorf("err %v is not an InputError", err)
			}
		})
	}
	// Every problem is reported at once.
	_, _, err := parse(t, "--timeout", "-1s", "--layouts", "99")
	if err == nil || !strings.Contains(err.Error(), "--timeout") || !strings.Contains(err.Error(), "--layouts") {
		t.Errorf("err = %v, want both problems", err)
	}
}

func TestMergeAndDefaults(t *testing.T) {
	o := Options{Axes: axis.Values{"goamd64": {"v3"}}, Bench: "Quote"}
	o.Merge(matrix.Config{Axes: axis.Values{"goamd64": {"v1", "v2"}, "pgo": {"off"}}, Bench: "Other", Benchtime: "20ms", Count: 9, Packages: []string{"./api"}})
	if !equalValues(o.Axes, axis.Values{"goamd64": {"v3"}, "pgo": {"off"}}) {
		t.Errorf("axes = %q: a flag's axis replaces the file's, the file's others stay", o.Axes)
	}
	if o.Bench != "Quote" || o.Benchtime != "20ms" || o.MinBlocks != 9 || o.Packages[0] != "./api" {
		t.Errorf("merged = %+v", o)
	}
	var d Options
	d.Defaults()
	if d.Bench != "." || d.MinBlocks != DefaultMinBlocks || d.Equivalence != DefaultEquivalence {
		t.Errorf("defaults = %+v", d)
	}
}

func TestKey(t *testing.T) {
	a := Options{Seed: 7, Bench: ".", WorkDir: "/a", Fresh: true}
	b := Options{Seed: 9, Bench: ".", WorkDir: "/b"}
	if a.Key(true) != b.Key(true) {
		t.Error("random seeds and work dirs changed the key")
	}
	if a.Key(false) == b.Key(false) {
		t.Error("chosen seeds did not change the key")
	}
	c := b
	c.Bench = "Quote"
	if c.Key(true) == b.Key(true) {
		t.Error("bench did not change the key")
	}
}

func equalValues(a, b axis.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\x00") != strings.Join(b[k], "\x00") || len(v) != len(b[k]) {
			return false
		}
	}
	return true
}

func isInput(err error) bool {
	_, ok := err.(InputError)
	return ok
}

func TestValidateBase(t *testing.T) {
	tests := []struct {
		o    Options
		want string
	}{
		{Options{Base: "main"}, ""},
		{Options{Base: "main..HEAD"}, `--base: "main..HEAD" is a range`},
		{Options{Base: "worktree"}, "--base worktree: the base is a commit to compare this worktree with"},
		{Options{Base: "main", Axes: axis.Values{"ldflags": {"-s -w"}}}, "--base compares this worktree with one revision, alone: drop the axis flags"},
		{Options{Base: "main", BaselineOnly: true}, "--base measures two revisions: drop --baseline-only"},
	}
	for _, tt := range tests {
		err := tt.o.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.o, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !isInput(err)):
			t.Errorf("%+v: %v, want an input error with %q", tt.o, err, tt.want)
		}
	}
}
