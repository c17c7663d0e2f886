package cli

import (
	"github.com/gotune/gotune/internal/axis"

	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/report"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// savedResult writes a small analysed-looking result to a file and returns
// its path.
func savedResult(t *testing.T) string {
	t.Helper()
	run := &result.Run{
		Module: "example.com/m", GoVersion: "go1.26.8", Baseline: "baseline",
		Host: result.Host{GOOS: "linux", GOARCH: "amd64"},
		Variants: []result.Variant{
			{Name: "baseline", Status: result.StatusOK, Settings: axis.Settings{"goamd64": "v1", "pgo": "auto"}},
			{Name: "goamd64=v3", Status: result.StatusOK, Settings: axis.Settings{"goamd64": "v3", "pgo": "auto"}},
		},
	}
	run.Options.Seed = 7
	for block := 1; block <= 2; block++ {
		run.Blocks = append(run.Blocks, result.Block{Index: block, Cycle: block, Package: "example.com/m", Benchmark: "BenchmarkX", Order: []string{"baseline", "goamd64=v3"}})
		for _, v := range []string{"baseline", "goamd64=v3"} {
			run.Samples = append(run.Samples, result.Sample{Variant: v, Package: "example.com/m", Benchmark: "X", Unit: "sec/op", Block: block, Value: 1e-6})
		}
	}
	run.Analysis = stats.Analyze(run, stats.Options{})
	var buf bytes.Buffer
	if err := result.Encode(&buf, run); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportCommand(t *testing.T) {
	saved := savedResult(t)
	garbage := filepath.Join(t.TempDir(), "bench.txt")
	if err := os.WriteFile(garbage, []byte("BenchmarkX 1 2 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.html")
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		stdout     string // a part of stdout
		stderr     string // a part of stderr
	}{
		{"text", []string{"report", saved}, ExitOK, "#  variant", ""},
		{"markdown", []string{"report", saved, "--format", "markdown"}, ExitOK, "| # | variant |", ""},
		{"benchstat", []string{"report", saved, "--format", "benchstat"}, ExitOK, "goamd64: v3\n", ""},
		{"json", []string{"report", saved, "--format", "json"}, ExitOK, `"seed": 7`, ""},
		{"html to a file", []string{"report", saved, "--format", "html", "-o", out}, ExitOK, "", "report written to " + out},
		{"missing file", []string{"report", filepath.Join(t.TempDir(), "none.json")}, ExitUsage, "", "none.json: no such file: give the path of a result saved with 'gotune run --json FILE'"},
		{"not a result", []string{"report", garbage}, ExitUsage, "", "bench.txt: reading result: invalid JSON at line 1, column 1"},
		{"no file", []string{"report"}, ExitUsage, "", "accepts 1 arg(s), received 0"},
		{"bad format", []string{"report", saved, "--format", "svg"}, ExitUsage, "", `--format "svg": unknown format`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantStatus {
				t.Fatalf("exit status %d, want %d; stderr:\n%s", code, tt.wantStatus, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr.String())
			}
			if tt.wantStatus != ExitOK && (stdout.Len() != 0 || strings.Count(stderr.String(), "\n") != 1) {
				t.Errorf("on error, want nothing on stdout and one line on stderr; got %q and %q", stdout.String(), stderr.String())
			}
		})
	}
	if data, err := os.ReadFile(out); err != nil || !bytes.Contains(data, []byte("<!DOCTYPE html>")) {
		t.Errorf("-o did not write the HTML page: %v", err)
	}
}

func TestRunFormatFlags(t *testing.T) {
	t.Setenv(cmdutil.StepSummaryEnv, "")
	o, err := runFlags(t, "--format", "html", "-o", "r.html", "--baseline-only")
	if err != nil {
		t.Fatal(err)
	}
	if o.Out.Format != report.FormatHTML || o.Out.Output != "r.html" || !o.Opts.BaselineOnly || o.Out.StepSummary != "" {
		t.Errorf("options = %+v", o)
	}
	o, err = runFlags(t)
	if err != nil {
		t.Fatal(err)
	}
	if o.Out.Format != report.FormatText || o.Out.Output != "" || o.Opts.BaselineOnly {
		t.Errorf("default options = %+v", o)
	}
	for _, args := range [][]string{
		{"--format", "yaml"},
		{"--baseline-only", "--goamd64", "v3"},
		{"-o", filepath.Join(t.TempDir(), "missing", "r.md")},
	} {
		if _, err := runFlags(t, args...); err == nil || !errorsAs(err, new(cmdutil.UsageError)) {
			t.Errorf("run %q: err = %v, want a usage error", args, err)
		}
	}
}
