package binaries

import (
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

func TestBuildKeyOfRevisions(t *testing.T) {
	tg := &target.Target{GoVersion: "go1.26.8", Packages: []target.Package{{ImportPath: "example.com/m"}}}
	host := result.Host{GOOS: "linux", GOARCH: "amd64"}
	v := func(rev, tree string) *result.Variant {
		return &result.Variant{Settings: axis.Settings{"rev": rev, "goamd64": "v1", "pgo": "off"}, Revision: &result.Revision{Rev: rev, Tree: tree}}
	}
	// A revision is keyed by its tree: the name it was given and the
	// worktree's source do not matter.
	if BuildKey("src1", tg, host, v("HEAD~1", "t1")) != BuildKey("src2", tg, host, v("main", "t1")) {
		t.Error("the same tree under two names, or with another worktree, has two keys")
	}
	if BuildKey("src1", tg, host, v("HEAD~1", "t1")) == BuildKey("src1", tg, host, v("HEAD~1", "t2")) {
		t.Error("two trees share a key")
	}
	// The worktree is keyed by the target's source, as a run without
	// revisions is.
	plain := &result.Variant{Settings: axis.Settings{"goamd64": "v1", "pgo": "off"}}
	if BuildKey("src1", tg, host, v("worktree", "")) != BuildKey("src1", tg, host, plain) {
		t.Error("the worktree's build is keyed apart from the same build without revisions")
	}
	if BuildKey("src1", tg, host, v("worktree", "")) == BuildKey("src2", tg, host, v("worktree", "")) {
		t.Error("the worktree's key ignores its source")
	}
}

func TestBuildKeyOfToolchains(t *testing.T) {
	tg := &target.Target{GoVersion: "go1.26.8", Packages: []target.Package{{ImportPath: "example.com/m"}}}
	host := result.Host{GOOS: "linux", GOARCH: "amd64"}
	v := func(tc string) *result.Variant {
		return &result.Variant{Settings: axis.Settings{"toolchain": tc, "goamd64": "v1", "pgo": "off"}}
	}
	if BuildKey("src", tg, host, v("go1.26.8")) == BuildKey("src", tg, host, v("go1.27.3")) {
		t.Error("two toolchains share a build key")
	}
	if BuildKey("src", tg, host, v("go1.27.3")) != BuildKey("src", tg, host, v("go1.27.3")) {
		t.Error("the key of a toolchain's build is not stable")
	}
}
