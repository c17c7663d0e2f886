package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
)

// synthTimes is a Runner that runs the go command (and git) for real but
// answers every benchmark trial with a synthetic time: 1000 ns/op, times
// the factor of each key found in the path of the test binary (its folder
// is named after the variant), with a deterministic noise of about ±2%.
// The verdicts of a run are then known in advance, with real builds.
type synthTimes struct {
	real    gotool.Runner
	factors map[string]float64

	mu sync.Mutex
	n  int
}

func (s *synthTimes) Run(ctx context.Context, c gotool.Cmd) (gotool.Result, error) {
	if !strings.HasSuffix(c.Args[0], ".test") || !strings.Contains(strings.Join(c.Args, " "), "-test.bench=") {
		return s.real.Run(ctx, c)
	}
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	f := 1.0
	for k, x := range s.factors {
		if strings.Contains(c.Args[0], k) {
			f *= x
		}
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s %d", c.Args[0], n)
	noise := 1 + 0.02*(float64(h.Sum64()%200)/100-1)
	out := fmt.Sprintf("goos: linux\ngoarch: amd64\npkg: example.com/fx\nBenchmarkSum-2 \t 1000\t %.1f ns/op\nPASS\n", 1000*f*noise)
	return gotool.Result{Stdout: []byte(out), Duration: time.Millisecond}, nil
}

// pgoFixture copies testdata/pgofx (a module with a main package and no
// default.pgo) into dir, and testdata/pgofx.pprof (a profile of its
// benchmark) into a folder of its own; it returns the profile's path.
func pgoFixture(t *testing.T, dir string) string {
	t.Helper()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "pgofx"))); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "pgofx.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	profile := filepath.Join(t.TempDir(), "pgofx.pprof")
	if err := os.WriteFile(profile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return profile
}

// gotuneWith runs gotune with args and the runner r, and returns the exit
// status as Main would.
func gotuneWith(t *testing.T, r gotool.Runner, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	f := &Factory{Runner: r, Stdout: &out, Stderr: &errb}
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	switch {
	case err == nil:
	case errors.As(err, new(cmdutil.UsageError)):
		code = ExitUsage
	case errors.Is(err, cmdutil.ErrInterrupted):
		code = ExitInterrupted
	default:
		code = ExitFailure
	}
	if err != nil {
		fmt.Fprintf(&errb, "gotune: %s\n", strings.TrimSpace(err.Error()))
	}
	return code, out.String(), errb.String()
}

// files lists the regular files under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			r, _ := filepath.Rel(dir, p)
			out = append(out, r)
		}
		return nil
	})
	return out
}

