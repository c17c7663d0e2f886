package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/cli/pgocmd/refresh"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/pgo"
)

func TestPGORefreshFlags(t *testing.T) {
	o, err := pgoFlags(t, refresh.NewCmdPGORefresh, "--collect", "--collect-rounds", "3", "--collect-benchtime", "2s", "--url", "a:1", "--url", "b:2", "--seconds", "5",
		"--keep", "0.99", "--ignore", "Setup", "--main", "./cmd/a", "--profiles", "/p", "--name", "svc", "--budget", "10m", "--format", "markdown", "x.pprof")
	if err != nil {
		t.Fatal(err)
	}
	if !o.Collect || o.CollectRounds != 3 || o.CollectBenchtime != "2s" || !reflect.DeepEqual(o.URLs, []string{"a:1", "b:2"}) || o.Seconds != 5 ||
		o.Keep != 0.99 || o.Ignore != "Setup" || !reflect.DeepEqual(o.Mains, []string{"./cmd/a"}) || o.ProfilesDir != "/p" || o.Name != "svc" ||
		o.Opts.Budget.Minutes() != 10 || o.Out.Format != "markdown" || !reflect.DeepEqual(o.Files, []string{"x.pprof"}) {
		t.Errorf("options = %+v", o)
	}
	o, _ = pgoFlags(t, refresh.NewCmdPGORefresh, "--collect")
	if o.CollectRounds != 2 || o.CollectBenchtime != "1s" || o.Keep != pgo.DefaultKeep || len(o.Opts.Axes) != 0 {
		t.Errorf("defaults = %+v", o)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "refresh needs a new profile: --collect (from the benchmarks), --url URL (a live service), or PROFILE files"},
		{[]string{"--collect", "--format", "json"}, "--format json: refresh writes text or markdown"},
		{[]string{"--collect", "--collect-rounds", "0"}, "--collect-rounds 0: want at least 1 round"},
		{[]string{"--collect", "--collect-benchtime", "soon"}, "--collect-benchtime:"},
		{[]string{"--url", "ftp://x"}, "want an http or https URL"},
		{[]string{"--url", "x:1", "--seconds", "0"}, "--seconds 0: want at least 1"},
		{[]string{"--keep", "2", "a.pprof"}, "--keep 2: want a share of CPU in (0, 1]"},
		{[]string{"--ignore", "(", "a.pprof"}, `--ignore "(" is not a valid regular expression`},
		{[]string{"--pgo", "off", "a.pprof"}, "unknown flag: --pgo"},
	} {
		_, err := pgoFlags(t, refresh.NewCmdPGORefresh, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errorsAs(err, new(cmdutil.UsageError)) {
			t.Errorf("%q: err = %v, want a usage error with %q", tt.args, err, tt.want)
		}
	}
}

// TestPGORefresh refreshes a module whose committed default.pgo is
// testdata/pgofx-old.pprof with testdata/pgofx.pprof, with real builds
// and synthetic timings: a candidate 30% faster is applied, with the
// measurement in its provenance; one 30% slower is refused with exit
// status 1 and nothing written.
func TestPGORefresh(t *testing.T) {
	if testing.Short() {
		t.Skip("builds real test binaries; skipped with -short")
	}
	old, err := os.ReadFile(filepath.Join("testdata", "pgofx-old.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	setup := func(t *testing.T) (mod, profile string) {
		mod = t.TempDir()
		profile = pgoFixture(t, mod)
		must(t, os.WriteFile(filepath.Join(mod, "cmd", "app", "default.pgo"), old, 0o644))
		return mod, profile
	}
	refresh := func(t *testing.T, mod, profile string, factor float64) (int, string, string) {
		r := &synthTimes{real: gotool.Exec{}, factors: map[string]float64{"candidate.pprof": factor}}
		return gotuneWith(t, r, "pgo", "refresh", "-C", mod, profile, "--seed", "3", "--budget", "1h", "--max-blocks", "40", "--workdir", t.TempDir(), "-q")
	}
	t.Run("faster: applied", func(t *testing.T) {
		mod, profile := setup(t)
		code, stdout, stderr := refresh(t, mod, profile, 0.7)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		for _, want := range []string{
			"decision: applied the candidate: the candidate is significantly faster than the committed profile: -",
			"candidate vs committed: -",
			"-pgo=off vs committed:",
			"written:                replaced cmd/app/default.pgo, created profiles/fx.pprof, created profiles/fx.provenance.json",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
		if !strings.Contains(stderr, "gotune: pgo refresh: applied: the candidate is significantly faster") {
			t.Errorf("stderr:\n%s", stderr)
		}
		applied, _ := os.ReadFile(filepath.Join(mod, "cmd", "app", "default.pgo"))
		kept, _ := os.ReadFile(filepath.Join(mod, "profiles", "fx.pprof"))
		if bytes.Equal(applied, old) || !bytes.Equal(applied, kept) {
			t.Error("default.pgo is not the candidate kept in profiles/")
		}
		var pv pgo.Provenance
		data, err := os.ReadFile(filepath.Join(mod, "profiles", "fx.provenance.json"))
		if err != nil || json.Unmarshal(data, &pv) != nil {
			t.Fatalf("provenance: %v\n%s", err, data)
		}
		if pv.Source != "merge" || pv.Refresh == nil || pv.Refresh.Outcome != pgo.RefreshApply || pv.Refresh.Change == nil ||
			pv.Refresh.Replaced != fmt.Sprintf("%x", sha256.Sum256(old)) || len(pv.Inputs) != 1 || strings.Join(pv.AppliedTo, " ") != "cmd/app/default.pgo" {
			t.Errorf("provenance = %s", data)
		}
	})
	t.Run("slower: refused", func(t *testing.T) {
		mod, profile := setup(t)
		before := files(t, mod)
		code, stdout, stderr := refresh(t, mod, profile, 1.3)
		if code != ExitFailure {
			t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitFailure, stdout, stderr)
		}
		if !strings.Contains(stdout, "decision: kept the committed profile: the candidate is worse: the candidate is significantly slower than the committed profile: +") ||
			!strings.Contains(stderr, "\ngotune: refresh: kept the committed profile: the candidate is significantly slower than the committed profile: +") {
			t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
		}
		if b, _ := os.ReadFile(filepath.Join(mod, "cmd", "app", "default.pgo")); !bytes.Equal(b, old) {
			t.Error("default.pgo changed")
		}
		if after := files(t, mod); strings.Join(after, " ") != strings.Join(before, " ") {
			t.Errorf("files %v, want %v", after, before)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
