package cli

import (
	"bytes"
	"context"
	"errors"
	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/runcmd"
	"reflect"
	"strings"
	"testing"
	"time"
)

// runFlags parses args as `gotune run` would and returns the options handed
// to the run.
func runFlags(t *testing.T, args ...string) (*runcmd.RunOptions, error) {
	t.Helper()
	var got *runcmd.RunOptions
	f := &Factory{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	root := NewRootCmd(f)
	for _, c := range root.Commands() {
		if c.Name() == "run" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(runcmd.NewCmdRun(f, func(_ context.Context, o *runcmd.RunOptions) error { got = o; return nil }))
	root.SetArgs(append([]string{"run"}, args...))
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	err := root.Execute()
	return got, err
}

func TestRunFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, o *runcmd.RunOptions)
	}{
		{"defaults leave axes unset", nil, func(t *testing.T, o *runcmd.RunOptions) {
			ax := o.Opts.Axes
			if len(ax) != 0 {
				t.Errorf("axes = %+v, want none", ax)
			}
			if o.Opts.Packages != nil || o.Opts.MinBlocks != 0 || o.Opts.NoDedupe || o.Opts.Budget != 0 || o.Opts.NoEarlyStop {
				t.Errorf("options = %+v", o.Opts)
			}
		}},
		{"axes", []string{"--goamd64", "v1,v3", "--ldflags", "", "--ldflags", "-s -w", "--gcflags", "all=-N -l", "--pgo", "off,auto"}, func(t *testing.T, o *runcmd.RunOptions) {
			ax := o.Opts.Axes
			if !reflect.DeepEqual(ax["goamd64"], []string{"v1", "v3"}) || !reflect.DeepEqual(ax["ldflags"], []string{"", "-s -w"}) ||
				!reflect.DeepEqual(ax["gcflags"], []string{"all=-N -l"}) || !reflect.DeepEqual(ax["pgo"], []string{"off", "auto"}) {
				t.Errorf("axes = %q", ax)
			}
		}},
		{"an empty ldflags alone is still an axis", []string{"--ldflags", ""}, func(t *testing.T, o *runcmd.RunOptions) {
			if !reflect.DeepEqual(o.Opts.Axes["ldflags"], []string{""}) {
				t.Errorf("ldflags = %q", o.Opts.Axes["ldflags"])
			}
		}},
		{"env values keep their commas", []string{"--env", "GOEXPERIMENT=a,b"}, func(t *testing.T, o *runcmd.RunOptions) {
			if !reflect.DeepEqual(o.Opts.Axes["env"], []string{"GOEXPERIMENT=a,b"}) {
				t.Errorf("env = %q", o.Opts.Axes["env"])
			}
		}},
		{"run settings", []string{"-C", "examples/quotes", "--count", "20", "--bench", "Quote", "--benchtime", "100x", "--seed", "42", "--timeout", "2m", "--no-dedupe", "--budget", "3m", "--early-stop=false", "--json", "r.json", "-v", "./quotes"}, func(t *testing.T, o *runcmd.RunOptions) {
			tu := o.Opts
			if tu.Dir != "examples/quotes" || tu.MinBlocks != 20 || tu.Bench != "Quote" || tu.Benchtime != "100x" || tu.Seed != 42 ||
				tu.Timeout != 2*time.Minute || !tu.NoDedupe || tu.Budget != 3*time.Minute || !tu.NoEarlyStop ||
				o.Out.JSON != "r.json" || !o.Out.Verbose || !reflect.DeepEqual(tu.Packages, []string{"./quotes"}) {
				t.Errorf("options = %+v, out %+v", tu, o.Out)
			}
		}},
		{"resume alone", []string{"--resume", "-q"}, func(t *testing.T, o *runcmd.RunOptions) {
			if !o.Resume || !o.Quiet {
				t.Errorf("resume %v, quiet %v", o.Resume, o.Quiet)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := runFlags(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
}

func TestRunFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown level", []string{"--goamd64", "v9"}, `--goamd64: unknown level "v9" (want v1, v2, v3 or v4)`},
		{"bad pgo keyword", []string{"--pgo", "Off"}, `write the keyword in lower case`},
		{"zero count", []string{"--count", "0"}, "--count 0: want at least 1 block"},
		{"unknown flag", []string{"--ldflag", "-s"}, "unknown flag: --ldflag"},
		{"resume with a run-defining flag", []string{"--resume", "--seed", "3"}, "--resume continues the interrupted run with its own options: drop --seed"},
		{"resume with packages", []string{"--resume", "./x"}, "drop ./x"},
		{"the same file twice", []string{"--json", "r.json", "-o", "r.json"}, "--json and -o both name r.json"},
		{"two outputs on stdout", []string{"--json", "-"}, "--json - and the report would both go to stdout"},
		{"output is a directory", []string{"-o", "."}, "-o . is a directory"},
		{"negative timeout", []string{"--timeout", "-1s"}, "--timeout -1s: want a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runFlags(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			var ue cmdutil.UsageError
			if !errorsAs(err, &ue) {
				t.Errorf("err %v is not a usage error (exit status 2)", err)
			}
		})
	}
}

func TestMainExitStatus(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"run", "--goamd64", "v9"}, &out, &errb); code != ExitUsage {
		t.Errorf("exit status %d, want %d", code, ExitUsage)
	}
	if got := errb.String(); strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "gotune: ") {
		t.Errorf("stderr = %q, want one line", got)
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q, want nothing: stdout is for the report", out.String())
	}
	out.Reset()
	if code := Main(context.Background(), []string{"version"}, &out, &errb); code != ExitOK || !strings.HasPrefix(out.String(), "gotune ") {
		t.Errorf("version: exit %d, stdout %q", code, out.String())
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
