// Package search decides what gotune builds and measures, between the
// matrix and the builder in the pipeline:
//
//	matrix.Expand ──► []Variant ──► search.Screen ──► builder ──► measure ──► stats ──► search.Combine ──► …
//
// A grid builds and measures every variant. Screening varies one axis at a
// time from the baseline, so that builds grow with the sum of the axis
// sizes instead of their product, then combines the best value of each
// axis into one variant and confirms it against the baseline. Everything
// here is a pure function of resolved variants and of analysed results: no
// I/O, no clock.
package search

import (
	"github.com/gotune/gotune/internal/axis"

	"slices"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// DefaultScreenAbove is the number of variants above which screening is the
// default search: the default matrix (GOAMD64 levels × pgo) stays a grid.
const DefaultScreenAbove = 8

// GroupNamed holds the named variants of gotune.yaml (and any variant
// with the baseline's settings): whole builds, compared as they are.
const GroupNamed = "named"

// Differ returns the names of the axes on which a and b build or run
// differently, in table order: flags as the go command splits them, env in
// any order, PGO resolved (pgo auto without a default.pgo builds the same
// as off).
func Differ(a, b *result.Variant) []string {
	var out []string
	for _, ax := range a.Build().Differ(b.Build()) {
		out = append(out, ax.Name)
	}
	return out
}

// Named reports whether v is a named variant of gotune.yaml: generated
// names always hold "=", and a valid name never does.
func Named(v result.Variant) bool {
	return !strings.Contains(v.Name, "=")
}

// Plan is what screening measures first.
type Plan struct {
	Baseline string
	// First lists the variants of the first stage, the baseline first:
	// every variant that changes a single axis, and the named variants.
	First []string
	// Groups are the race groups of the first stage: one per axis with
	// the variants that change it, then GroupNamed. Values of different
	// axes do not compete: each axis races its own values against the
	// baseline's.
	Groups []stats.RaceGroup
	// Later lists the variants that change two axes or more: built only
	// when one of them is the combination of the best values.
	Later []string
}

// Screen plans the first stage of screening over variants, whose first
// element that is named baseline is the baseline. Variants that are not
// StatusOK (skipped because the CPU cannot run them) are left out.
func Screen(variants []result.Variant, baseline string) Plan {
	p := Plan{Baseline: baseline, First: []string{baseline}}
	base := find(variants, baseline)
	if base == nil {
		return p
	}
	groups := map[string][]string{}
	for _, v := range variants {
		if v.Name == baseline || v.Status != result.StatusOK {
			continue
		}
		d := Differ(&v, base)
		switch {
		case Named(v) || len(d) == 0:
			groups[GroupNamed] = append(groups[GroupNamed], v.Name)
		case len(d) == 1:
			groups[d[0]] = append(groups[d[0]], v.Name)
		default:
			p.Later = append(p.Later, v.Name)
			continue
		}
		p.First = append(p.First, v.Name)
	}
	for _, g := range append(axis.Names(), GroupNamed) {
		if len(groups[g]) > 0 {
			p.Groups = append(p.Groups, stats.RaceGroup{Name: g, Variants: groups[g]})
		}
	}
	return p
}

// Combination is what Combine found.
type Combination struct {
	// Best maps each axis to its fastest value's variant: Faster than the
	// baseline after analysis, with the lowest geomean of its axis. An
	// axis with no faster value keeps the baseline's and is absent.
	Best map[string]string
	// Variant is the variant of the matrix with every best value; "" when
	// no axis has one, or when the matrix lacks that point.
	Variant string
	// New reports that Variant was not in the first stage: it must be
	// built and confirmed against the baseline.
	New bool
}

// Combine picks the best value of each axis from an analysed first stage
// (run holds the variants with their verdicts) and finds the variant of
// the matrix that has all of them among those the plan holds (whatever
// their status now: the caller may have marked the later ones skipped).
func Combine(variants []result.Variant, plan Plan, run *result.Run) Combination {
	c := Combination{Best: map[string]string{}}
	base := find(variants, plan.Baseline)
	if base == nil {
		return c
	}
	want := base.Build()
	for _, g := range plan.Groups {
		if g.Name == GroupNamed {
			continue
		}
		var best *result.Variant
		for _, name := range g.Variants {
			v := run.Variant(name)
			if v == nil || v.Verdict != result.VerdictFaster || v.Geomean == nil {
				continue
			}
			if best == nil || v.Geomean.Center < best.Geomean.Center {
				best = v
			}
		}
		if best == nil {
			continue
		}
		c.Best[g.Name] = best.Name
		ax := axis.ByName(g.Name)
		want = want.With(ax, best.Build().Get(ax))
	}
	if len(c.Best) == 0 {
		return c
	}
	for _, v := range variants {
		planned := slices.Contains(plan.First, v.Name) || slices.Contains(plan.Later, v.Name)
		if planned && !Named(v) && v.Name != plan.Baseline && len(v.Build().Differ(want)) == 0 {
			c.Variant = v.Name
			c.New = !slices.Contains(plan.First, v.Name)
			break
		}
	}
	return c
}

func find(vs []result.Variant, name string) *result.Variant {
	for i := range vs {
		if vs[i].Name == name {
			return &vs[i]
		}
	}
	return nil
}

// FitRounds returns how many rounds of perRound fit in left, at least lo
// and at most hi.
func FitRounds(left, perRound time.Duration, lo, hi int) int {
	n := hi
	if perRound > 0 {
		n = int(left / perRound)
	}
	return max(lo, min(n, hi))
}
