package binaries

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/gotune/gotune/internal/builder"
	"github.com/gotune/gotune/internal/cache"
	"github.com/gotune/gotune/internal/layout"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// BuildLayouts builds the named variants again in code layouts 1 to n−1:
// with padding ahead of each measured package (package layout), through an
// -overlay file, so that the target is never written. A variant measured
// in place of its twins, and variants that share a build, are built once
// per layout; twins are not built. The builds are added to each variant's
// Builds with their Layout; a variant whose padded build fails is measured
// in layout 0 only, with a warning.
func (m *Maker) BuildLayouts(ctx context.Context, run *result.Run, names []string, n int) error {
	if n <= 1 {
		return nil
	}
	o := m.o
	binDir := filepath.Join(o.RunDir, "bin")
	for k := 1; k < n; k++ {
		// One overlay per source: each revision pads its own packages.
		overlays := map[*target.Target]string{}
		for _, name := range names {
			v := run.Variant(name)
			if v == nil || !v.Measured() {
				continue
			}
			tg := m.target(v)
			if _, ok := overlays[tg]; ok {
				continue
			}
			var pkgs []layout.Package
			for _, pk := range tg.Packages {
				pkgs = append(pkgs, layout.Package{ImportPath: pk.ImportPath, Dir: pk.Dir, Name: pk.Name, Files: pk.Files})
			}
			dir := filepath.Join(o.RunDir, "layout", strconv.Itoa(k))
			if r := v.Revision; r != nil {
				dir = filepath.Join(dir, builder.Slug(r.Rev))
			}
			overlay, err := layout.Overlay(dir, pkgs, k)
			if err != nil {
				// A package gotune cannot pad is measured as go builds it.
				run.Warnings = append(run.Warnings, fmt.Sprintf("code layouts are off (every variant is measured as go builds it): %v; --layouts 0 turns them off without this warning", err))
				return nil
			}
			overlays[tg] = overlay
		}
		shared := map[string]string{} // build key → the variant built with it
		var todo []result.Variant
		var keys []string
		for _, name := range names {
			v := run.Variant(name)
			if v == nil || !v.Measured() || hasLayout(v, k) {
				continue
			}
			base, err := m.key(v)
			if err != nil {
				continue
			}
			key := cache.Key("layout", base, strconv.Itoa(k))
			if w, ok := shared[key]; ok {
				v.Builds = append(v.Builds, layoutBuilds(run.Variant(w), k)...)
				continue
			}
			shared[key] = name
			if !o.Fresh {
				if builds, ok := m.cache.LoadBuild(key); ok {
					if placed, err := cache.Place(builds, filepath.Join(binDir, builder.Slug(v.Name), fmt.Sprintf("layout-%d", k))); err == nil {
						v.Builds = append(v.Builds, placed...)
						m.Cached++
						continue
					}
				}
			}
			todo = append(todo, result.Variant{Name: v.Name, Settings: v.Settings, Profile: v.Profile, Status: result.StatusOK, Revision: v.Revision})
			keys = append(keys, key)
		}
		if len(todo) == 0 {
			continue
		}
		// The variants of one source share its overlay: build them together.
		var groups []*target.Target
		for _, b := range todo {
			if tg := m.target(&b); !slices.Contains(groups, tg) {
				groups = append(groups, tg)
			}
		}
		for _, tg := range groups {
			var group []result.Variant
			var gkeys []string
			for i, b := range todo {
				if m.target(&b) == tg {
					group = append(group, b)
					gkeys = append(gkeys, keys[i])
				}
			}
			err := builder.Build(ctx, builder.Options{Runner: o.Runner, Dir: o.Target.Dir, BinDir: binDir, Packages: o.Packages, Log: o.Log, Layout: k, Overlay: overlays[tg]}, group)
			if err != nil {
				return err
			}
			for i, b := range group {
				v := run.Variant(b.Name)
				if b.Status != result.StatusOK {
					run.Warnings = append(run.Warnings, fmt.Sprintf("%s: its build in code layout %d failed, so it is measured in layout 0 only: %s", v.Name, k, firstLine(b.Reason)))
					continue
				}
				v.Builds = append(v.Builds, b.Builds...)
				m.Built++
				if err := m.cache.StoreBuild(gkeys[i], b.Builds); err != nil {
					fmt.Fprintf(o.Log, "gotune: caching the layout-%d build of %s: %v\n", k, v.Name, err)
				}
			}
		}
		// Variants that share a build take its padded binaries.
		for _, name := range names {
			v := run.Variant(name)
			if v == nil || !v.Measured() || hasLayout(v, k) {
				continue
			}
			base, _ := m.key(v)
			if w, ok := shared[cache.Key("layout", base, strconv.Itoa(k))]; ok && w != name {
				v.Builds = append(v.Builds, layoutBuilds(run.Variant(w), k)...)
			}
		}
	}
	return nil
}

// hasLayout reports whether v has binaries of layout k.
func hasLayout(v *result.Variant, k int) bool {
	return slices.ContainsFunc(v.Builds, func(b result.Build) bool { return b.Layout == k })
}

// layoutBuilds returns v's builds of layout k.
func layoutBuilds(v *result.Variant, k int) []result.Build {
	var out []result.Build
	for _, b := range v.Builds {
		if b.Layout == k {
			out = append(out, b)
		}
	}
	return out
}
