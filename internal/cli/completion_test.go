package cli

import (
	"bytes"
	"context"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// gotune runs the command line with args and returns its exit status,
// stdout and stderr. Nothing it is given here measures anything.
func gotune(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestLongFlagWithOneDash checks the hint for a long flag typed with one
// dash, which pflag reads as shorthand flags.
func TestLongFlagWithOneDash(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // the whole stderr
	}{
		{"count", []string{"run", "-count", "10"}, "gotune: unknown shorthand flag: 'c' in -count: long flags take two dashes: --count\n"},
		{"with a value", []string{"run", "-count=10"}, "gotune: unknown shorthand flag: 'c' in -count=10: long flags take two dashes: --count\n"},
		{"report format", []string{"report", "-format", "html", "r.json"}, "gotune: unknown shorthand flag: 'f' in -format: long flags take two dashes: --format\n"},
		{"inherited chdir", []string{"check", "-chdir", "x"}, "gotune: unknown shorthand flag: 'c' in -chdir: long flags take two dashes: --chdir\n"},
		{"not a flag at all", []string{"run", "-x"}, "gotune: unknown shorthand flag: 'x' in -x (see 'gotune run --help')\n"},
		{"a real shorthand", []string{"run", "-zz"}, "gotune: unknown shorthand flag: 'z' in -zz (see 'gotune run --help')\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := gotune(tt.args...)
			if code != ExitUsage || out != "" || errs != tt.want {
				t.Errorf("gotune %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), code, out, errs, tt.want)
			}
		})
	}
}

// TestVersionFlag checks that --version prints what `gotune version` does.
func TestVersionFlag(t *testing.T) {
	want := "gotune " + Version + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errs := gotune(args...)
		if code != 0 || out != want || errs != "" {
			t.Errorf("gotune %s: exit %d, stdout %q, stderr %q; want %q", args[0], code, out, errs, want)
		}
	}
}

// TestFlagCompletion asks for completions the way the shell scripts of
// `gotune completion` do (the hidden __complete command).
func TestFlagCompletion(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      []string // the values, without descriptions
		directive cobra.ShellCompDirective
	}{
		{"format", []string{"report", "r.json", "--format", ""}, []string{"text", "markdown", "html", "json", "benchstat"}, cobra.ShellCompDirectiveNoFileComp},
		{"format prefix", []string{"run", "--format", "m"}, []string{"markdown"}, cobra.ShellCompDirectiveNoFileComp},
		{"check format", []string{"check", "--format", "j"}, []string{"json"}, cobra.ShellCompDirectiveNoFileComp},
		{"goamd64", []string{"run", "--goamd64", ""}, []string{"v1", "v2", "v3", "v4"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace},
		{"goamd64 list", []string{"matrix", "--goamd64", "v1,v"}, []string{"v1,v1", "v1,v2", "v1,v3", "v1,v4"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace},
		{"pgo", []string{"run", "--pgo", "off,a"}, []string{"off,auto"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace},
		{"pgo file", []string{"check", "--pgo", "profiles/"}, nil, cobra.ShellCompDirectiveDefault},
		{"search", []string{"run", "--search", ""}, []string{"grid", "screen"}, cobra.ShellCompDirectiveNoFileComp},
		{"goexperiment", []string{"run", "--goexperiment", "nog"}, []string{"nogreenteagc"}, cobra.ShellCompDirectiveNoFileComp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := gotune(append([]string{cobra.ShellCompRequestCmd}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			var got []string
			for _, l := range lines[:len(lines)-1] {
				v, desc, _ := strings.Cut(l, "\t")
				if desc == "" {
					t.Errorf("completion %q has no description", v)
				}
				got = append(got, v)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("completions %q, want %q", got, tt.want)
			}
			if d := lines[len(lines)-1]; d != ":"+strconv.Itoa(int(tt.directive)) {
				t.Errorf("directive %s, want :%d", d, tt.directive)
			}
		})
	}
	// The completion command writes a script for each shell.
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, errs := gotune("completion", shell)
		if code != 0 || !strings.Contains(out, "gotune") || errs != "" {
			t.Errorf("gotune completion %s: exit %d, %d bytes, stderr %q", shell, code, len(out), errs)
		}
	}
}

// TestHelpPlaceholders checks that every flag that takes a value names
// it with a backquoted word in its usage, so that --help shows
// "--workdir dir", never the pflag type ("--workdir string",
// "--env stringArray").
func TestHelpPlaceholders(t *testing.T) {
	root := NewRootCmd(&Factory{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	typeNames := regexp.MustCompile(`^(string|stringArray|stringSlice|strings|int|int64|uint|float|float64|duration|bool)$`)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			if f.Hidden || f.Value.Type() == "bool" {
				return
			}
			name, _ := pflag.UnquoteUsage(f)
			if !strings.Contains(f.Usage, "`") || typeNames.MatchString(name) {
				t.Errorf("%s --%s: its usage %q names no value in backquotes: --help shows %q", c.CommandPath(), f.Name, f.Usage, name)
			}
		}
		c.LocalFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
