package builder

import (
	"github.com/gotune/gotune/internal/axis"

	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
)

func TestTestArgs(t *testing.T) {
	tests := []struct {
		name string
		s    axis.Settings
		want []string
	}{
		{"plain", axis.Settings{"goamd64": "v1", "pgo": "off"},
			[]string{"go", "test", "-c", "-o", "/w/p.test", "-pgo=off", "./p"}},
		{"all flags", axis.Settings{"goamd64": "v3", "ldflags": "-s -w", "gcflags": "all=-N -l", "pgo": "/r/default.pgo"},
			[]string{"go", "test", "-c", "-o", "/w/p.test", "-pgo=/r/default.pgo", "-ldflags=-s -w", "-gcflags=all=-N -l", "./p"}},
		{"empty pgo means off", axis.Settings{},
			[]string{"go", "test", "-c", "-o", "/w/p.test", "-pgo=off", "./p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TestArgs(tt.s, "./p", "/w/p.test"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("TestArgs = %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestListArgsShareBuildFlags(t *testing.T) {
	s := axis.Settings{"gcflags": "all=-l", "pgo": "off"}
	got := ListArgs(s, "./p")
	if got[0] != "go" || got[1] != "list" || got[len(got)-1] != "./p" || got[len(got)-2] != "-gcflags=all=-l" || got[len(got)-3] != "-pgo=off" {
		t.Errorf("ListArgs = %q", got)
	}
}

func TestEnv(t *testing.T) {
	got := Env(axis.Settings{"goamd64": "v2", "env": "GOEXPERIMENT=greenteagc"})
	want := []string{"GOAMD64=v2", "GOEXPERIMENT=greenteagc"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Env = %q, want %q", got, want)
	}
}

func TestBuildLine(t *testing.T) {
	tests := []struct {
		name       string
		s          axis.Settings
		pgoDefault bool
		want       string
	}{
		{"plain", axis.Settings{"goamd64": "v1", "pgo": "auto"}, false, "go build ./cmd/x"},
		{"v3 stripped", axis.Settings{"goamd64": "v3", "ldflags": "-s -w", "pgo": "off"}, false, "GOAMD64=v3 go build '-ldflags=-s -w' ./cmd/x"},
		{"pgo off over a default.pgo", axis.Settings{"goamd64": "v1", "pgo": "off"}, true, "go build -pgo=off ./cmd/x"},
		{"profile path", axis.Settings{"goamd64": "v2", "gcflags": "all=-l", "pgo": "prof/cpu.pprof"}, true, "GOAMD64=v2 go build -gcflags=all=-l -pgo=prof/cpu.pprof ./cmd/x"},
		{"env", axis.Settings{"goamd64": "v1", "pgo": "auto", "env": "GOEXPERIMENT=greenteagc"}, false, "GOEXPERIMENT=greenteagc go build ./cmd/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BuildLine(tt.s, "", "./cmd/x", tt.pgoDefault); got != tt.want {
				t.Errorf("BuildLine = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	list := func(ids ...string) []byte {
		var b strings.Builder
		for i, id := range ids {
			b.WriteString([]string{"runtime ", "example.com/p ", "example.com/p.test "}[i] + id + "\n")
		}
		return []byte(b.String())
	}
	base := fingerprint(list("a1/c1", "a2/c2", "a3/c3"), axis.Settings{})
	tests := []struct {
		name string
		fp   string
		same bool
	}{
		{"other action IDs, same content (e.g. -s -w)", fingerprint(list("x1/c1", "x2/c2", "x3/c3"), axis.Settings{"ldflags": "-s -w"}), true},
		{"compiled code differs", fingerprint(list("a1/c1", "a2/cX", "a3/c3"), axis.Settings{}), false},
		{"-X changes behaviour", fingerprint(list("a1/c1", "a2/c2", "a3/c3"), axis.Settings{"ldflags": "-X main.mode=slow"}), false},
		{"extra env", fingerprint(list("a1/c1", "a2/c2", "a3/c3"), axis.Settings{"env": "GOEXPERIMENT=x"}), false},
	}
	for _, tt := range tests {
		if (tt.fp == base) != tt.same {
			t.Errorf("%s: same = %v, want %v", tt.name, tt.fp == base, tt.same)
		}
	}
}

// fakeGo answers go list with content IDs that depend only on the settings
// that change code, and go test -c by writing a binary, failing for a gcflag
// the compiler would reject.
func fakeGo() *gotool.Fake {
	f := &gotool.Fake{}
	f.On("go list", func(c gotool.Cmd) (gotool.Result, error) {
		line := strings.Join(c.Args, " ") + " " + strings.Join(c.Env, " ")
		if strings.Contains(line, "-gcflags=-bogus") {
			return gotool.Result{}, &gotool.Error{Cmd: c, ExitCode: 1, Stderr: "flag provided but not defined: -bogus\nusage: compile [options] file.go..."}
		}
		content := "c"
		if strings.Contains(line, "GOAMD64=v3") {
			content += "3"
		}
		return gotool.Result{Stdout: []byte("example.com/p.test " + strings.ReplaceAll(line, "/", "_") + "/" + content + "\n")}, nil
	})
	f.On("go test -c", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{}, os.WriteFile(c.Args[4], []byte("binary"), 0o755)
	})
	return f
}

func TestBuild(t *testing.T) {
	vs := []result.Variant{
		{Name: "baseline", Settings: axis.Settings{"goamd64": "v1", "pgo": "off"}},
		{Name: "strip", Settings: axis.Settings{"goamd64": "v1", "ldflags": "-s -w", "pgo": "off"}},
		{Name: "v3", Settings: axis.Settings{"goamd64": "v3", "pgo": "off"}},
		{Name: "bad", Settings: axis.Settings{"goamd64": "v1", "gcflags": "-bogus", "pgo": "off"}},
		{Name: "v4", Settings: axis.Settings{"goamd64": "v4"}, Status: result.StatusSkipped, Reason: "cpu"},
	}
	f := fakeGo()
	err := Build(context.Background(), Options{Runner: f, Dir: "/src", BinDir: t.TempDir(), Packages: []string{"example.com/p"}, Dedupe: true}, vs)
	if err != nil {
		t.Fatal(err)
	}
	if vs[1].SameCodeAs != "baseline" || vs[2].SameCodeAs != "" || vs[0].SameCodeAs != "" {
		t.Errorf("SameCodeAs = %q %q %q, want baseline for strip only", vs[0].SameCodeAs, vs[1].SameCodeAs, vs[2].SameCodeAs)
	}
	if vs[3].Status != result.StatusBuildFailed || !strings.Contains(vs[3].Reason, "-bogus") {
		t.Errorf("bad variant: status %q reason %q", vs[3].Status, vs[3].Reason)
	}
	if vs[4].Status != result.StatusSkipped || len(vs[4].Builds) != 0 {
		t.Errorf("skipped variant was built: %+v", vs[4])
	}
	if vs[0].Builds[0].Size != int64(len("binary")) {
		t.Errorf("size = %d", vs[0].Builds[0].Size)
	}
	for _, c := range f.Calls {
		if c.Dir != "/src" {
			t.Errorf("%v ran in %q, want the target directory", c.Args, c.Dir)
		}
	}
}

func TestBuildNoDedupe(t *testing.T) {
	vs := []result.Variant{
		{Name: "a", Settings: axis.Settings{"goamd64": "v1", "pgo": "off"}},
		{Name: "b", Settings: axis.Settings{"goamd64": "v1", "pgo": "off"}},
	}
	if err := Build(context.Background(), Options{Runner: fakeGo(), BinDir: t.TempDir(), Packages: []string{"example.com/p"}}, vs); err != nil {
		t.Fatal(err)
	}
	if vs[1].SameCodeAs != "" {
		t.Errorf("with dedupe off, b.SameCodeAs = %q", vs[1].SameCodeAs)
	}
	if vs[0].Builds[0].Binary == vs[1].Builds[0].Binary {
		t.Errorf("two variants share the binary path %s", vs[0].Builds[0].Binary)
	}
}

func TestCPULevelIsAmongLevels(t *testing.T) {
	l := CPULevel()
	if l != "" && levelIndex(l) < 0 {
		t.Errorf("CPULevel() = %q", l)
	}
}

func TestBinaryName(t *testing.T) {
	all := []string{"example.com/m/a/util", "example.com/m/b/util", "example.com/m/api"}
	tests := map[string]string{
		"example.com/m/api":    "api.test",
		"example.com/m/a/util": "example.com_m_a_util.test",
		"example.com/m/b/util": "example.com_m_b_util.test",
	}
	for pkg, want := range tests {
		if got := binaryName(pkg, all); got != want {
			t.Errorf("binaryName(%s) = %s, want %s", pkg, got, want)
		}
	}
}

func TestBuildRevisionInItsSource(t *testing.T) {
	vs := []result.Variant{
		{Name: "baseline", Settings: axis.Settings{"rev": "HEAD~1", "pgo": "off"}, Revision: &result.Revision{Rev: "HEAD~1", Tree: "t1", Dir: "/work/src/t1"}},
		{Name: "rev=worktree", Settings: axis.Settings{"rev": "worktree", "pgo": "off"}, Revision: &result.Revision{Rev: "worktree", Dir: "/src"}},
	}
	f := fakeGo()
	if err := Build(context.Background(), Options{Runner: f, Dir: "/src", BinDir: t.TempDir(), Packages: []string{"example.com/p"}}, vs); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for _, c := range f.Calls {
		dirs[c.Dir] = true
		if strings.Contains(strings.Join(c.Args, " "), "HEAD~1") {
			t.Errorf("%v: the revision leaked into the go command", c.Args)
		}
	}
	if !dirs["/work/src/t1"] || !dirs["/src"] || len(dirs) != 2 {
		t.Errorf("the go command ran in %v, want each revision's directory", dirs)
	}
}
