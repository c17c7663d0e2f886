// Package completion holds the shell completion of flag values and the
// hint for a long flag typed with one dash.
package completion

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/report"
)

// completions are the values the shell completion of `gotune completion`
// offers for flags, by flag name, each with a short description. A flag
// whose values form a comma-separated list completes its last item.
var completions = map[string]struct {
	values []string // "value\tdescription"
	list   bool     // a comma-separated list
	files  bool     // a file name is a value too
}{
	"format":  {values: formatCompletions()},
	"goamd64": {list: true, values: goamd64Completions()},
	"pgo": {list: true, files: true, values: []string{
		axis.PGOOff + "\tbuild without a profile",
		axis.PGOAuto + "\tthe main package's default.pgo (the go command's default)",
		axis.PGOCollect + "\ta profile collected from the baseline's benchmarks",
	}},
	"goexperiment": {values: axis.GOEXPERIMENTPresets},
	"search": {values: []string{
		options.SearchGrid + "\tbuild and measure every variant",
		options.SearchScreen + "\tone axis at a time from the baseline, then the best values combined",
	}},
}

// goamd64Completions returns the GOAMD64 levels with the instructions
// each adds.
func goamd64Completions() []string {
	what := map[string]string{
		"v1": "baseline x86-64 (Go's default)",
		"v2": "v1 + SSE3, SSE4.1, SSE4.2, POPCNT, CMPXCHG16B",
		"v3": "v2 + AVX, AVX2, BMI1, BMI2, FMA, LZCNT, MOVBE",
		"v4": "v3 + AVX-512F, BW, CD, DQ, VL",
	}
	var out []string
	for _, l := range builder.Levels {
		out = append(out, l+"\t"+what[l])
	}
	return out
}

// formatCompletions returns the report formats with what each is for.
func formatCompletions() []string {
	what := map[report.Format]string{
		report.FormatText:      "the terminal report",
		report.FormatMarkdown:  "a pull-request comment or $GITHUB_STEP_SUMMARY",
		report.FormatHTML:      "one self-contained page with charts",
		report.FormatJSON:      "the whole result, for machines",
		report.FormatBenchstat: "every sample, for benchstat",
	}
	var out []string
	for _, f := range report.Formats {
		out = append(out, string(f)+"\t"+what[f])
	}
	return out
}

// RegisterCompletions registers the value completions of every command
// under c that has one of the flags in completions.
func RegisterCompletions(c *cobra.Command) {
	for name, comp := range completions {
		if c.Flags().Lookup(name) == nil {
			continue
		}
		_ = c.RegisterFlagCompletionFunc(name, func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return completeValues(comp.values, comp.list, comp.files, toComplete)
		})
	}
	for _, sub := range c.Commands() {
		RegisterCompletions(sub)
	}
}

// completeValues returns the values that complete toComplete. For a list,
// the items before the last comma stay as typed and the last one is
// completed, without a space after it so that another item can follow. A
// flag that takes file names too lets the shell complete them when no
// value matches.
func completeValues(values []string, list, files bool, toComplete string) ([]string, cobra.ShellCompDirective) {
	prefix, last := "", toComplete
	if list {
		if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
			prefix, last = toComplete[:i+1], toComplete[i+1:]
		}
	}
	var out []string
	for _, v := range values {
		if strings.HasPrefix(v, last) {
			out = append(out, prefix+v)
		}
	}
	directive := cobra.ShellCompDirectiveNoFileComp
	if list {
		directive |= cobra.ShellCompDirectiveNoSpace
	}
	if files && len(out) == 0 {
		directive = cobra.ShellCompDirectiveDefault
	}
	return out, directive
}

// LongFlagHint says how to fix a flag error caused by a long flag typed
// with one dash (-count 10): pflag reads it as shorthand flags and fails
// on the first letter. It returns "" when err is not such an error.
func LongFlagHint(c *cobra.Command, err error) string {
	msg := err.Error()
	const prefix = "unknown shorthand flag: "
	_, rest, ok := strings.Cut(msg, prefix)
	if !ok {
		return ""
	}
	_, word, ok := strings.Cut(rest, " in -")
	if !ok {
		return ""
	}
	word, _, _ = strings.Cut(word, "=")
	if word == "" || strings.HasPrefix(word, "-") {
		return ""
	}
	if c.Flags().Lookup(word) == nil && c.InheritedFlags().Lookup(word) == nil {
		return ""
	}
	return "long flags take two dashes: --" + word
}
