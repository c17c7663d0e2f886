package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/options"
)

var linuxAMD64 = Platform{GOOS: "linux", GOARCH: "amd64", HostOS: "linux", HostArch: "amd64"}

// TestMakeRefusesForeignPlatform: an env axis value that makes a build for
// another platform (--env GOOS=windows, GOARCH=arm64, or the same in
// gotune.yaml) is refused when the plan is made, before any build (issue
// 11 item 14); the host's own platform is fine.
func TestMakeRefusesForeignPlatform(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts options.Options
		cfg  matrix.Config
		want string // "" = accepted
	}{
		{name: "--env GOOS=windows", opts: options.Options{Axes: axis.Values{"env": {"GOOS=windows"}}},
			want: "env GOOS=windows: builds for windows/amd64, which this machine (linux/amd64) cannot run, and gotune measures builds by running them here: drop GOOS from the env axis (--env or env: in gotune.yaml), or run gotune on a windows/amd64 machine"},
		{name: "--env GOARCH=arm64 beside another value", opts: options.Options{Axes: axis.Values{"env": {"", "GOARCH=arm64 CGO_ENABLED=0"}}},
			want: "builds for linux/arm64, which this machine (linux/amd64) cannot run"},
		{name: "both", opts: options.Options{Axes: axis.Values{"env": {"GOOS=darwin GOARCH=arm64"}}},
			want: "drop GOOS and GOARCH from the env axis"},
		{name: "gotune.yaml env", cfg: matrix.Config{Axes: axis.Values{"env": {"GOARCH=386"}}},
			want: "builds for linux/386, which this machine (linux/amd64) cannot run"},
		{name: "the host's own platform", opts: options.Options{Axes: axis.Values{"env": {"GOOS=linux GOARCH=amd64"}}}},
		{name: "no env axis", opts: options.Options{}},
		{name: "a named variant of gotune.yaml", cfg: matrix.Config{Variants: []matrix.NamedVariant{{Name: "arm", Set: axis.Settings{"env": "GOARCH=arm64"}}}},
			want: "env GOARCH=arm64: builds for linux/arm64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(dir)
			f.Config = tt.cfg
			f.Platform = linuxAMD64
			// Load checks the values before it creates the work dir;
			// Make checks the variants.
			for _, check := range []struct {
				name string
				err  func() error
			}{
				{"CheckEnv", func() error { return f.Platform.CheckEnv(tt.opts, tt.cfg) }},
				{"Make", func() error { _, err := Make(tt.opts, f); return err }},
			} {
				err := check.err()
				if tt.want == "" {
					if err != nil {
						t.Fatalf("%s: err = %v, want none", check.name, err)
					}
					continue
				}
				if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("%s: err = %v, want one line containing %q", check.name, err, tt.want)
				}
				if _, ok := err.(options.InputError); !ok {
					t.Errorf("%s: err %T is not an InputError (exit status 2)", check.name, err)
				}
			}
		})
	}
}

// TestCheckUser: GOOS or GOARCH in the user's environment, or set with go
// env -w, that makes every build one this machine cannot run is refused,
// naming where it comes from and the fix.
func TestCheckUser(t *testing.T) {
	tests := []struct {
		name string
		p    Platform
		env  map[string]string
		want string
	}{
		{name: "the host's platform", p: linuxAMD64},
		{name: "GOOS in the environment", p: Platform{GOOS: "windows", GOARCH: "amd64", HostOS: "linux", HostArch: "amd64"}, env: map[string]string{"GOOS": "windows"},
			want: "GOOS=windows in your environment makes every build a windows/amd64 one, which this machine (linux/amd64) cannot run, and gotune measures builds by running them here: unset GOOS, or run gotune on a windows/amd64 machine"},
		{name: "GOARCH from go env -w", p: Platform{GOOS: "linux", GOARCH: "arm64", HostOS: "linux", HostArch: "amd64"},
			want: "go env GOARCH (set with go env -w) is arm64 and makes every build a linux/arm64 one, which this machine (linux/amd64) cannot run, and gotune measures builds by running them here: run go env -u GOARCH, or run gotune on a linux/arm64 machine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.CheckUser(func(k string) string { return tt.env[k] })
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v,\nwant %s", err, tt.want)
			}
			if _, ok := err.(options.InputError); !ok {
				t.Errorf("err %T is not an InputError (exit status 2)", err)
			}
		})
	}
}

func TestLoadPlatform(t *testing.T) {
	f := &gotool.Fake{}
	f.On("go env GOOS GOARCH GOHOSTOS GOHOSTARCH", func(gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte("windows\namd64\nlinux\namd64\n")}, nil
	})
	p, err := LoadPlatform(context.Background(), f, "/src")
	if err != nil || p != (Platform{GOOS: "windows", GOARCH: "amd64", HostOS: "linux", HostArch: "amd64"}) {
		t.Errorf("LoadPlatform = %+v, %v", p, err)
	}
	if f.Calls[0].Dir != "/src" {
		t.Errorf("go env ran in %q", f.Calls[0].Dir)
	}
	if _, err := LoadPlatform(context.Background(), &gotool.Fake{}, "/src"); err == nil || !strings.Contains(err.Error(), "asking the go command for its platform") {
		t.Errorf("a failing go env: %v", err)
	}
}
