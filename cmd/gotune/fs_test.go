package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/cli"
	"github.com/gotune/gotune/internal/pgo"
)

// mountTmpfs mounts a tmpfs of the given size at dir for the test, or skips
// the test where that is not possible (not root, no mount).
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a full or read-only file system")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

func writeModule(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"go.mod":          "module example.com/fs\n\ngo 1.21\n",
		"fs.go":           "package fs\n\n// One returns 1.\nfunc One() int { return 1 }\n",
		"fs_test.go":      "package fs\n\nimport \"testing\"\n\nfunc BenchmarkOne(b *testing.B) {\n\tfor b.Loop() {\n\t\tOne()\n\t}\n}\n",
		"cmd/app/main.go": "package main\n\nfunc main() {}\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWorkDirOutOfSpace runs gotune with a work dir on a 256 KiB file
// system, too small for any binary: one line names the full work dir and
// the fix, and nothing is written into the target.
func TestWorkDirOutOfSpace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with the real go command")
	}
	root := t.TempDir()
	mod, tiny := filepath.Join(root, "mod"), filepath.Join(root, "tiny")
	writeModule(t, mod)
	os.Mkdir(tiny, 0o755)
	mountTmpfs(t, tiny, "256k")
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), []string{"run", "-C", mod, "--goamd64", "v1", "--count", "2", "--benchtime", "10x", "--workdir", filepath.Join(tiny, "w")}, &out, &errb)
	if code != cli.ExitUsage {
		t.Errorf("exit status %d, want %d", code, cli.ExitUsage)
	}
	msg := errb.String()
	t.Logf("exit %d: %s", code, msg)
	if !strings.Contains(msg, "is full (no space left on device): free some space or pass another --workdir") || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
		t.Errorf("stderr = %q, want one line naming the full work dir and the fix", msg)
	}
	entries, _ := os.ReadDir(mod)
	if len(entries) != 4 {
		t.Errorf("the target holds %d entries after the run, want its 4", len(entries))
	}
}

// TestApplyReadOnlyTarget runs gotune pgo apply on a target mounted read
// only: one line names the problem, and no default.pgo appears.
func TestApplyReadOnlyTarget(t *testing.T) {
	profile, err := filepath.Abs(filepath.Join("..", "..", "profiles", "quotes.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	ro := t.TempDir()
	mountTmpfs(t, ro, "1m")
	writeModule(t, ro)
	if out, err := exec.Command("mount", "-o", "remount,ro", ro).CombinedOutput(); err != nil {
		t.Skipf("cannot remount read-only: %v: %s", err, out)
	}
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), []string{"pgo", "apply", "-C", ro, profile}, &out, &errb)
	if code != cli.ExitUsage {
		t.Fatalf("exit status %d, want %d", code, cli.ExitUsage)
	}
	msg := errb.String()
	t.Logf("exit %d: %s", code, msg)
	if !strings.Contains(msg, "read-only file system: make the target writable, or copy the profile there yourself") || strings.Count(strings.TrimSpace(msg), "\n") != 0 || strings.Contains(msg, "goroutine") {
		t.Errorf("stderr = %q, want one line naming the read-only file system and the fix", msg)
	}
	if _, err := os.Stat(filepath.Join(ro, "cmd", "app", "default.pgo")); err == nil {
		t.Error("default.pgo was written")
	}
}

