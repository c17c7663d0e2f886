package plan

import (
	"context"
	"fmt"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/options"
)

// Platform is the platform builds target and the one this machine runs,
// as the go command reports them.
type Platform struct {
	// GOOS and GOARCH are what a build targets with no env axis: the
	// go command's default, the user's environment, or go env -w.
	GOOS, GOARCH string
	// HostOS and HostArch are what the go command runs on.
	HostOS, HostArch string
}

// String returns the target platform, e.g. linux/amd64.
func (p Platform) String() string { return p.GOOS + "/" + p.GOARCH }

// Host returns the host platform, e.g. linux/amd64.
func (p Platform) Host() string { return p.HostOS + "/" + p.HostArch }

// LoadPlatform asks the go command in dir, with the user's environment,
// which platform its builds target and which it runs on.
func LoadPlatform(ctx context.Context, r gotool.Runner, dir string) (Platform, error) {
	res, err := r.Run(ctx, gotool.Cmd{Args: []string{"go", "env", "GOOS", "GOARCH", "GOHOSTOS", "GOHOSTARCH"}, Dir: dir})
	if err != nil {
		return Platform{}, fmt.Errorf("asking the go command for its platform: %w", err)
	}
	f := strings.Fields(string(res.Stdout))
	if len(f) != 4 {
		return Platform{}, fmt.Errorf("asking the go command for its platform: go env GOOS GOARCH GOHOSTOS GOHOSTARCH printed %q", res.Stdout)
	}
	return Platform{GOOS: f[0], GOARCH: f[1], HostOS: f[2], HostArch: f[3]}, nil
}

// notRunnable ends the message of a platform this machine cannot run.
const notRunnable = "which this machine (%s) cannot run, and gotune measures builds by running them here"

// CheckUser refuses a target platform that the user's settings choose
// (GOOS or GOARCH in the environment, or set with go env -w) when this
// machine cannot run it: every build would fail its first trial with
// "exec format error". getenv is os.Getenv, which tells the two apart.
func (p Platform) CheckUser(getenv func(string) string) error {
	for _, kv := range [][2]string{{"GOOS", p.GOOS}, {"GOARCH", p.GOARCH}} {
		k, v := kv[0], kv[1]
		host := p.HostOS
		if k == "GOARCH" {
			host = p.HostArch
		}
		if v == host {
			continue
		}
		where, fix := k+"="+v+" in your environment", "unset "+k
		if getenv(k) == "" {
			where, fix = "go env "+k+" (set with go env -w) is "+v+" and", "run go env -u "+k
		}
		return options.Inputf("%s makes every build a %s one, "+notRunnable+": %s, or run gotune on a %s machine", where, p, p.Host(), fix, p)
	}
	return nil
}

// CheckEnv refuses every env axis value of the options and of gotune.yaml
// (its axes and its named variants) that targets a platform this machine
// cannot run, before anything is created or built. Make checks the
// variants again.
func (p Platform) CheckEnv(o options.Options, cfg matrix.Config) error {
	values := cfg.Axes.Override(o.Axes)[axis.Env.Name]
	if !o.BaselineOnly {
		for _, nv := range cfg.Variants {
			if v, ok := nv.Set[axis.Env.Name]; ok {
				values = append(values, v)
			}
		}
	}
	for _, v := range values {
		if err := p.checkEnv(v); err != nil {
			return err
		}
	}
	return nil
}

// checkEnv refuses an env axis value (GOOS or GOARCH in --env or
// gotune.yaml) that targets a platform this machine cannot run. A zero
// Platform (unknown) checks nothing.
func (p Platform) checkEnv(value string) error {
	if p.HostOS == "" {
		return nil
	}
	goos, goarch := p.GOOS, p.GOARCH
	var set []string
	for _, kv := range strings.Fields(value) {
		switch k, val, _ := strings.Cut(kv, "="); k {
		case "GOOS":
			goos, set = val, append(set, k)
		case "GOARCH":
			goarch, set = val, append(set, k)
		}
	}
	if len(set) == 0 || goos == p.HostOS && goarch == p.HostArch {
		return nil
	}
	return options.Inputf("env %s: builds for %s/%s, "+notRunnable+": drop %s from the env axis (--env or env: in gotune.yaml), or run gotune on a %s/%s machine",
		value, goos, goarch, p.Host(), strings.Join(set, " and "), goos, goarch)
}
