package builder

import (
	"github.com/gotune/gotune/internal/axis"

	"context"
	"reflect"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

func TestDecisionArgs(t *testing.T) {
	const mod = "example.com/m"
	head := []string{"go", "test", "-c", "-o", "/tmp/x.test"}
	tests := []struct {
		name string
		s    axis.Settings
		want []string // after head and -pgo, before the package
	}{
		{"no gcflags: the module's packages only",
			axis.Settings{"pgo": "/p/default.pgo"},
			[]string{"-gcflags=example.com/m/...=-m -d=pgodebug=1"}},
		{"all= flags stay on every package; the module's get the debug flags too",
			axis.Settings{"ldflags": "-s -w", "gcflags": "all=-d=pgoinlinebudget=4000", "pgo": "/p/default.pgo"},
			[]string{"-ldflags=-s -w", "-gcflags=all=-d=pgoinlinebudget=4000", "-gcflags=example.com/m/...=-d=pgoinlinebudget=4000 -m -d=pgodebug=1"}},
		{"flags without a pattern stay on the named package",
			axis.Settings{"gcflags": "-N -l", "pgo": "/p/default.pgo"},
			[]string{"-gcflags=example.com/m/...=-m -d=pgodebug=1", "-gcflags=-N -l -m -d=pgodebug=1"}},
		{"another pattern",
			axis.Settings{"gcflags": "./internal/...=-l", "pgo": "/p/default.pgo"},
			[]string{"-gcflags=example.com/m/...=-m -d=pgodebug=1", "-gcflags=./internal/...=-l -m -d=pgodebug=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := append(append(append([]string{}, head...), "-pgo=/p/default.pgo"), append(tt.want, "example.com/m/p")...)
			if got := DecisionArgs(tt.s, "example.com/m/p", mod, "/tmp/x.test"); !reflect.DeepEqual(got, want) {
				t.Errorf("DecisionArgs =\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestBuildLineCollect(t *testing.T) {
	s := axis.Settings{"goamd64": "v1", "pgo": "collect"}
	if got := BuildLine(s, "", "./cmd/x", false); got != "go build '-pgo=<the collected profile>' ./cmd/x" {
		t.Errorf("before collecting: %q", got)
	}
	if got := BuildLine(s, "/w/run/pgo/collected.pprof", "./cmd/x", false); got != "go build -pgo=/w/run/pgo/collected.pprof ./cmd/x" {
		t.Errorf("after collecting: %q", got)
	}
}

func TestFingerprintMatchesBuild(t *testing.T) {
	vs := []result.Variant{{Name: "v3", Settings: axis.Settings{"goamd64": "v3", "pgo": "off"}}}
	pkgs := []string{"example.com/p", "example.com/q"}
	if err := Build(context.Background(), Options{Runner: fakeGo(), BinDir: t.TempDir(), Packages: pkgs}, vs); err != nil {
		t.Fatal(err)
	}
	fp, err := Fingerprint(context.Background(), fakeGo(), "/src", vs[0].Settings, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if fp != VariantFingerprint(vs[0].Builds) {
		t.Errorf("Fingerprint %s differs from the fingerprint of the same build %s", fp, VariantFingerprint(vs[0].Builds))
	}
	other, _ := Fingerprint(context.Background(), fakeGo(), "/src", axis.Settings{"goamd64": "v1", "pgo": "off"}, pkgs)
	if other == fp {
		t.Errorf("v1 and v3 have the same fingerprint")
	}
	if _, err := Fingerprint(context.Background(), fakeGo(), "/src", axis.Settings{"gcflags": "-bogus"}, pkgs); err == nil {
		t.Errorf("a failed compile gave no error")
	}
}

// TestFingerprintTestVariants checks lines of packages compiled for one
// test binary, as go list prints every package under -pgo: the qualifier
// is not part of the code, the content ID after it is.
func TestFingerprintTestVariants(t *testing.T) {
	off := []byte("example.com/p a0/c0\ninternal/goarch a1/c1\nexample.com/p [example.com/p.test] a2/c2\n")
	same := []byte("example.com/p b0/c0\ninternal/goarch [example.com/p.test] b1/c1\nexample.com/p [example.com/p.test] b2/c2\n")
	changed := []byte("example.com/p b0/c0\ninternal/goarch [example.com/p.test] b1/c1\nexample.com/p [example.com/p.test] b2/cX\n")
	s := axis.Settings{}
	if fingerprint(off, s) != fingerprint(same, s) {
		t.Errorf("a PGO build with the code of -pgo=off has another fingerprint")
	}
	if fingerprint(off, s) == fingerprint(changed, s) {
		t.Errorf("a PGO build that changed the test variant's code has the fingerprint of -pgo=off")
	}
}

// TestBuildCompilesBeforeListing checks the order of the two go commands
// of a build: go list -export compiles as if the profile were empty when
// no build has preprocessed it yet, so go test -c must come first.
func TestBuildCompilesBeforeListing(t *testing.T) {
	f := fakeGo()
	vs := []result.Variant{{Name: "pgo", Settings: axis.Settings{"goamd64": "v1", "pgo": "/p/cpu.pprof"}}}
	if err := Build(context.Background(), Options{Runner: f, BinDir: t.TempDir(), Packages: []string{"example.com/p"}}, vs); err != nil {
		t.Fatal(err)
	}
	if len(f.Calls) != 2 || f.Calls[0].Args[1] != "test" || f.Calls[1].Args[1] != "list" {
		t.Errorf("commands = %v, want go test -c, then go list", f.Calls)
	}
}
