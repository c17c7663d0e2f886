// Package binaries makes the binaries a run measures, between the plan and
// the measuring engine:
//
//	plan ──► binaries: collect a profile (pgo=collect) ─► build (through gotune's cache) ─► fingerprint, dedupe ─► prove PGO ──► measure
//
// It fills each variant's Builds, Profile and PGOEffect, marks twins
// (SameCodeAs: identical compiled code and the same run settings, measured
// once), and skips what cannot be measured with the reason. One variant's
// failure never stops the others; only a cancelled context is an error.
package binaries

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/cache"
	"github.com/gotune/gotune/internal/gotool"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// Options configure a Maker.
type Options struct {
	Runner gotool.Runner
	Target *target.Target
	// Targets are the targets of the revisions a run compares, keyed by
	// the rev axis's value (plan.Plan.Sources): a variant with a revision
	// builds its own; nil without revisions.
	Targets  map[string]*target.Target
	Packages []string // import paths of the packages measured
	RunDir   string   // the run folder: bin/ and pgo/ go there
	CacheDir string   // gotune's build cache
	Fresh    bool     // ignore the cache (what is built is still stored)
	NoDedupe bool     // measure variants with identical code separately
	// Source is the hash of every module the build reads (the target and
	// its replacements), for the cache key.
	Source  string
	Host    result.Host
	Version string // gotune's, for provenance
	Log     io.Writer
	// Builds reports the builds bar: done of total.
	Builds func(done, total int)
	// Main builds the packages as programs with go build (service mode)
	// instead of their test binaries.
	Main bool
}

// Maker makes binaries over the stages of one run: it remembers every
// fingerprint, so that a variant built in a later stage is deduplicated
// against those built before.
type Maker struct {
	o            Options
	cache        cache.Cache
	fingerprints map[string]string // fingerprint and run settings → first variant with them
	// Built and Cached count the variants built and taken from the cache.
	Built, Cached int
}

