package cli

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd"
	"github.com/gotune/gotune/internal/cli/pgocmd/collect"
	"github.com/spf13/cobra"
)

// pgoFlags parses args as `gotune pgo SUB` would and returns the options
// handed to the command.
func pgoFlags[T any](t *testing.T, mk func(*Factory, func(context.Context, *T) error) *cobra.Command, args ...string) (*T, error) {
	t.Helper()
	var got *T
	f := &Factory{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	root := NewRootCmd(f)
	sub := mk(f, func(_ context.Context, o *T) error { got = o; return nil })
	for _, c := range root.Commands() {
		if c.Name() != "pgo" {
			continue
		}
		for _, s := range c.Commands() {
			if s.Name() == sub.Name() {
				c.RemoveCommand(s)
			}
		}
		c.AddCommand(sub)
	}
	root.SetArgs(append([]string{"pgo", sub.Name()}, args...))
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	err := root.Execute()
	return got, err
}

func TestPGOFlags(t *testing.T) {
	t.Run("collect", func(t *testing.T) {
		o, err := pgoFlags(t, collect.NewCmdPGOCollect, "-C", "examples/quotes", "--count", "3", "--bench", "Quote", "--benchtime", "2s", "--timeout", "5m", "--workdir", "/w", "--out", "/raw", "./quotes")
		want := &collect.PGOCollectOptions{Dir: "examples/quotes", Packages: []string{"./quotes"}, Count: 3, Bench: "Quote", Benchtime: "2s", Timeout: 5 * time.Minute, WorkDir: "/w", Out: "/raw"}
		if err != nil || !reflect.DeepEqual(o, want) {
			t.Errorf("options = %+v, %v; want %+v", o, err, want)
		}
		o, _ = pgoFlags(t, collect.NewCmdPGOCollect)
		if o.Count != 1 || o.Bench != "." || o.Benchtime != "1s" {
			t.Errorf("defaults = %+v", o)
		}
	})
	t.Run("fetch", func(t *testing.T) {
		o, err := pgoFlags(t, pgocmd.NewCmdPGOFetch, "127.0.0.1:6060", "--seconds", "10", "--timeout", "1m", "-o", "p.pprof")
		want := &pgocmd.PGOFetchOptions{URL: "127.0.0.1:6060", Seconds: 10, Timeout: time.Minute, Output: "p.pprof"}
		if err != nil || !reflect.DeepEqual(o, want) {
			t.Errorf("options = %+v, %v; want %+v", o, err, want)
		}
	})
	t.Run("merge", func(t *testing.T) {
		o, err := pgoFlags(t, pgocmd.NewCmdPGOMerge, "-o", "m.pprof", "--weight", "3,1", "--keep", "0.99", "--ignore", `NewStore`, "a.pprof", "b.pprof")
		want := &pgocmd.PGOMergeOptions{Files: []string{"a.pprof", "b.pprof"}, Output: "m.pprof", Weights: []float64{3, 1}, Keep: 0.99, Ignore: "NewStore"}
		if err != nil || !reflect.DeepEqual(o, want) {
			t.Errorf("options = %+v, %v; want %+v", o, err, want)
		}
		o, _ = pgoFlags(t, pgocmd.NewCmdPGOMerge, "-o", "m.pprof", "a.pprof")
		if o.Weights != nil || o.Keep != 0.995 {
			t.Errorf("defaults = %+v", o)
		}
	})
	t.Run("inspect", func(t *testing.T) {
		o, err := pgoFlags(t, pgocmd.NewCmdPGOInspect, "--top", "5", "p.pprof")
		if err != nil || o.File != "p.pprof" || o.Top != 5 {
			t.Errorf("options = %+v, %v", o, err)
		}
	})
	t.Run("apply", func(t *testing.T) {
		o, err := pgoFlags(t, pgocmd.NewCmdPGOApply, "m.pprof", "--main", "./cmd/a", "--main", "./cmd/b", "--force", "--profiles", "/r/profiles", "--name", "svc")
		want := &pgocmd.PGOApplyOptions{File: "m.pprof", Mains: []string{"./cmd/a", "./cmd/b"}, Force: true, ProfilesDir: "/r/profiles", Name: "svc"}
		if err != nil || !reflect.DeepEqual(o, want) {
			t.Errorf("options = %+v, %v; want %+v", o, err, want)
		}
	})
}

// pgoArgsError parses args as `gotune pgo sub` and returns the error.
func pgoArgsError(t *testing.T, sub string, args ...string) error {
	t.Helper()
	var err error
	switch sub {
	case "collect":
		_, err = pgoFlags(t, collect.NewCmdPGOCollect, args...)
	case "fetch":
		_, err = pgoFlags(t, pgocmd.NewCmdPGOFetch, args...)
	case "merge":
		_, err = pgoFlags(t, pgocmd.NewCmdPGOMerge, args...)
	case "inspect":
		_, err = pgoFlags(t, pgocmd.NewCmdPGOInspect, args...)
	case "apply":
		_, err = pgoFlags(t, pgocmd.NewCmdPGOApply, args...)
	default:
		t.Fatalf("no pgo subcommand %q", sub)
	}
	return err
}

func TestPGOFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		sub  string
		args []string
		want string
	}{
		{"collect count", "collect", []string{"--count", "0"}, "--count 0: want at least 1 round"},
		{"collect benchtime", "collect", []string{"--benchtime", "soon"}, `--benchtime: "soon" is neither a duration`},
		{"fetch without URL", "fetch", nil, "accepts 1 arg(s)"},
		{"fetch bad URL", "fetch", []string{"ftp://x"}, "want an http or https URL"},
		{"fetch zero seconds", "fetch", []string{"x:1", "--seconds", "0"}, "--seconds 0: want at least 1"},
		{"merge without -o", "merge", []string{"a.pprof"}, "merge needs -o FILE"},
		{"merge weights count", "merge", []string{"-o", "m", "--weight", "1,2,3", "a", "b"}, "--weight: 3 weights for 2 profiles"},
		{"merge bad keep", "merge", []string{"-o", "m", "--keep", "0", "a"}, "--keep 0: want a share of CPU in (0, 1]"},
		{"merge bad ignore", "merge", []string{"-o", "m", "--ignore", "(", "a"}, `--ignore "(" is not a valid regular expression`},
		{"inspect two files", "inspect", []string{"a", "b"}, "accepts 1 arg(s)"},
		{"unknown flag", "apply", []string{"--mian", "x", "f"}, "unknown flag: --mian"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pgoArgsError(t, tt.sub, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !errorsAs(err, new(cmdutil.UsageError)) {
				t.Errorf("err %v is not a usage error (exit status 2)", err)
			}
		})
	}
}

func TestPGOMergeExitStatus(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"pgo", "merge", "-o", dir + "/m.pprof", dir + "/missing.pprof"}, &out, &errb)
	if code != ExitUsage || !strings.Contains(errb.String(), "missing.pprof: no such file") || out.Len() != 0 {
		t.Errorf("exit %d, stderr %q, stdout %q", code, errb.String(), out.String())
	}
}
