package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gotune/gotune/internal/cli/cmdutil"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
)

// writeFixture writes a tiny module with one benchmark into dir.
func writeFixture(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"go.mod":     "module example.com/fx\n\ngo 1.21\n",
		"fx.go":      "package fx\n\n// Sum adds the numbers below n.\nfunc Sum(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += i\n\t}\n\treturn s\n}\n",
		"fx_test.go": "package fx\n\nimport \"testing\"\n\nfunc BenchmarkSum(b *testing.B) {\n\tfor b.Loop() {\n\t\tSum(100)\n\t}\n}\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// replacingRunner runs every command for real, but before the trial
// number at, it replaces the run folder of the trial's binary with a
// file, as a careless script cleaning the work dir would.
type replacingRunner struct {
	at int

	mu     sync.Mutex
	trials int
	folder string // the run folder it replaced
}

func (r *replacingRunner) Run(ctx context.Context, c gotool.Cmd) (gotool.Result, error) {
	if strings.HasSuffix(c.Args[0], ".test") {
		r.mu.Lock()
		r.trials++
		if r.trials == r.at {
			// <workdir>/runs/<run>/bin/...: the folder under runs.
			dir := c.Args[0]
			for filepath.Base(filepath.Dir(dir)) != "runs" {
				dir = filepath.Dir(dir)
			}
			r.folder = dir
			if err := os.RemoveAll(dir); err == nil {
				os.WriteFile(dir, []byte("not a folder\n"), 0o644)
			}
		}
		r.mu.Unlock()
	}
	return gotool.Exec{}.Run(ctx, c)
}

// TestRunFolderReplacedMidRun replaces the run folder with a file while
// the run measures (issue 11 item 19): the run stops measuring at the end
// of that cycle, says in one line what happened and what to do (not a
// bare "open …/.result.json.tmp-…: not a directory"), still prints the
// report and writes --json with the samples measured before, leaves the
// file that took the folder's place alone, and exits 1.
func TestRunFolderReplacedMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with the real go command")
	}
	root := t.TempDir()
	mod, wd, js := filepath.Join(root, "mod"), filepath.Join(root, "w"), filepath.Join(root, "r.json")
	os.Mkdir(mod, 0o755)
	writeFixture(t, mod)
	r := &replacingRunner{at: 3}
	var out, errb bytes.Buffer
	code := mainWith(context.Background(), &Factory{Runner: r, Stdout: &out, Stderr: &errb},
		[]string{"run", "-C", mod, "--goamd64", "v1", "--gcflags", "", "--gcflags", "-l", "--layouts", "0", "--count", "6", "--max-blocks", "6", "--benchtime", "10x", "--workdir", wd, "--json", js})
	t.Logf("exit %d\nstderr:\n%s", code, errb.String())
	if code != ExitFailure {
		t.Errorf("exit status %d, want %d", code, ExitFailure)
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	last := lines[len(lines)-1]
	want := "gotune: the run folder " + r.folder + " was replaced by a file during the run (something else writes into the work dir): what was measured is in the report (and in --json FILE, when given) but not in the work dir, and the run cannot be resumed: run again with a --workdir that nothing else uses"
	if last != want {
		t.Errorf("last line of stderr:\n%s\nwant:\n%s", last, want)
	}
	if strings.Contains(errb.String(), ".tmp-") {
		t.Errorf("stderr names a temporary file:\n%s", errb.String())
	}
	if !strings.Contains(out.String(), "baseline") {
		t.Errorf("no report on stdout:\n%s", out.String())
	}
	saved, err := result.ReadFile(js)
	if err != nil {
		t.Fatalf("--json: %v", err)
	}
	if len(saved.Samples) == 0 {
		t.Errorf("--json holds no sample: the trials before the folder went are lost")
	}
	if n := len(saved.Blocks); n >= 6 {
		t.Errorf("%d blocks measured: the run went on measuring without its binaries", n)
	}
	if data, err := os.ReadFile(r.folder); err != nil || string(data) != "not a folder\n" {
		t.Errorf("the file in the run folder's place: %q, %v", data, err)
	}
}

// TestOutputSamePath: -o and --json naming one file, however spelled, are
// refused before anything is measured (issue 11 item 7): the report would
// overwrite the result.
func TestOutputSamePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Mkdir("sub", 0o755)
	os.WriteFile("old.json", []byte("{}\n"), 0o644)
	canLink := os.Symlink("sub", "link") == nil && os.Symlink("old.json", "alias.json") == nil
	os.Link("old.json", "hard.json")
	cases := [][2]string{
		{"r.txt", "r.txt"},
		{"r.txt", "./r.txt"},
		{"r.txt", filepath.Join(dir, "r.txt")},
		{"sub/r.txt", "sub/../r.txt/../sub/r.txt"},
		{"old.json", "hard.json"},
	}
	if canLink {
		cases = append(cases, [2]string{"link/r.txt", "sub/r.txt"}, [2]string{"old.json", "alias.json"})
	}
	for _, c := range cases {
		_, err := runFlags(t, "-o", c[0], "--json", c[1])
		var ue cmdutil.UsageError
		if err == nil || !strings.Contains(err.Error(), "--json and -o both name") || !errorsAs(err, &ue) {
			t.Errorf("-o %s --json %s: err = %v, want a usage error: both name one file", c[0], c[1], err)
		}
	}
	if _, err := runFlags(t, "-o", "sub/r.txt", "--json", "r.txt"); err != nil {
		t.Errorf("two files: %v", err)
	}
	if _, err := os.Stat("r.txt"); err == nil {
		t.Error("a refused output was created")
	}
}
