package checkcmd

import (
	"os"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/cli/cmdutil"
)

// checkResult decides on a saved result without measuring anything
// (check --result FILE): a merged result of shards, or any run's.
func checkResult(f *cmdutil.Factory, opts *CheckOptions, given []string) error {
	given = slices.DeleteFunc(given, func(n string) bool { return n == "--result" || n == "--max-regression" })
	if len(given) > 0 {
		return cmdutil.Usagef("--result decides on a saved result, measuring nothing: drop %s", strings.Join(given, " "))
	}
	run, err := cmdutil.LoadResult(opts.Result, os.Stdin)
	if err != nil {
		return cmdutil.Usagef("--result %v", err)
	}
	if run.Analysis == nil {
		return cmdutil.Usagef("--result %s has no analysis: give a finished run's result or gotune merge's", opts.Result)
	}
	return reportCheck(f, opts, check.Evaluate(run, check.Options{MaxRegression: opts.MaxRegression}))
}