// TestRunApply runs `gotune run --pgo auto,FILE --apply` on a module
// without a default.pgo, with real builds and synthetic timings: the
// profile's build 30% faster is the winner and its profile is written as
// default.pgo with its provenance; as fast as the baseline within too few
// blocks to tell, nothing is written; on a read-only target the run
// fails with one line and exit status 2, and nothing is written.
func TestRunApply(t *testing.T) {
	if testing.Short() {
		t.Skip("builds real test binaries; skipped with -short")
	}
	resultFile := filepath.Join(t.TempDir(), "r.json")
	run := func(t *testing.T, mod, profile string, factor float64, extra ...string) (int, string, string) {
		r := &synthTimes{real: gotool.Exec{}, factors: map[string]float64{"pgofx.pprof": factor}}
		args := append([]string{"run", "-C", mod, "--goamd64", "v1", "--pgo", "auto," + profile, "--seed", "7", "--budget", "1h",
			"--workdir", t.TempDir(), "--json", resultFile, "--apply", "-q"}, extra...)
		return gotuneWith(t, r, args...)
	}
	t.Run("winner", func(t *testing.T) {
		mod := t.TempDir()
		profile := pgoFixture(t, mod)
		code, stdout, stderr := run(t, mod, profile, 0.7, "--max-blocks", "40")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		for _, want := range []string{
			"gotune: --apply: created   cmd/app/default.pgo\n",
			"gotune: --apply: created   profiles/fx.pprof\n",
			"gotune: --apply: created   profiles/fx.provenance.json\n",
			"gotune: --apply: the winner, pgo=" + profile + ", builds with this profile",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		want, _ := os.ReadFile(profile)
		if got, _ := os.ReadFile(filepath.Join(mod, "cmd", "app", "default.pgo")); !bytes.Equal(got, want) {
			t.Error("cmd/app/default.pgo does not hold the winner's profile")
		}
		pv, err := os.ReadFile(filepath.Join(mod, "profiles", "fx.provenance.json"))
		if err != nil || !strings.Contains(string(pv), `"cmd/app/default.pgo"`) {
			t.Errorf("provenance: %v\n%s", err, pv)
		}
		res, err := result.ReadFile(resultFile)
		if err != nil {
			t.Fatal(err)
		}
		p := res.Analysis.Recommendation.Profile
		if p == nil || !p.Applied || p.Path != profile || strings.Join(p.Mains, " ") != "./cmd/app" ||
			p.Command != "gotune pgo apply "+profile+" -C "+mod {
			t.Errorf("recommendation.profile = %+v", p)
		}
	})
	t.Run("no winner", func(t *testing.T) {
		mod := t.TempDir()
		profile := pgoFixture(t, mod)
		before := files(t, mod)
		code, stdout, stderr := run(t, mod, profile, 1.0, "--max-blocks", "4")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		if !strings.Contains(stderr, "gotune: --apply: nothing written: no build was shown faster than the baseline, and some could not be told apart from it (could not tell)") {
			t.Errorf("stderr does not say why nothing was written:\n%s", stderr)
		}
		if after := files(t, mod); strings.Join(after, " ") != strings.Join(before, " ") {
			t.Errorf("files %v, want %v", after, before)
		}
	})
	t.Run("read-only target", func(t *testing.T) {
		mod := t.TempDir()
		profile := readOnlyFixture(t, mod)
		before := files(t, mod)
		code, stdout, stderr := run(t, mod, profile, 0.7, "--max-blocks", "40")
		if code != ExitUsage {
			t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitUsage, stdout, stderr)
		}
		last := stderr[strings.LastIndex(strings.TrimSuffix(stderr, "\n"), "\n")+1:]
		if !strings.HasPrefix(last, "gotune: cannot write "+mod+"/") || !strings.HasSuffix(last, ": make the target writable, or copy the profile there yourself\n") ||
			!strings.Contains(last, "read-only file system") && !strings.Contains(last, "permission denied") {
			t.Errorf("last line of stderr %q: want the one-line write error", last)
		}
		if strings.Contains(stderr, "--apply: created") || !strings.Contains(stdout, "pgo=") {
			t.Errorf("stderr claims a write, or no report on stdout:\n%s\n%s", stdout, stderr)
		}
		if after := files(t, mod); strings.Join(after, " ") != strings.Join(before, " ") {
			t.Errorf("files %v, want %v", after, before)
		}
	})
}

// readOnlyFixture puts the fixture module in dir and makes dir read-only:
// as root, a tmpfs mounted there and remounted read-only (root writes
// through file modes); otherwise by file modes. It skips the test where
// neither works.
func readOnlyFixture(t *testing.T, dir string) string {
	t.Helper()
	if os.Geteuid() == 0 {
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot mount a tmpfs here: %v: %s", err, out)
		}
		t.Cleanup(func() {
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v: %s", dir, err, out)
			}
		})
		profile := pgoFixture(t, dir)
		if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot remount read-only: %v: %s", err, out)
		}
		return profile
	}
	profile := pgoFixture(t, dir)
	var dirs []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for _, d := range dirs {
		os.Chmod(d, 0o555)
	}
	t.Cleanup(func() {
		for _, d := range dirs {
			os.Chmod(d, 0o755)
		}
	})
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("file modes do not stop this user from writing")
	}
	return profile
}

func TestRunApplyFlag(t *testing.T) {
	o, err := runFlags(t, "--apply", "--pgo", "off,collect")
	if err != nil || !o.Apply {
		t.Errorf("options %+v, %v: want Apply", o, err)
	}
	_, err = runFlags(t, "--apply", "--baseline-only")
	if err == nil || !strings.Contains(err.Error(), "--apply writes the winner's profile, and --baseline-only measures no other build") || !errors.As(err, new(cmdutil.UsageError)) {
		t.Errorf("err = %v, want a usage error", err)
	}
}
