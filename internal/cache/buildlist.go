package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gotune/gotune/internal/gotool"
)

// listedModule is one module of `go list -m -json`.
type listedModule struct {
	Path    string
	Version string
	Main    bool
	Dir     string
	Replace *struct {
		Path    string
		Version string
		Dir     string
	}
	Error *struct{ Err string }
}

// local returns the directory of m's source when it is not in the module
// cache: a main module (every workspace module with a go.work) or a
// directory replacement; "" otherwise.
func (m listedModule) local() string {
	switch {
	case m.Main:
		return m.Dir
	case m.Replace != nil && m.Replace.Version == "":
		if m.Replace.Dir != "" {
			return m.Replace.Dir
		}
		return m.Dir
	}
	return ""
}

// BuildListHash returns a hex SHA-256 of the source a build in dir can
// read, to key cached builds and results: it changes when any file of a
// module that is not in the module cache changes, and when the build list
// does. It hashes
//
//   - the build list, as the go command reports it (`go list -m -json all`
//     run through r in dir, with the caller's environment: GOFLAGS,
//     GOWORK): every module's path, version and replacement, so that a
//     version change anywhere counts, even one made only in a go.work;
//   - the content of every module whose source is a directory rather than
//     the module cache, each as SourceHash hashes a module (paths relative
//     to the module, nested modules and version-control folders left out):
//     the main module, every workspace module of a go.work, and every
//     directory replacement (replace example.com/lib => ../lib);
//   - the go.work file in use (`go env GOWORK`), if any.
//
// Modules in the module cache are identified by path and version alone:
// their content is fixed by go.sum. In vendor mode (a vendor/modules.txt
// and no -mod flag to the contrary), where the go command refuses to list
// all modules, the build reads only the main modules, vendor/ included:
// those are hashed. Errors of the go command are returned with its
// message; a directory that cannot be read fails the hash.
func BuildListHash(ctx context.Context, r gotool.Runner, dir string) (string, error) {
	if r == nil {
		r = gotool.Exec{}
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\nbuild list\n", version)
	mods, vendored, err := buildList(ctx, r, dir)
	if err != nil {
		return "", err
	}
	if vendored {
		fmt.Fprintf(h, "vendor\n")
	}
	res, err := r.Run(ctx, gotool.Cmd{Args: []string{"go", "env", "GOWORK"}, Dir: dir})
	if err != nil {
		return "", fmt.Errorf("asking the go command for the workspace: %w", err)
	}
	if work := strings.TrimSpace(string(res.Stdout)); work != "" && work != "off" {
		data, err := os.ReadFile(work)
		if err != nil {
			return "", fmt.Errorf("hashing the workspace file: %w", err)
		}
		fmt.Fprintf(h, "go.work %d\n", len(data))
		h.Write(data)
	}
	hashed := map[string]string{}
	for _, m := range mods {
		fmt.Fprintf(h, "module %q %q main=%t", m.Path, m.Version, m.Main)
		if m.Replace != nil {
			fmt.Fprintf(h, " => %q %q", m.Replace.Path, m.Replace.Version)
		}
		d := m.local()
		if d == "" {
			fmt.Fprintf(h, "\n")
			continue
		}
		sum, ok := hashed[d]
		if !ok {
			if sum, err = SourceHash(d); err != nil {
				return "", fmt.Errorf("module %s in %s: %w", m.Path, d, err)
			}
			hashed[d] = sum
		}
		// The source by content, not by where it lies: two checkouts of
		// the same code hash alike.
		fmt.Fprintf(h, " source %s\n", sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// buildList returns the modules of the build in dir, and whether the go
// command builds from vendor/, where it lists only the main modules.
func buildList(ctx context.Context, r gotool.Runner, dir string) ([]listedModule, bool, error) {
	res, err := r.Run(ctx, gotool.Cmd{Args: []string{"go", "list", "-m", "-json", "all"}, Dir: dir})
	vendored := false
	if err != nil {
		var ge *gotool.Error
		if !errors.As(err, &ge) || !strings.Contains(ge.Stderr, "using the vendor directory") {
			return nil, false, fmt.Errorf("listing the build's modules: %w", err)
		}
		vendored = true
		if res, err = r.Run(ctx, gotool.Cmd{Args: []string{"go", "list", "-m", "-json"}, Dir: dir}); err != nil {
			return nil, false, fmt.Errorf("listing the main modules: %w", err)
		}
	}
	var mods []listedModule
	dec := json.NewDecoder(bytes.NewReader(res.Stdout))
	for {
		var m listedModule
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return nil, false, fmt.Errorf("reading go list -m output: %v", err)
		}
		if m.Error != nil {
			return nil, false, fmt.Errorf("module %s: %s", m.Path, m.Error.Err)
		}
		if d := m.local(); d != "" && !filepath.IsAbs(d) {
			m.Dir = filepath.Join(dir, d) // not expected from the go command
			if m.Replace != nil {
				m.Replace.Dir = m.Dir
			}
		}
		mods = append(mods, m)
	}
	if len(mods) == 0 {
		return nil, false, errors.New("listing the build's modules: the go command listed none")
	}
	return mods, vendored, nil
}
