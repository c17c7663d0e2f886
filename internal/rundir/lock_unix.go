//go:build unix

package rundir

import (
	"github.com/gotune/gotune/internal/options"

	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Lock takes the work dir's lock, so that two gotune runs never share
// binaries, run folders or measurements. The lock is an flock on
// <workDir>/lock, released by the kernel even if gotune is killed; the file
// says who holds it, for the other run's message. A held lock is an
// InputError naming the other run.
func Lock(workDir, what string) (unlock func(), err error) {
	path := filepath.Join(workDir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, options.Inputf("work dir %s: %v: pass a writable --workdir", workDir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another gotune run"
			}
			return nil, options.Inputf("work dir %s is in use by %s: wait for it to finish, or pass another --workdir", workDir, who)
		}
		return nil, fmt.Errorf("locking work dir %s: %v", workDir, err)
	}
	f.Truncate(0)
	fmt.Fprintf(f, "gotune %s (pid %d, started %s)\n", what, os.Getpid(), time.Now().Format("15:04:05"))
	return func() {
		f.Truncate(0)
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
