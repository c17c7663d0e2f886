package stats

import (
	"math"
	"slices"

	"github.com/gotune/gotune/internal/result"
)

// TimeUnit is the unit benchfmt gives benchmark times: the unit verdicts,
// overall changes and ranks are based on.
const TimeUnit = "sec/op"

// key identifies one benchmark (full name) and unit.
type key struct{ pkg, name, unit string }

// pair is a variant's value and the baseline's in one block.
type pair struct {
	block, cycle, layout int
	base, x              float64
}

// table indexes a run's samples by block, variant and key.
type table struct {
	base   string
	blocks map[int]result.Block
	vals   map[int]map[string]map[key]float64
	keys   []key  // in order of first appearance
	unit   string // the unit of the verdicts (cycles); "" = TimeUnit
}

func newTable(samples []result.Sample, blocks []result.Block, base string) *table {
	t := &table{base: base, blocks: map[int]result.Block{}, vals: map[int]map[string]map[key]float64{}}
	for _, b := range blocks {
		t.blocks[b.Index] = b
	}
	seen := map[key]bool{}
	for _, s := range samples {
		if s.Unit == "B/s" {
			continue // b.SetBytes: sec/op again, inverted
		}
		k := key{s.Package, s.Benchmark, s.Unit}
		if !seen[k] {
			seen[k] = true
			t.keys = append(t.keys, k)
		}
		bv := t.vals[s.Block]
		if bv == nil {
			bv = map[string]map[key]float64{}
			t.vals[s.Block] = bv
		}
		if bv[s.Variant] == nil {
			bv[s.Variant] = map[key]float64{}
		}
		bv[s.Variant][k] = s.Value
	}
	return t
}

// pairs returns v's values paired with the baseline's in the same block,
// in block order.
func (t *table) pairs(v string, k key) []pair {
	var out []pair
	for idx, bv := range t.vals {
		x, ok := bv[v][k]
		b, okb := bv[t.base][k]
		if !ok || !okb {
			continue
		}
		blk := t.blocks[idx]
		out = append(out, pair{block: idx, cycle: blk.Cycle, layout: blk.Layout, base: b, x: x})
	}
	slices.SortFunc(out, func(a, b pair) int { return a.block - b.block })
	return out
}

// cycle is one cycle's overall log-ratio of a variant: the mean over its
// benchmarks of ln(variant/baseline) in the cycle's blocks.
type cycle struct {
	n, layout int
	m         float64
	names     int
}

// cycles returns v's per-cycle overall log-ratios in cycle order. A last
// cycle with fewer benchmarks than the one before it was cut short (an
// interrupt) and is left out.
func (t *table) cycles(v string) []cycle { return t.cyclesExcept(v, key{}) }

// cyclesExcept is cycles without the benchmark of key skip: what the
// overall change would have been without it.
func (t *table) cyclesExcept(v string, skip key) []cycle {
	sum := map[int]*cycle{}
	unit := t.unit
	if unit == "" {
		unit = TimeUnit
	}
	for _, k := range t.keys {
		if k.unit != unit || k.pkg == skip.pkg && k.name == skip.name {
			continue
		}
		for _, p := range t.pairs(v, k) {
			if p.base <= 0 || p.x <= 0 {
				continue
			}
			c := sum[p.cycle]
			if c == nil {
				c = &cycle{n: p.cycle, layout: p.layout}
				sum[p.cycle] = c
			}
			if HigherIsBetter(unit) {
				c.m += math.Log(p.base / p.x) // as a cost: lower is better
			} else {
				c.m += math.Log(p.x / p.base)
			}
			c.names++
		}
	}
	var out []cycle
	for _, c := range sum {
		c.m /= float64(c.names)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b cycle) int { return a.n - b.n })
	if n := len(out); n >= 2 && out[n-1].names < out[n-2].names {
		out = out[:n-1]
	}
	return out
}

// values returns the m of each cycle.
func values(cs []cycle) []float64 {
	out := make([]float64, len(cs))
	for i, c := range cs {
		out[i] = c.m
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
