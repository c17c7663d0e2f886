// Package shared holds what the pgo commands share (in the style of the
// GitHub CLI's pkg/cmd/pr/shared): the mapping of pgo errors to exit
// statuses, the work dir, and the profiling of the baseline's benchmarks
// that pgo collect and pgo refresh --collect both do.
package shared

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/pgo"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/target"
)

// Classify maps pgo errors to exit statuses.
func Classify(err error) error {
	var te *target.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w", cmdutil.ErrInterrupted)
	case errors.As(err, new(pgo.InputError)), errors.As(err, &te), errors.As(err, new(cmdutil.UsageError)):
		return cmdutil.UsageError{Err: err}
	}
	return err
}

// OrDotDir returns d, or "." when d is "".
func OrDotDir(d string) string {
	if d == "" {
		return "."
	}
	return d
}

// RelTo returns path relative to root when inside it.
func RelTo(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

// WorkDir returns the work dir of the pgo commands: dir when given,
// else the module's default; never inside the module.
func WorkDir(dir, moduleRoot, module string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = plan.WorkDir("", moduleRoot, module); err != nil {
			return "", err
		}
	}
	return pgo.OutsideModule("--workdir", dir, moduleRoot)
}

// CheckBenchtime checks the value of a benchtime flag, as a usage error
// naming flag.
func CheckBenchtime(flag, benchtime string) error {
	if _, err := matrix.ParseBenchtime(benchtime); err != nil {
		return cmdutil.Usagef("%s: %v", flag, err)
	}
	return nil
}

// CollectOptions say how to profile the baseline's benchmarks.
type CollectOptions struct {
	Bench     string
	Benchtime string
	Count     int
	Timeout   time.Duration // 0 = pgo.CollectTimeout of the benchtime and the most benchmarks of a package
	OutDir    string
}

// Collect profiles the benchmarks of every package of tg, built the way
// a plain 'go build' would (the baseline), and returns the raw profiles
// and the baseline's settings.
func Collect(ctx context.Context, f *cmdutil.Factory, tg *target.Target, o CollectOptions) ([]pgo.Raw, axis.Settings, error) {
	var pkgs []pgo.BenchPackage
	most := 0
	for _, p := range tg.Packages {
		pkgs = append(pkgs, pgo.BenchPackage{ImportPath: p.ImportPath, Dir: p.Dir})
		most = max(most, len(p.Benchmarks))
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = pgo.CollectTimeout(o.Benchtime, most)
	}
	base := plan.BaselineSettings(tg)
	raws, err := pgo.Collect(ctx, pgo.CollectOptions{
		Runner: f.Runner, Dir: tg.Dir, Packages: pkgs, Settings: base,
		Bench: o.Bench, Benchtime: o.Benchtime, Count: o.Count, Timeout: timeout,
		OutDir: o.OutDir, Log: f.Stderr,
		Provenance: pgo.Provenance{Tool: "gotune " + f.Version, GoVersion: tg.GoVersion, Module: tg.Module, Commit: pgo.Commit(ctx, f.Runner, tg.ModuleRoot)},
	})
	return raws, base, err
}

// CheckMergeFlags checks the merge flags pgo merge and pgo refresh share:
// --keep, a share of CPU in (0, 1], and --ignore, a regular expression.
func CheckMergeFlags(keep float64, ignore string) error {
	if keep <= 0 || keep > 1 {
		return cmdutil.Usagef("--keep %g: want a share of CPU in (0, 1], e.g. 0.995 (1 keeps every sample)", keep)
	}
	if _, err := regexp.Compile(ignore); err != nil {
		return cmdutil.Usagef("--ignore %q is not a valid regular expression: %v", ignore, err)
	}
	return nil
}