// TestInterruptDuringBuild cancels a run (as SIGINT does through main's
// signal context) while the go command is still compiling: gotune stops,
// says it was interrupted (the report, if any, says no trial ran), exits
// 130, and the target is untouched.
func TestInterruptDuringBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with the real go command")
	}
	root := t.TempDir()
	mod := filepath.Join(root, "mod")
	writeModule(t, mod)
	ctx, cancel := context.WithCancel(context.Background())
	// The run writes while this test reads: the buffers are locked.
	var out, errb lockedBuffer
	done := make(chan int)
	go func() {
		// A gcflags value no build cache holds yet (it names this test's
		// folder) makes the go command recompile the standard library,
		// which takes far longer than the moment before the cancel.
		done <- cli.Main(ctx, []string{"run", "-C", mod, "--goamd64", "v1", "--count", "2", "--benchtime", "10x",
			"--gcflags", "all=-d=checkptr=0 -trimpath=" + root, "--workdir", filepath.Join(root, "w")}, &out, &errb)
	}()
	for !strings.Contains(errb.String(), "build 1/") {
		select {
		case code := <-done:
			t.Fatalf("the run ended (exit %d) before its first build started: %s", code, errb.String())
		default:
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	code := <-done
	if code != cli.ExitInterrupted {
		t.Errorf("exit status %d, want %d; stderr:\n%s", code, cli.ExitInterrupted, errb.String())
	}
	if !strings.Contains(errb.String(), "gotune: interrupted") || strings.Contains(errb.String(), "goroutine") {
		t.Errorf("stderr = %q, want the interruption named", errb.String())
	}
	if out.Len() > 0 && !strings.Contains(out.String(), "interrupted after 0 trials") {
		t.Errorf("the report of a run stopped before measuring does not say so: %q", out.String())
	}
	entries, _ := os.ReadDir(mod)
	if len(entries) != 4 {
		t.Errorf("the target holds %d entries after the run, want its 4", len(entries))
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader at
// once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

// TestApplyRefusesWritesOutside runs gotune pgo apply on a module whose
// committed profiles folder is a symbolic link out of it, and with a
// --name that climbs out: exit status 2, one line, nothing written
// anywhere and no "created" printed.
func TestApplyRefusesWritesOutside(t *testing.T) {
	profile, err := filepath.Abs(filepath.Join("..", "..", "profiles", "quotes.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	mod, elsewhere := filepath.Join(root, "a", "b", "mod"), filepath.Join(root, "elsewhere")
	writeModule(t, mod)
	os.Mkdir(elsewhere, 0o755)
	if err := os.Symlink(elsewhere, filepath.Join(mod, "profiles")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"profiles links out", nil, "refusing to write " + filepath.Join(mod, "profiles", "fs.pprof") + ": it resolves to " + filepath.Join(elsewhere, "fs.pprof") + ", outside the repository " + mod},
		{"--name climbs out", []string{"--profiles", filepath.Join(mod, "kept"), "--name", "../../../x"}, "--name ../../../x: want a plain file name without a folder"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := cli.Main(context.Background(), append([]string{"pgo", "apply", "-C", mod, profile}, tt.args...), &out, &errb)
			msg := errb.String()
			if code != cli.ExitUsage || !strings.Contains(msg, tt.want) || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want %d and one line containing %q", code, msg, cli.ExitUsage, tt.want)
			}
			if strings.Contains(out.String(), "created") {
				t.Errorf("stdout says a file was created: %q", out.String())
			}
			var written []string
			filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() && !strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "go.mod") {
					written = append(written, p)
				}
				return nil
			})
			if len(written) > 0 {
				t.Errorf("written although refused: %v", written)
			}
		})
	}
}

// TestSecretsNeverLeak follows a password and a token in a profile URL
// from pgo fetch through merge and apply, and a failed fetch: no output
// and no file written quotes them; the provenance keeps the URL redacted.
func TestSecretsNeverLeak(t *testing.T) {
	const pw, token = "s3cretPassw0rd", "T0KEN-abc123"
	profile, err := os.ReadFile(filepath.Join("..", "..", "profiles", "quotes.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		if user != "me" || pass != pw || r.URL.Query().Get("token") != token {
			http.Error(w, "forbidden: "+r.URL.String(), http.StatusForbidden)
			return
		}
		if r.URL.Path != "/debug/pprof/profile" {
			http.NotFound(w, r)
			return
		}
		w.Write(profile)
	}))
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	root := t.TempDir()
	mod, work := filepath.Join(root, "mod"), filepath.Join(root, "work")
	writeModule(t, mod)
	os.Mkdir(work, 0o755)
	secretURL := "http://me:" + pw + "@" + ln.Addr().String() + "/debug/pprof/profile?seconds=1&token=" + token
	var outputs bytes.Buffer
	run := func(wantCode int, args ...string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), args, &out, &errb)
		t.Logf("gotune %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
		if code != wantCode {
			t.Errorf("gotune %s: exit %d, want %d", args[1], code, wantCode)
		}
		outputs.Write(out.Bytes())
		outputs.Write(errb.Bytes())
	}
	fetched, merged := filepath.Join(work, "f.pprof"), filepath.Join(work, "m.pprof")
	run(0, "pgo", "fetch", secretURL, "-o", fetched)
	run(0, "pgo", "merge", "-o", merged, fetched)
	run(0, "pgo", "apply", "-C", mod, merged)
	// Failures quote the URL too: a 404, a wrong token, a closed port.
	run(1, "pgo", "fetch", strings.Replace(secretURL, "/debug/pprof/profile", "/nope", 1), "-o", filepath.Join(work, "x.pprof"))
	run(1, "pgo", "fetch", strings.Replace(secretURL, pw, pw+"x", 1), "-o", filepath.Join(work, "x.pprof"))
	run(1, "pgo", "fetch", "http://me:"+pw+"@127.0.0.1:1/?token="+token, "--seconds", "1", "-o", filepath.Join(work, "x.pprof"))
	run(2, "pgo", "fetch", "http://me:"+pw+"@127.0.0.1:1/?seconds=x&token="+token)

	leaks := func(what string, b []byte) {
		for _, s := range []string{pw, token, "bWU6czNjcmV0UGFzc3cwcmQ"} { // the last: base64 of me:password
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the secret %q", what, s)
			}
		}
	}
	leaks("the output", outputs.Bytes())
	if !strings.Contains(outputs.String(), "http://me:xxxxx@"+ln.Addr().String()+"/debug/pprof/profile?seconds=1&token=xxxxx") {
		t.Errorf("the output does not show the redacted URL")
	}
	n := 0
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			leaks(p, b)
			n++
		}
		return nil
	})
	kept, err := os.ReadFile(filepath.Join(mod, "profiles", "fs.provenance.json"))
	if err != nil {
		t.Fatalf("apply kept no provenance (%d files written): %v", n, err)
	}
	if !strings.Contains(string(kept), `"source": "fetch"`) || !strings.Contains(string(kept), "http://me:xxxxx@") {
		t.Errorf("the kept provenance lost the fetch's redacted URL:\n%s", kept)
	}
}

