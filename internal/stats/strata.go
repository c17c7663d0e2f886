package stats

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotune/gotune/internal/pairstat"
	"github.com/gotune/gotune/internal/result"
)

// methodShards is the Method of a merged result's analysis.
const methodShards = "shards merged: each shard's paired blocks analysed on their own (per variant the per-cycle geometric mean of time ratios, Hodges–Lehmann estimate and interval), the shards' estimates combined weighted by their share of the benchmarks (Student t, Welch–Satterthwaite degrees of freedom), Holm across variants, α=%g; per benchmark the paired signed-rank test on its own runner, Holm per unit over every shard"

// shardTables splits a merged run's samples by the shard that measured
// them: one table per shard, in shard order. Blocks without a shard are
// left out.
func shardTables(run *result.Run) (shards []int, tables []*table) {
	of := map[int]int{} // block → shard
	blocks := map[int][]result.Block{}
	for _, b := range run.Blocks {
		if b.Shard == 0 {
			continue
		}
		of[b.Index] = b.Shard
		if _, ok := blocks[b.Shard]; !ok {
			shards = append(shards, b.Shard)
		}
		blocks[b.Shard] = append(blocks[b.Shard], b)
	}
	slices.Sort(shards)
	samples := map[int][]result.Sample{}
	for _, s := range run.Samples {
		if k, ok := of[s.Block]; ok {
			samples[k] = append(samples[k], s)
		}
	}
	for _, k := range shards {
		tables = append(tables, newTable(samples[k], blocks[k], run.Baseline))
	}
	return shards, tables
}

// timeKeys counts the baseline's sec/op keys (benchmarks and
// sub-benchmarks) in t: what a cycle's mean is taken over.
func (t *table) timeKeys() int {
	n := 0
	for _, k := range t.keys {
		if k.unit != TimeUnit {
			continue
		}
		for _, bv := range t.vals {
			if _, ok := bv[t.base][k]; ok {
				n++
				break
			}
		}
	}
	return n
}

// ShardStrata returns, for a merged run (blocks tagged with their shard),
// each shard's strata: per measured variant its cycles, its change within
// the shard (Hodges–Lehmann with the 95% interval) and its weight in the
// merged estimate, the shard's share of the benchmarks. Keyed by shard.
func ShardStrata(run *result.Run) map[int][]result.Stratum {
	shards, tables := shardTables(run)
	total := 0
	for _, t := range tables {
		total += t.timeKeys()
	}
	out := map[int][]result.Stratum{}
	for i, t := range tables {
		w := 0.0
		if total > 0 {
			w = float64(t.timeKeys()) / float64(total)
		}
		for _, v := range run.Variants {
			if v.Name == run.Baseline || !v.Measured() {
				continue
			}
			d := values(t.cycles(v.Name))
			if len(d) == 0 {
				continue
			}
			lo, hi := pairstat.HLInterval(d, 0.95)
			out[shards[i]] = append(out[shards[i]], result.Stratum{
				Name: v.Name, Cycles: len(d), Weight: w,
				Change: result.Ratio{Center: math.Exp(pairstat.HodgesLehmann(d)), Lo: math.Exp(lo), Hi: math.Exp(hi)},
			})
		}
	}
	return out
}

// stratified decides the named variants of a merged run with α: each
// variant's per-shard per-cycle log-ratios are strata
// (pairstat.Stratified, weighted by the shards' shares of the benchmarks),
// Holm across the variants; faster or slower when Holm rejects, the same
// speed when the interval at 1−2α lies within ±equivalence, else
// undecided. The layout rules are decide's. A variant missing from a shard
// is combined over the shards that measured it.
func stratified(t *table, run *result.Run, names []string, alpha, equivalence float64) map[string]arm {
	_, tables := shardTables(run)
	total := 0
	ws := make([]float64, len(tables))
	for i, st := range tables {
		ws[i] = float64(st.timeKeys())
		total += st.timeKeys()
	}
	out := map[string]arm{}
	combined := make([]pairstat.Combined, len(names))
	ds := make([]pairstat.Decision, len(names))
	ps := make([]float64, len(names))
	for i, n := range names {
		var strata []pairstat.Stratum
		for j, st := range tables {
			if d := values(st.cycles(n)); len(d) > 0 {
				strata = append(strata, pairstat.Stratum{D: d, Weight: ws[j] / float64(max(total, 1))})
			}
		}
		combined[i] = pairstat.Stratified(strata, 1-alpha)
		ps[i], ds[i].P = combined[i].P, combined[i].P
	}
	adj := pairstat.Holm(ps)
	levels := holmLevels(ds, len(names), alpha)
	eq := math.Log1p(equivalence)
	for i, n := range names {
		c := combined[i]
		a := arm{name: n, cycles: t.cycles(n), verdict: result.VerdictUnclear, p: c.P, level: levels[i]}
		switch {
		case adj[i] <= alpha && c.Estimate < 0:
			a.verdict = result.VerdictFaster
		case adj[i] <= alpha && c.Estimate > 0:
			a.verdict = result.VerdictSlower
		default:
			if lo, hi := c.Interval(1 - 2*alpha); lo > -eq && hi < eq {
				a.verdict, a.level = result.VerdictSame, min(1, 2*alpha)
			}
		}
		re, multi := layoutInterval(a.cycles, a.level)
		a.checkLayouts(eq, re, multi)
		lo, hi := c.Interval(1 - a.level)
		if multi {
			lo, hi = min(lo, re.Lo), max(hi, re.Hi)
		}
		a.change = result.Ratio{Center: math.Exp(c.Estimate), Lo: math.Exp(lo), Hi: math.Exp(hi)}
		out[n] = a
	}
	return out
}

// shardsMethod is the Method line of a merged result.
func shardsMethod(alpha float64) string { return fmt.Sprintf(methodShards, alpha) }
