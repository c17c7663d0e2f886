package search

import (
	"github.com/gotune/gotune/internal/axis"

	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/result"
)

// cross returns the variants of a cross product over goamd64 × gcflags ×
// env, named as matrix.Expand names them, the baseline first.
func cross(levels, gcflags, envs []string) []result.Variant {
	base := axis.Settings{"goamd64": levels[0], "pgo": "auto"}
	vs := []result.Variant{{Name: "baseline", Settings: base, Status: result.StatusOK}}
	for _, l := range levels {
		for _, g := range gcflags {
			for _, e := range envs {
				s := base.With(axis.GOAMD64, l).With(axis.GCFlags, g).With(axis.Env, e)
				var parts []string
				if l != base.Get(axis.GOAMD64) {
					parts = append(parts, "goamd64="+l)
				}
				if g != "" {
					parts = append(parts, "gcflags="+g)
				}
				if e != "" {
					parts = append(parts, "env="+e)
				}
				if len(parts) == 0 {
					continue
				}
				vs = append(vs, result.Variant{Name: strings.Join(parts, ","), Settings: s, Status: result.StatusOK})
			}
		}
	}
	return vs
}

func TestScreen(t *testing.T) {
	vs := cross([]string{"v1", "v2", "v3"}, []string{"", "all=-B", "all=-l"}, []string{"", "GOEXPERIMENT=nogreenteagc"})
	vs = append(vs,
		result.Variant{Name: "release", Settings: axis.Settings{"goamd64": "v3", "ldflags": "-s -w", "pgo": "off"}, Status: result.StatusOK},
		result.Variant{Name: "goamd64=v4", Settings: axis.Settings{"goamd64": "v4", "pgo": "off"}, Status: result.StatusSkipped})
	p := Screen(vs, "baseline")
	wantFirst := []string{"baseline", "env=GOEXPERIMENT=nogreenteagc", "gcflags=all=-B", "gcflags=all=-l", "goamd64=v2", "goamd64=v3", "release"}
	if !slices.Equal(p.First, wantFirst) {
		t.Errorf("first stage %q, want %q", p.First, wantFirst)
	}
	// Builds grow with the sum of the axis sizes: 1 + 2 + 2 + 1, plus the
	// named variant, against 18 for the grid.
	if len(vs)-2 != 18 || len(p.First) != 7 || len(p.Later) != 12 {
		t.Errorf("%d variants: %d first, %d later", len(vs), len(p.First), len(p.Later))
	}
	var groups []string
	for _, g := range p.Groups {
		groups = append(groups, fmt.Sprintf("%s:%s", g.Name, strings.Join(g.Variants, "|")))
	}
	want := []string{"goamd64:goamd64=v2|goamd64=v3", "gcflags:gcflags=all=-B|gcflags=all=-l", "env:env=GOEXPERIMENT=nogreenteagc", "named:release"}
	if !slices.Equal(groups, want) {
		t.Errorf("groups %q, want %q", groups, want)
	}
}

func TestCombine(t *testing.T) {
	vs := cross([]string{"v1", "v2", "v3"}, []string{"", "all=-B", "all=-l"}, []string{"", "GOEXPERIMENT=nogreenteagc"})
	p := Screen(vs, "baseline")
	// verdicts gives each named variant a verdict and geomean center.
	verdicts := func(vv map[string]float64) *result.Run {
		run := &result.Run{Baseline: "baseline", Variants: slices.Clone(vs)}
		for i := range run.Variants {
			v := &run.Variants[i]
			g, ok := vv[v.Name]
			if !ok {
				v.Verdict = result.VerdictNoDiff
				continue
			}
			v.Geomean = &result.Ratio{Center: g, Lo: g - 0.01, Hi: g + 0.01}
			v.Verdict = result.VerdictFaster
			if g > 1 {
				v.Verdict = result.VerdictSlower
			}
		}
		return run
	}
	tests := []struct {
		name    string
		geo     map[string]float64
		variant string
		isNew   bool
		best    int
	}{
		{"nothing faster", map[string]float64{"gcflags=all=-l": 1.2}, "", false, 0},
		{"one axis: the first stage has it", map[string]float64{"goamd64=v3": 0.95, "goamd64=v2": 0.97}, "goamd64=v3", false, 1},
		{"two axes: a new build", map[string]float64{"goamd64=v2": 0.95, "goamd64=v3": 0.97, "gcflags=all=-B": 0.98}, "goamd64=v2,gcflags=all=-B", true, 2},
		{"three axes", map[string]float64{"goamd64=v3": 0.95, "gcflags=all=-B": 0.98, "env=GOEXPERIMENT=nogreenteagc": 0.9}, "goamd64=v3,gcflags=all=-B,env=GOEXPERIMENT=nogreenteagc", true, 3},
	}
	// The caller marks the later variants skipped before combining.
	marked := slices.Clone(vs)
	for i := range marked {
		if slices.Contains(p.Later, marked[i].Name) {
			marked[i].Status = result.StatusSkipped
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Combine(marked, p, verdicts(tt.geo))
			if c.Variant != tt.variant || c.New != tt.isNew || len(c.Best) != tt.best {
				t.Errorf("combination %+v, want %q (new %v) from %d axes", c, tt.variant, tt.isNew, tt.best)
			}
		})
	}
}

func TestDiffer(t *testing.T) {
	a := &result.Variant{Settings: axis.Settings{"goamd64": "v1", "ldflags": "-s  -w", "pgo": "off", "env": "A=1 B=2"}}
	b := &result.Variant{Settings: axis.Settings{"goamd64": "v1", "ldflags": "-s -w", "pgo": "auto", "env": "B=2 A=1"}}
	if d := Differ(a, b); len(d) != 0 {
		t.Errorf("Differ = %v, want none: flags split on spaces, env in any order, pgo auto without a profile is off", d)
	}
	b.Settings = b.Settings.With(axis.GOAMD64, "v3").With(axis.GCFlags, "-l")
	if d := Differ(a, b); !slices.Equal(d, []string{"goamd64", "gcflags"}) {
		t.Errorf("Differ = %v", d)
	}
}

func TestFitRounds(t *testing.T) {
	tests := []struct {
		left, per time.Duration
		lo, hi    int
		want      int
	}{
		{10 * time.Minute, time.Minute, 1, 50, 10},
		{10 * time.Minute, time.Minute, 1, 6, 6},
		{30 * time.Second, time.Minute, 2, 50, 2},
		{-time.Minute, time.Minute, 1, 50, 1},
		{time.Minute, 0, 1, 20, 20},
	}
	for _, tt := range tests {
		if got := FitRounds(tt.left, tt.per, tt.lo, tt.hi); got != tt.want {
			t.Errorf("FitRounds(%s, %s, %d, %d) = %d, want %d", tt.left, tt.per, tt.lo, tt.hi, got, tt.want)
		}
	}
}