// TestOutputToSpecialFiles gives pgo merge -o a device, a FIFO and a file
// descriptor name (as /dev/stdout is): none is replaced by a regular file,
// the profile goes through them (or the device's error is reported, one
// line, exit 2), no provenance file is put beside them, and the summary
// goes to stderr, apart from the profile.
func TestOutputToSpecialFiles(t *testing.T) {
	profile, err := filepath.Abs(filepath.Join("..", "..", "profiles", "quotes.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	merge := func(out string) (int, string, string) {
		var o, e bytes.Buffer
		code := cli.Main(context.Background(), []string{"pgo", "merge", "-o", out, profile}, &o, &e)
		return code, o.String(), e.String()
	}
	checkProfile := func(t *testing.T, what string, data []byte) {
		t.Helper()
		if _, err := pgo.Parse(what, data); err != nil {
			t.Errorf("%s did not get the merged profile: %v", what, err)
		}
	}

	t.Run("device", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to make a device node")
		}
		// /dev/full's device (char 1, 7), in a temporary folder: were it
		// replaced, the host's /dev stays as it is.
		full := filepath.Join(dir, "full")
		if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
			t.Skipf("mknod: %v", err)
		}
		code, _, stderr := merge(full)
		if code != cli.ExitUsage || !strings.Contains(stderr, "gotune: cannot write "+full+": no space left on device: free some space, or choose another -o") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		if fi, err := os.Lstat(full); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			t.Errorf("the device is now %v (%v)", fi.Mode(), err)
		}
		if _, err := os.Stat(full + ".provenance.json"); err == nil {
			t.Error("a provenance file was written beside the device")
		}
	})

	t.Run("fifo", func(t *testing.T) {
		fifo := filepath.Join(dir, "out.fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		got := make(chan []byte, 1)
		go func() {
			b, _ := os.ReadFile(fifo)
			got <- b
		}()
		code, stdout, stderr := merge(fifo)
		if code != 0 || stdout != "" || !strings.Contains(stderr, "wrote "+fifo+" (no provenance file beside a device or a pipe)") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		select {
		case b := <-got:
			checkProfile(t, "the FIFO's reader", b)
		case <-time.After(time.Minute):
			t.Fatal("the FIFO's reader got nothing")
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("the FIFO is now %v (%v)", fi.Mode(), err)
		}
		if _, err := os.Stat(filepath.Join(dir, "out.provenance.json")); err == nil {
			t.Error("a provenance file was written beside the FIFO")
		}
	})

	t.Run("file descriptor name", func(t *testing.T) {
		// /proc/self/fd/N of a pipe, as /dev/stdout is in CI (a name under
		// /proc, where nothing can be created, should this regress).
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		name := fmt.Sprintf("/proc/self/fd/%d", w.Fd())
		if _, err := os.Lstat(name); err != nil {
			t.Skipf("no %s here", name)
		}
		got := make(chan []byte, 1)
		go func() {
			b, _ := io.ReadAll(r)
			got <- b
		}()
		code, stdout, stderr := merge(name)
		w.Close()
		if code != 0 || stdout != "" {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		checkProfile(t, "the pipe", <-got)
	})
}
