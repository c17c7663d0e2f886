package checkcmd_test

import (
	"github.com/gotune/gotune/internal/axis"

	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/cli"
	"github.com/gotune/gotune/internal/cli/checkcmd"
	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/runcmd"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/report"
)

// checkFlags parses args as `gotune check` would and returns the options
// handed to the check.
func checkFlags(t *testing.T, args ...string) (*checkcmd.CheckOptions, error) {
	t.Helper()
	var got *checkcmd.CheckOptions
	f := &cmdutil.Factory{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	root := cli.NewRootCmd(f)
	for _, c := range root.Commands() {
		if c.Name() == "check" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(checkcmd.NewCmdCheck(f, func(_ context.Context, o *checkcmd.CheckOptions) error { got = o; return nil }))
	root.SetArgs(append([]string{"check"}, args...))
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	err := root.Execute()
	return got, err
}

func TestCheckFlags(t *testing.T) {
	t.Setenv(cmdutil.StepSummaryEnv, "/tmp/summary.md")
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, o *checkcmd.CheckOptions)
	}{
		{"mode A with defaults", []string{"--ldflags", "-X main.mode=slow"}, func(t *testing.T, o *checkcmd.CheckOptions) {
			if !reflect.DeepEqual(o.Opts.Axes["ldflags"], []string{"-X main.mode=slow"}) {
				t.Errorf("ldflags = %q", o.Opts.Axes["ldflags"])
			}
			if o.MaxRegression != 0.05 || o.Out.Format != report.FormatText || o.Against != "" || o.Out.Output != "" {
				t.Errorf("options = %+v", o)
			}
			if o.Given.Bench || o.Given.Benchtime {
				t.Errorf("given = %+v, want nothing given", o.Given)
			}
			if o.Out.StepSummary != "/tmp/summary.md" {
				t.Errorf("step summary = %q, want $%s", o.Out.StepSummary, cmdutil.StepSummaryEnv)
			}
		}},
		{"mode B", []string{"--against", "old.json", "--count", "12", "--benchtime", "100x"}, func(t *testing.T, o *checkcmd.CheckOptions) {
			if o.Against != "old.json" || o.Opts.MinBlocks != 12 || !o.Given.Benchtime || o.Given.Bench {
				t.Errorf("options = %+v", o)
			}
		}},
		{"limit and output", []string{"--gcflags", "-N -l", "--max-regression", "2.5%", "--format", "markdown", "-o", "out.md", "--json", "r.json", "-v", "./pkg"}, func(t *testing.T, o *checkcmd.CheckOptions) {
			if o.MaxRegression != 0.025 || o.Out.Format != report.FormatMarkdown || o.Out.Output != "out.md" || o.Out.JSON != "r.json" || !o.Out.Verbose {
				t.Errorf("options = %+v", o)
			}
			if !reflect.DeepEqual(o.Opts.Packages, []string{"./pkg"}) {
				t.Errorf("packages = %q", o.Opts.Packages)
			}
		}},
		{"zero limit", []string{"--ldflags", "-s", "--max-regression", "0"}, func(t *testing.T, o *checkcmd.CheckOptions) {
			if o.MaxRegression != 0 {
				t.Errorf("max regression = %g, want 0", o.MaxRegression)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := checkFlags(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
}

func TestCheckFlagErrors(t *testing.T) {
	t.Setenv("GITHUB_BASE_REF", "") // not in a pull request
	empty := t.TempDir()            // no gotune.yaml here
	withConfig := t.TempDir()
	if err := os.WriteFile(filepath.Join(withConfig, "gotune.yaml"), []byte("variants:\n  - name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withCount := t.TempDir()
	if err := os.WriteFile(filepath.Join(withCount, "gotune.yaml"), []byte("count: 9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // "" = no error
	}{
		{"no candidate", []string{"-C", empty}, "check needs a candidate: --base REF (this worktree against a commit, e.g. --base main), build settings with axis flags"},
		{"a gotune.yaml without candidates", []string{"-C", withCount}, "check needs a candidate: --base REF"},
		{"base and against", []string{"--base", "main", "--against", "x.json"}, "--base measures the base commit again, next to this worktree; --against compares with a result saved earlier: give one of them"},
		{"base and an axis", []string{"--base", "main", "--ldflags", "-s -w"}, "--base compares this worktree with the commit main, in one build setting: drop the axis flags (to cross revisions with other axes, use gotune run --rev main,worktree)"},
		{"base and rev", []string{"--base", "main", "--rev", "HEAD~2"}, "drop the axis flags"},
		{"bad base", []string{"--base", "main..HEAD"}, `--base: "main..HEAD" is a range`},
		{"base alone", []string{"--base", "HEAD~1"}, ""},
		{"worktree as the base", []string{"--base", "worktree"}, "--base worktree: the base is a commit"},
		{"a gotune.yaml is a candidate", []string{"-C", withConfig}, ""},
		{"both modes", []string{"--against", "x.json", "--goamd64", "v3"}, "drop the axis flags, or drop --against"},
		{"bad limit", []string{"--ldflags", "-s", "--max-regression", "five"}, `--max-regression "five": want a percentage such as 5% or 2.5`},
		{"negative limit", []string{"--ldflags", "-s", "--max-regression", "-1%"}, "want a percentage of 0 or more"},
		{"bad format", []string{"--ldflags", "-s", "--format", "xml"}, `--format "xml": unknown format`},
		{"output in a missing folder", []string{"--ldflags", "-s", "-o", filepath.Join(empty, "no", "out.md")}, "does not exist: create it or write elsewhere"},
		{"zero count", []string{"--ldflags", "-s", "--count", "0"}, "--count 0: want at least 1 block"},
		{"bad level", []string{"--goamd64", "v7"}, `unknown level "v7"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkFlags(t, tt.args...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !errorsAs(err, new(cmdutil.UsageError)) {
				t.Errorf("err %v is not a usage error (exit status 2)", err)
			}
		})
	}
}

func TestParsePercent(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want float64
		ok   bool
	}{
		{"percent sign", "5%", 0.05, true},
		{"bare number", "5", 0.05, true},
		{"decimal", "2.5%", 0.025, true},
		{"spaces", " 10 % ", 0.1, true},
		{"zero", "0", 0, true},
		{"word", "lots", 0, false},
		{"negative", "-3", 0, false},
		{"huge", "1e9", 0, false},
		{"NaN", "NaN", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := options.ParsePercent(tt.in)
			if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
				t.Errorf("ParsePercent(%q) = %g, %v; want %g, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

// TestCheckFailuresAreNotRegressions checks that a check whose pipeline
// breaks (here every go command fails) exits with status 2, could not
// decide, and never with 1, which is kept for a regression.
func TestCheckFailuresAreNotRegressions(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	f := &cmdutil.Factory{Runner: &gotool.Fake{}, Stdout: &bytes.Buffer{}, Stderr: &stderr}
	f.Tune = runcmd.TuneFunc(f)
	opts := &checkcmd.CheckOptions{MaxRegression: 0.05, Out: cmdutil.OutputFlags{Format: report.FormatText}}
	opts.Opts.Dir = dir
	opts.Opts.WorkDir = t.TempDir()
	opts.Opts.Axes = axis.Values{"ldflags": {"-s -w"}}
	err := checkcmd.CheckRun(context.Background(), f, opts)
	if err == nil {
		t.Fatal("checkRun = nil error with a broken go command")
	}
	t.Log(err)
	if !errorsAs(err, new(cmdutil.UsageError)) || errorsAs(err, new(checkcmd.RegressionError)) {
		t.Errorf("checkRun error %q (%T) would not exit with status 2", err, err)
	}
}

func TestCheckBase(t *testing.T) {
	t.Setenv("GITHUB_BASE_REF", "")
	o, err := checkFlags(t, "--base", "main", "--budget", "2m")
	if err != nil {
		t.Fatal(err)
	}
	if o.Base != "main" || o.PullRequestBase != "" || !o.Opts.Axes.Empty() {
		t.Errorf("options = %+v", o)
	}
	// In a pull request, a check without a candidate checks against the
	// merge-base with the branch it merges into.
	t.Setenv("GITHUB_BASE_REF", "release-1.2")
	o, err = checkFlags(t, "-C", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if o.PullRequestBase != "release-1.2" || o.Base != "" {
		t.Errorf("in a pull request: options = %+v", o)
	}
	// A candidate of its own wins.
	if o, err = checkFlags(t, "--ldflags", "-s -w"); err != nil || o.PullRequestBase != "" {
		t.Errorf("a candidate in a pull request: %+v, %v", o, err)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
