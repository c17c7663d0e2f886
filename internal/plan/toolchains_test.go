package plan

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/options"
)

// fakeToolchains answers go version and go env GOEXPERIMENT as a machine
// where go1.27.3 can be had, go1.99.1 cannot, and only go1.27.3 knows the
// mapsplitgroup experiment.
func fakeToolchains() *gotool.Fake {
	f := &gotool.Fake{}
	envOf := func(c gotool.Cmd, k string) string {
		for _, e := range c.Env {
			if v, ok := strings.CutPrefix(e, k+"="); ok {
				return v
			}
		}
		return ""
	}
	f.On("go version", func(c gotool.Cmd) (gotool.Result, error) {
		switch tc := envOf(c, "GOTOOLCHAIN"); tc {
		case "go1.27.3", "go1.26.8":
			return gotool.Result{Stdout: []byte("go version " + tc + " linux/amd64\n")}, nil
		case "go1.27.1":
			return gotool.Result{Stdout: []byte("go version go1.26.8 linux/amd64\n")}, nil
		default:
			return gotool.Result{}, &gotool.Error{Cmd: c, ExitCode: 1, Stderr: "go: downloading " + tc + " (linux/amd64)\ngo: download " + tc + " for linux/amd64: toolchain not available\n"}
		}
	})
	f.On("go env GOEXPERIMENT", func(c gotool.Cmd) (gotool.Result, error) {
		exp := envOf(c, "GOEXPERIMENT")
		if exp == "mapsplitgroup" && envOf(c, "GOTOOLCHAIN") == "go1.27.3" || exp == "nogreenteagc" {
			return gotool.Result{Stdout: []byte(exp + "\n")}, nil
		}
		return gotool.Result{}, &gotool.Error{Cmd: c, ExitCode: 2, Stderr: "go: unknown GOEXPERIMENT " + exp + "\n"}
	})
	return f
}

func makeToolchains(t *testing.T, axes axis.Values, modGo string) (*Plan, error) {
	t.Helper()
	f := facts(t.TempDir())
	f.Target.ModGo = modGo
	p, err := Make(options.Options{Axes: axes}, f)
	if err != nil {
		return nil, err
	}
	return p, CheckToolchains(context.Background(), fakeToolchains(), p)
}

func TestToolchains(t *testing.T) {
	p, err := makeToolchains(t, axis.Values{"toolchain": {"go1.26.8", "go1.27.3", "go1.99.1", "go1.21.13", "go1.27.1"}, "pgo": {"off"}}, "1.22")
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, v := range p.Variants {
		status[v.Settings.Get(axis.Toolchain)] = v.Status + ": " + v.Reason
	}
	want := map[string]string{
		"go1.26.8":  "ok: ",
		"go1.27.3":  "ok: ",
		"go1.99.1":  "skipped: go1.99.1 cannot be had: go: download go1.99.1 for linux/amd64: toolchain not available",
		"go1.21.13": "skipped: go1.21.13 is older than go.mod's go 1.22 line: the go command refuses to build the module with it",
		"go1.27.1":  `skipped: GOTOOLCHAIN=go1.27.1 go version reports "go version go1.26.8 linux/amd64", not go1.27.1`,
	}
	for tc, w := range want {
		if status[tc] != w {
			t.Errorf("%s: %q, want %q", tc, status[tc], w)
		}
	}
	var checked []string
	for _, tc := range p.Toolchains {
		checked = append(checked, tc.Version)
		if (tc.Error == "") != (tc.Version == "go1.26.8" || tc.Version == "go1.27.3") || tc.Version == "go1.27.3" && tc.GoVersion != "go version go1.27.3 linux/amd64" {
			t.Errorf("toolchain %+v", tc)
		}
	}
	if !slices.Equal(checked, []string{"go1.26.8", "go1.27.3", "go1.99.1", "go1.21.13", "go1.27.1"}) {
		t.Errorf("toolchains %q", checked)
	}
	// The old one is refused without being fetched.
	for _, v := range p.Variants {
		if v.Settings.Get(axis.Toolchain) == "go1.26.8" && !strings.Contains(v.BuildLine, "GOTOOLCHAIN=go1.26.8 go build") {
			t.Errorf("build line %q", v.BuildLine)
		}
	}
}

func TestToolchainsNotFetchedWhenOld(t *testing.T) {
	f := facts(t.TempDir())
	f.Target.ModGo = "1.22"
	p, err := Make(options.Options{Axes: axis.Values{"toolchain": {"go1.27.3", "go1.21.13"}}}, f)
	if err != nil {
		t.Fatal(err)
	}
	r := fakeToolchains()
	if err := CheckToolchains(context.Background(), r, p); err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Calls {
		if slices.Contains(c.Env, "GOTOOLCHAIN=go1.21.13") {
			t.Errorf("an old toolchain was fetched: %s", c)
		}
	}
}

func TestToolchainErrors(t *testing.T) {
	tests := []struct {
		name string
		axes axis.Values
		want string
	}{
		{"baseline older than the go line", axis.Values{"toolchain": {"go1.21.13", "go1.27.3"}}, "--go: the baseline (baseline) cannot be built: go1.21.13 is older than go.mod's go 1.22 line"},
		{"baseline cannot be had", axis.Values{"toolchain": {"go1.99.1", "go1.27.3"}}, "cannot be built: go1.99.1 cannot be had: go: download go1.99.1"},
		{"experiment unknown everywhere", axis.Values{"goexperiment": {"", "greentea"}}, "GOEXPERIMENT=greentea is unknown to every toolchain of the run (go1.26.8: go: unknown GOEXPERIMENT greentea): check its spelling"},
		{"set twice", axis.Values{"goexperiment": {"nogreenteagc"}, "env": {"GOEXPERIMENT=nogreenteagc"}}, "GOEXPERIMENT is set twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := makeToolchains(t, tt.axes, "1.22")
			var ie options.InputError
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &ie) {
				t.Errorf("error %v, want an input error with %q", err, tt.want)
			}
		})
	}
}

func TestExperimentsPerToolchain(t *testing.T) {
	p, err := makeToolchains(t, axis.Values{"toolchain": {"go1.26.8", "go1.27.3"}, "goexperiment": {"", "mapsplitgroup", "nogreenteagc"}, "pgo": {"off"}}, "1.22")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range p.Variants {
		got[v.Settings.Get(axis.Toolchain)+" "+v.Settings.Get(axis.PGO)+" "+v.Settings.Get(axis.GOEXPERIMENT)] = v.Status + ": " + v.Reason
	}
	for name, w := range got {
		switch {
		case name == "go1.26.8 off mapsplitgroup":
			if w != "skipped: go1.26.8 does not know GOEXPERIMENT=mapsplitgroup (go: unknown GOEXPERIMENT mapsplitgroup)" {
				t.Errorf("%s: %s", name, w)
			}
		case w != "ok: ":
			t.Errorf("%s: %s", name, w)
		}
	}
	if len(got) != 7 {
		t.Errorf("variants %q", got)
	}
}

func TestToolchainsFromConfig(t *testing.T) {
	cfg, err := matrix.Parse("gotune.yaml", []byte("axes:\n  toolchain: [go1.26.8, 1.27.3]\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := facts(t.TempDir())
	f.Config = cfg
	p, err := Make(options.Options{}, f)
	if err != nil {
		t.Fatal(err)
	}
	var tcs []string
	for _, v := range p.Variants {
		tcs = append(tcs, v.Settings.Get(axis.Toolchain))
	}
	if !slices.Contains(tcs, "go1.27.3") || tcs[0] != "go1.26.8" {
		t.Errorf("toolchains %q", tcs)
	}
}
