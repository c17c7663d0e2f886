package plan

import (
	"context"
	"errors"
	"fmt"
	"go/version"
	"slices"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// A run with the toolchain axis (--go go1.26.8,go1.27.3) builds each
// variant with its Go release: the go command fetches it from the module
// proxy the first time (GOTOOLCHAIN=go1.27.3) and caches it. Before
// anything is built, Make skips a release older than the go line of the
// module's go.mod (the go command refuses it), and CheckToolchains asks
// each other release for its version, which fetches it, and checks every
// GOEXPERIMENT against the toolchains that build with it.

// probeTimeout bounds one go version or go env of a toolchain, which may
// download it (about 76 MB) first.
const probeTimeout = 5 * time.Minute

// ToolchainOf returns the Go release a variant with settings s builds
// with: its toolchain setting, or local (the go command's own).
func ToolchainOf(s axis.Settings, local string) string {
	if tc := s.Get(axis.Toolchain); tc != "" {
		return tc
	}
	return local
}

// olderThanGoLine returns why toolchain tc cannot build a module whose
// go.mod says go modGo, or "" when it can.
func olderThanGoLine(tc, modGo string) string {
	if tc == "" || modGo == "" || version.Compare(tc, "go"+modGo) >= 0 {
		return ""
	}
	return fmt.Sprintf("%s is older than go.mod's go %s line: the go command refuses to build the module with it", tc, modGo)
}

// skipToolchain skips v when its toolchain is older than tg's go line.
func skipToolchain(v *result.Variant, tg *target.Target) {
	if v.Status != result.StatusOK {
		return
	}
	if r := olderThanGoLine(v.Settings.Get(axis.Toolchain), tg.ModGo); r != "" {
		v.Status, v.Reason = result.StatusSkipped, r
	}
}

// baselineToolchainError is the input error of a run whose baseline
// cannot be built with its toolchain: nothing could be compared.
func baselineToolchainError(v result.Variant) error {
	return options.Inputf("--go: the baseline (%s) cannot be built: %s: put first a toolchain that can build the module", v.Name, v.Reason)
}

// CheckToolchains checks, before anything is built, every toolchain the
// plan's variants name (GOTOOLCHAIN=go1.27.3 go version, which fetches it
// when needed): a variant whose toolchain cannot be had is skipped with
// the go command's reason. Then every GOEXPERIMENT a variant builds with
// is checked with its toolchain (go env GOEXPERIMENT): an experiment no
// toolchain of the run knows is an input error (a typo), one that only
// some know skips the variants of the others. It records the toolchains
// in p.Toolchains. A baseline skipped so is an input error.
func CheckToolchains(ctx context.Context, r gotool.Runner, p *Plan) error {
	dir := p.Target.Dir
	probed := map[string]*result.Toolchain{}
	for i := range p.Variants {
		v := &p.Variants[i]
		tc := v.Settings.Get(axis.Toolchain)
		if tc == "" {
			continue
		}
		t, ok := probed[tc]
		if !ok {
			if old := olderThanGoLine(tc, p.TargetOf(v).ModGo); old != "" {
				t = &result.Toolchain{Version: tc, Error: old} // not fetched: it could not build the module
			} else if t = probeToolchain(ctx, r, dir, tc); ctx.Err() != nil {
				return ctx.Err()
			}
			probed[tc] = t
			p.Toolchains = append(p.Toolchains, *t)
		}
		if v.Status == result.StatusOK && t.Error != "" {
			v.Status, v.Reason = result.StatusSkipped, t.Error
		}
	}
	if err := checkExperiments(ctx, r, p); err != nil {
		return err
	}
	if base := p.Variants[0]; base.Status != result.StatusOK && len(p.Toolchains) > 0 {
		return baselineToolchainError(base)
	}
	return nil
}

// probeToolchain runs go version under GOTOOLCHAIN=tc.
func probeToolchain(ctx context.Context, r gotool.Runner, dir, tc string) *result.Toolchain {
	t := &result.Toolchain{Version: tc}
	start := time.Now()
	res, err := r.Run(ctx, gotool.Cmd{Args: []string{"go", "version"}, Dir: dir, Env: []string{"GOTOOLCHAIN=" + tc}, Timeout: probeTimeout})
	t.Seconds = time.Since(start).Seconds()
	t.GoVersion = strings.TrimSpace(string(res.Stdout))
	switch {
	case err != nil:
		t.Error = fmt.Sprintf("%s cannot be had: %s", tc, goMessage(err))
	case !slices.Contains(strings.Fields(t.GoVersion), tc):
		t.Error = fmt.Sprintf("GOTOOLCHAIN=%s go version reports %q, not %s", tc, t.GoVersion, tc)
	}
	return t
}

// checkExperiments checks the GOEXPERIMENT of every variant with its
// toolchain.
func checkExperiments(ctx context.Context, r gotool.Runner, p *Plan) error {
	type pair struct{ tc, exp string }
	known := map[pair]string{} // → the go command's error, "" when it knows it
	tried := map[string][]string{}
	var order []string
	for i := range p.Variants {
		v := &p.Variants[i]
		exp, _, err := v.Settings.GOEXPERIMENTOf()
		if err != nil {
			return options.Inputf("variant %s: %v", v.Name, err)
		}
		if exp == "" || v.Status != result.StatusOK {
			continue
		}
		tc := v.Settings.Get(axis.Toolchain)
		k := pair{tc, exp}
		msg, ok := known[k]
		if !ok {
			env := []string{"GOEXPERIMENT=" + exp}
			if tc != "" {
				env = append(env, "GOTOOLCHAIN="+tc)
			}
			_, err := r.Run(ctx, gotool.Cmd{Args: []string{"go", "env", "GOEXPERIMENT"}, Dir: p.Target.Dir, Env: env, Timeout: probeTimeout})
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				msg = goMessage(err)
			}
			known[k] = msg
			if _, seen := tried[exp]; !seen {
				order = append(order, exp)
			}
			tried[exp] = append(tried[exp], tc)
		}
		if msg != "" {
			v.Status, v.Reason = result.StatusSkipped, fmt.Sprintf("%s does not know GOEXPERIMENT=%s (%s)", cmpOr(tc, p.Target.GoVersion), exp, msg)
		}
	}
	for _, exp := range order {
		var msgs []string
		for _, tc := range tried[exp] {
			if m := known[pair{tc, exp}]; m != "" {
				msgs = append(msgs, fmt.Sprintf("%s: %s", cmpOr(tc, p.Target.GoVersion), m))
			}
		}
		if len(msgs) == len(tried[exp]) {
			return options.Inputf("GOEXPERIMENT=%s is unknown to every toolchain of the run (%s): check its spelling; 'gotune run --goexperiment <TAB>' lists the usual ones", exp, strings.Join(msgs, "; "))
		}
	}
	return nil
}

// goMessage returns a failed go command's message on one line.
func goMessage(err error) string {
	var ge *gotool.Error
	if errors.As(err, &ge) {
		if ge.TimedOut {
			return fmt.Sprintf("no answer within %s (is the Go module proxy reachable?)", probeTimeout)
		}
		if m := target.GoMessage(ge.Stderr); m != "" {
			return m
		}
	}
	return err.Error()
}