// New returns a Maker.
func New(o Options) *Maker {
	if o.Runner == nil {
		o.Runner = gotool.Exec{}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Builds == nil {
		o.Builds = func(int, int) {}
	}
	return &Maker{o: o, cache: cache.Cache{Dir: o.CacheDir}, fingerprints: map[string]string{}}
}

// buildLine matches the builder's "build i/n name" lines.
var buildLine = regexp.MustCompile(`^build (\d+)/(\d+) `)

// Build builds the named variants of run that are still StatusOK and have
// no binaries yet, from the cache when it has them. Variants that differ
// only in run settings share one build. Then it fingerprints them against
// everything built before (SameCodeAs) and proves their PGO profiles took
// effect.
func (m *Maker) Build(ctx context.Context, run *result.Run, names []string) error {
	o := m.o
	binDir := filepath.Join(o.RunDir, "bin")
	var todo []int
	keys := map[string]string{}
	shared := map[string]int{} // build key → the variant that builds it
	cached := 0
	for _, n := range names {
		i := slices.IndexFunc(run.Variants, func(v result.Variant) bool { return v.Name == n })
		if i < 0 || run.Variants[i].Status != result.StatusOK || len(run.Variants[i].Builds) > 0 {
			continue
		}
		v := &run.Variants[i]
		key, kerr := m.key(v)
		if kerr == nil {
			keys[v.Name] = key
			if j, ok := shared[key]; ok && j != i {
				continue // built with the variant of the same build settings
			}
			shared[key] = i
			if !o.Fresh {
				if builds, ok := m.cache.LoadBuild(key); ok {
					if placed, err := cache.Place(builds, filepath.Join(binDir, builder.Slug(v.Name))); err == nil {
						v.Builds = placed
						cached++
						m.Cached++
						fmt.Fprintf(o.Log, "gotune: %s: binaries from the cache (--fresh builds again)\n", v.Name)
						continue
					}
				}
			}
		}
		todo = append(todo, i)
	}
	total := cached + len(todo)
	o.Builds(cached, total)
	if len(todo) > 0 {
		sub := make([]result.Variant, len(todo))
		for j, i := range todo {
			sub[j] = run.Variants[i]
		}
		logw := &lineWriter{fn: func(line string) {
			if mm := buildLine.FindStringSubmatch(line); mm != nil {
				done, _ := strconv.Atoi(mm[1])
				o.Builds(cached+done-1, total)
			}
			fmt.Fprintln(o.Log, line)
		}}
		err := builder.Build(ctx, builder.Options{Runner: o.Runner, Dir: o.Target.Dir, BinDir: binDir, Packages: o.Packages, Log: logw, Main: o.Main}, sub)
		logw.Flush()
		if err != nil {
			return err
		}
		for j, i := range todo {
			v := &run.Variants[i]
			v.Status, v.Reason, v.Builds = sub[j].Status, sub[j].Reason, sub[j].Builds
			if v.Status == result.StatusOK {
				m.Built++
				if key := keys[v.Name]; key != "" {
					if err := m.cache.StoreBuild(key, v.Builds); err != nil {
						fmt.Fprintf(o.Log, "gotune: caching the build of %s: %v\n", v.Name, err)
					}
				}
			}
		}
		m.cache.Prune(cache.DefaultKeep)
	}
	o.Builds(total, total)
	// Variants that share a build take its binaries (or its failure).
	for _, n := range names {
		v := run.Variant(n)
		if v == nil || v.Status != result.StatusOK || len(v.Builds) > 0 {
			continue
		}
		if i, ok := shared[keys[n]]; ok {
			w := run.Variants[i]
			v.Status, v.Reason, v.Builds = w.Status, w.Reason, slices.Clone(w.Builds)
		}
	}
	fresh := m.dedupe(run, names)
	return m.provePGO(ctx, run, fresh)
}

// dedupe fingerprints the variants just built, in matrix order, against
// every variant built so far: a variant with the compiled code and the run
// settings of an earlier one is its twin, measured once. It returns the
// variants fingerprinted now.
func (m *Maker) dedupe(run *result.Run, names []string) []string {
	var fresh []string
	for _, n := range names {
		v := run.Variant(n)
		if v == nil || v.Status != result.StatusOK || v.SameCodeAs != "" || m.known(v.Name) {
			continue
		}
		fresh = append(fresh, n)
		fp := builder.VariantFingerprint(v.Builds) + "\x00" + v.Settings.Key(axis.Run)
		twin, ok := m.fingerprints[fp]
		if ok && !m.o.NoDedupe {
			v.SameCodeAs = twin
			fmt.Fprintf(m.o.Log, "  %s: same compiled code as %s: measured once\n", v.Name, twin)
			continue
		}
		if !ok {
			m.fingerprints[fp] = v.Name
		}
	}
	return fresh
}

// known reports whether a variant's fingerprint is recorded.
func (m *Maker) known(name string) bool {
	for _, n := range m.fingerprints {
		if n == name {
			return true
		}
	}
	return false
}

// target returns the target v builds: its revision's, or the run's.
func (m *Maker) target(v *result.Variant) *target.Target {
	if t := m.o.Targets[v.Settings.Get(axis.Rev)]; t != nil {
		return t
	}
	return m.o.Target
}

// key returns the cache key of v's build.
func (m *Maker) key(v *result.Variant) (string, error) {
	if k := BuildKey(m.o.Source, m.target(v), m.o.Host, v); k != "" {
		return k, nil
	}
	return "", fmt.Errorf("%s: its profile cannot be read", v.Name)
}

// BuildKey returns the cache key of v's build — its build settings only,
// with the profile keyed by content — or "" when its profile cannot be
// read. source is SourceHash's; a variant built from an exported revision
// is keyed by the revision's tree instead, and not by the revision's
// name (HEAD~1 names another commit tomorrow), so that a revision built
// before is not built again.
func BuildKey(source string, tg *target.Target, host result.Host, v *result.Variant) string {
	if r := v.Revision; r != nil && r.Tree != "" {
		source = "git tree " + r.Tree
	}
	profile := ""
	if v.Profile != "" {
		h, err := cache.FileHash(v.Profile)
		if err != nil {
			return ""
		}
		profile = h
	}
	var pkgs []string
	for _, pk := range tg.Packages {
		pkgs = append(pkgs, pk.ImportPath)
	}
	return cache.BuildKey(cache.BuildInputs{
		Source: source, GoVersion: tg.GoVersion, GOOS: host.GOOS, GOARCH: host.GOARCH,
		Settings: v.Build().With(axis.Rev, ""), Profile: profile, Packages: pkgs, Env: BuildEnv(),
	})
}

// SourceHash hashes the source a build of the target reads — the main
// module, directory replacements and workspace modules — for the key of
// gotune's caches and the check that a resumed run's code did not change.
func SourceHash(ctx context.Context, r gotool.Runner, tg *target.Target) (string, error) {
	return cache.BuildListHash(ctx, r, tg.Dir)
}

// BuildEnv returns the user's environment that changes what the go
// command builds.
func BuildEnv() []string {
	var env []string
	for _, k := range []string{"GOFLAGS", "GOEXPERIMENT", "CGO_ENABLED", "CC", "CXX", "CGO_CFLAGS", "CGO_LDFLAGS", "GOTOOLCHAIN", "GODEBUG", "GOROOT", "GOWORK"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// lineWriter calls fn with each complete line written to it.
type lineWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	fn  func(string)
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			return len(b), nil
		}
		w.fn(strings.TrimSuffix(line, "\n"))
	}
}

// Flush passes on a last line without its newline.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() > 0 {
		w.fn(w.buf.String())
		w.buf.Reset()
	}
}
