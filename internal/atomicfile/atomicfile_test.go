package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "result.json")
	os.WriteFile(path, []byte("old"), 0o600)
	if err := Write(path, []byte("new contents")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new contents" {
		t.Errorf("file holds %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// A directory that cannot take the temporary file fails cleanly.
	err := Write(filepath.Join(dir, "missing", "r.json"), []byte("x"))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want not-exist", err)
	}
	// A rename onto a directory fails and leaves no temporary file.
	os.Mkdir(filepath.Join(dir, "adir"), 0o755)
	if err := Write(filepath.Join(dir, "adir"), []byte("x")); err == nil {
		t.Error("writing over a directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("after a failed write the folder holds %v", entries)
	}
}

// TestWriteSpecialFiles checks that Write never replaces what is not a
// regular file: a FIFO and a device are written through, a symbolic link
// is kept and the file it points at written, a name of one of the
// process's file descriptors is appended to.
func TestWriteSpecialFiles(t *testing.T) {
	t.Run("fifo", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "out.fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		got := make(chan []byte, 1)
		go func() {
			b, _ := os.ReadFile(fifo) // waits for the writer
			got <- b
		}()
		if err := Write(fifo, []byte("report")); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Fatalf("after Write the FIFO is %v (%v), want a FIFO still", fi.Mode(), err)
		}
		select {
		case b := <-got:
			if string(b) != "report" {
				t.Errorf("the reader got %q", b)
			}
		case <-time.After(time.Minute):
			t.Fatal("the FIFO's reader got nothing")
		}
	})

	t.Run("symlink", func(t *testing.T) {
		dir := t.TempDir()
		real := filepath.Join(dir, "real", "result.json")
		os.MkdirAll(filepath.Dir(real), 0o755)
		os.WriteFile(real, []byte("old"), 0o644)
		link := filepath.Join(dir, "link.json")
		if err := os.Symlink(filepath.Join("real", "result.json"), link); err != nil {
			t.Fatal(err)
		}
		chain := filepath.Join(dir, "chain.json")
		os.Symlink("link.json", chain)
		for _, p := range []string{link, chain} {
			if err := Write(p, []byte("new via "+filepath.Base(p))); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(real); string(b) != "new via "+filepath.Base(p) {
				t.Errorf("the link's target holds %q", b)
			}
		}
		for p, want := range map[string]string{link: filepath.Join("real", "result.json"), chain: "link.json"} {
			if got, err := os.Readlink(p); err != nil || got != want {
				t.Errorf("%s: readlink = %q, %v; want the link kept, to %q", filepath.Base(p), got, err, want)
			}
		}
		if entries, _ := os.ReadDir(filepath.Join(dir, "real")); len(entries) != 1 {
			t.Errorf("temporary files left behind: %v", entries)
		}
	})

	t.Run("dangling symlink", func(t *testing.T) {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "out"), 0o755)
		link := filepath.Join(dir, "report.md")
		os.Symlink(filepath.Join("out", "report.md"), link)
		if err := Write(link, []byte("# report")); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "out", "report.md")); string(b) != "# report" {
			t.Errorf("the link's target holds %q", b)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("the link was replaced: %v, %v", fi.Mode(), err)
		}
	})

	t.Run("device", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to make a device node")
		}
		// A node of /dev/full's own device (char 1, 7) in a temporary
		// folder: were Write to replace it, the host's /dev/full stays.
		full := filepath.Join(t.TempDir(), "full")
		if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
			t.Skipf("mknod: %v", err)
		}
		err := Write(full, []byte("report"))
		if err == nil || !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "no space left on device") {
			t.Errorf("err = %v, want no space left on device", err)
		}
		if fi, err := os.Lstat(full); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("after Write the device is %v (%v), want a character device still", fi.Mode(), err)
		}
		if entries, _ := os.ReadDir(filepath.Dir(full)); len(entries) != 1 {
			t.Errorf("temporary files left behind: %v", entries)
		}
		// Every device node here is private to the test: a Write that
		// replaces them must not touch the host's /dev.
		// A null device (char 1, 3) takes anything, and stays.
		null := filepath.Join(filepath.Dir(full), "null")
		if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Fatalf("mknod: %v", err)
		}
		if err := Write(null, []byte("report")); err != nil {
			t.Errorf("writing to a null device: %v", err)
		}
		if fi, err := os.Lstat(null); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("the null device is now %v (%v)", fi.Mode(), err)
		}
	})

	t.Run("file descriptor names", func(t *testing.T) {
		// A pipe, as stdout is in CI, named /proc/self/fd/N.
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		name := fmt.Sprintf("/proc/self/fd/%d", w.Fd())
		if _, err := os.Lstat(name); err != nil {
			t.Skipf("no %s here: %v", name, err)
		}
		if err := Write(name, []byte("to the pipe")); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if b, _ := io.ReadAll(r); string(b) != "to the pipe" {
			t.Errorf("the pipe got %q", b)
		}
		// A file the shell opened with >>: appended to, not replaced.
		log := filepath.Join(t.TempDir(), "log")
		os.WriteFile(log, []byte("earlier\n"), 0o644)
		f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		before, _ := os.Stat(log)
		if err := Write(fmt.Sprintf("/dev/fd/%d", f.Fd()), []byte("report\n")); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(log); string(b) != "earlier\nreport\n" {
			t.Errorf("the log holds %q", b)
		}
		if after, _ := os.Stat(log); !os.SameFile(before, after) {
			t.Error("the log file was replaced")
		}
	})
}

func TestSpecial(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(file, link)
	fifo := filepath.Join(dir, "fifo")
	syscall.Mkfifo(fifo, 0o644)
	for path, want := range map[string]bool{
		file: false, link: false, filepath.Join(dir, "new"): false, dir: false,
		fifo: true, "/dev/stdout": true, "/dev/fd/1": true, "/proc/self/fd/2": true,
	} {
		if got := Special(path); got != want {
			t.Errorf("Special(%s) = %t, want %t", path, got, want)
		}
	}
}
