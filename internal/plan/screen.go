package plan

import (
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
)

// Screening measures less than the grid: it varies one axis at a time
// from the baseline, so that builds grow with the sum of the axis sizes
// instead of their product, then combines the best value of each axis
// into one variant and confirms it against the baseline. The engine runs
// the stages; this file decides what each measures.

// groupNamed holds the named variants of gotune.yaml (and any variant with
// the baseline's settings): whole builds, compared as they are.
const groupNamed = "named"

// Screen is what screening measures first.
type Screen struct {
	// First lists the variants of the first stage, the baseline first:
	// every variant that changes a single axis, and the named variants.
	First []string
	// Groups maps each axis to the variants that change it alone.
	Groups map[string][]string
	// Later lists the variants that change two axes or more: built only
	// when one of them is the combination of the best values.
	Later []string
}

// named reports whether v is a named variant of gotune.yaml: generated
// names always hold "=", and a valid name never does.
func named(v result.Variant) bool {
	return !strings.Contains(v.Name, "=")
}

// differ returns the names of the axes on which a and b build or run
// differently.
func differ(a, b *result.Variant) []string {
	var out []string
	for _, ax := range a.Build().Differ(b.Build()) {
		out = append(out, ax.Name)
	}
	return out
}

// ScreenOf plans the first stage of screening. Variants that are not
// StatusOK are left out.
func ScreenOf(run *result.Run) Screen {
	p := Screen{First: []string{run.Baseline}, Groups: map[string][]string{}}
	base := run.Variant(run.Baseline)
	for _, v := range run.Variants {
		if v.Name == run.Baseline || v.Status != result.StatusOK {
			continue
		}
		d := differ(&v, base)
		switch {
		case named(v) || len(d) == 0:
			p.Groups[groupNamed] = append(p.Groups[groupNamed], v.Name)
		case len(d) == 1:
			p.Groups[d[0]] = append(p.Groups[d[0]], v.Name)
		default:
			p.Later = append(p.Later, v.Name)
			continue
		}
		p.First = append(p.First, v.Name)
	}
	return p
}

// Combine picks the fastest value of each axis — a variant faster than the
// baseline, with the lowest change of its axis — from an analysed first
// stage, and returns the variant of the matrix with all of them among
// those planned, with the best variant of each axis. It returns "" when no
// axis has a faster value or the matrix lacks that point.
func Combine(run *result.Run, a *result.Analysis, p Screen) (string, []string) {
	var best []string // the winner of each axis, in axis order
	base := run.Variant(run.Baseline)
	want := base.Build()
	for _, ax := range axis.Names() {
		var win *result.VariantStats
		for _, name := range p.Groups[ax] {
			i := slices.IndexFunc(a.Variants, func(s result.VariantStats) bool { return s.Name == name })
			if i < 0 {
				continue
			}
			s := &a.Variants[i]
			if s.Verdict == result.VerdictFaster && (win == nil || s.Change.Center < win.Change.Center) {
				win = s
			}
		}
		if win == nil {
			continue
		}
		best = append(best, win.Name)
		want = want.With(axis.ByName(ax), run.Variant(win.Name).Build().Get(axis.ByName(ax)))
	}
	if len(best) == 0 {
		return "", best
	}
	for _, v := range run.Variants {
		planned := slices.Contains(p.First, v.Name) || slices.Contains(p.Later, v.Name)
		if planned && !named(v) && v.Name != run.Baseline && len(v.Build().Differ(want)) == 0 {
			return v.Name, best
		}
	}
	return "", best
}
