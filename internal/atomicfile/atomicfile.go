// Package atomicfile writes files so that a reader, or a kill, never sees
// half of one: every results file, cache entry, resume state and profile
// gotune writes goes through Write.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
)

// Write writes data to path so that path holds the old contents or the
// new, never a part, and never replaces anything but a regular file:
//
//   - a new path or a regular file is written through a synced temporary
//     file in the same directory and a rename. The file is readable by
//     everyone (0644), like os.WriteFile's usual use; the temporary file is
//     removed on any error.
//   - a symbolic link (dangling or not) is kept: the file it points at is
//     written atomically as above.
//   - a device, FIFO or other special file is written through: it is opened
//     for writing, as a shell redirection would, and the write's error is
//     returned (e.g. "no space left on device" for /dev/full). A FIFO's
//     open waits for a reader.
//   - a name of one of gotune's own file descriptors (/dev/stdout,
//     /dev/stderr, /dev/fd/N, /proc/self/fd/N) is written through in append
//     mode, so that `gotune … -o /dev/stdout >> log` appends to log.
//   - a directory is an error.
func Write(path string, data []byte) error {
	if isDescriptor(path) {
		return writeThrough(path, data, os.O_APPEND)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A new file, or a symbolic link to one that does not exist yet.
		real, err := resolve(path)
		if err != nil {
			return err
		}
		return replace(real, data)
	case err != nil:
		return err
	case fi.IsDir():
		return &fs.PathError{Op: "write", Path: path, Err: syscall.EISDIR}
	case !fi.Mode().IsRegular():
		return writeThrough(path, data, 0)
	}
	li, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if li.Mode()&fs.ModeSymlink == 0 {
		return replace(path, data)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	if ri, err := os.Stat(real); err != nil || !os.SameFile(ri, fi) {
		// A link that names its file in a way that is not a path (a
		// /proc magic link to a deleted file): write through it.
		return writeThrough(path, data, os.O_TRUNC)
	}
	return replace(real, data)
}

// Special reports whether Write writes path through rather than replacing
// it: path names a device, a FIFO, a socket, or one of the process's file
// descriptors (/dev/stdout). Nothing can be put beside such a path (a
// companion file next to /dev/stdout would land in /dev).
func Special(path string) bool {
	if isDescriptor(path) {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && !fi.Mode().IsRegular()
}

// descriptorName matches the names of the process's own file descriptors.
var descriptorName = regexp.MustCompile(`^/dev/(stdout|stderr|fd/\d+)$|^/proc/(self|thread-self|\d+)/fd/\d+$`)

// isDescriptor reports whether path names one of this process's open file
// descriptors, whose open file description (a pipe, a terminal, a file
// opened by the shell with > or >>) is what the user means.
func isDescriptor(path string) bool {
	abs, err := filepath.Abs(path)
	return err == nil && descriptorName.MatchString(abs)
}

// resolve follows the symbolic links of path whose final target does not
// exist, and returns that target: the path to create.
func resolve(path string) (string, error) {
	for range 40 {
		li, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if li.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", &fs.PathError{Op: "write", Path: path, Err: syscall.ELOOP}
}

// replace writes data to path through a synced temporary file in the same
// directory and a rename.
func replace(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// writeThrough opens path for writing with the extra flags and writes data
// to it, without replacing it.
func writeThrough(path string, data []byte, flags int) error {
	f, err := os.OpenFile(path, os.O_WRONLY|flags, 0)
	if err != nil {
		if errors.Is(err, syscall.ENXIO) {
			if fi, serr := os.Stat(path); serr == nil && fi.Mode()&fs.ModeSocket != 0 {
				return fmt.Errorf("open %s: a socket cannot be written as a file", path)
			}
		}
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
