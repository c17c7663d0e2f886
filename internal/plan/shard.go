package plan

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// applyShard cuts the plan to shard K/N of its benchmarks (--shard): the
// split of every benchmark of the plan, balanced by times (from
// --shard-from; nil = equal counts), the target and the revisions' targets
// cut to the shard's packages, and p.Shard naming the plan for gotune
// merge. A shard measures to its budget: a shard's early stop would decide
// on its own benchmarks, not the plan's. It runs before the budget is
// chosen, so a default budget is a shard's.
func (p *Plan) applyShard(o *options.Options, times map[ShardBench]float64, from string) error {
	k, n, err := options.ParseShard(o.Shard)
	if err != nil {
		return options.Inputf("--shard %q: %v", o.Shard, err)
	}
	switch p.Search {
	case result.SearchScreen:
		if o.Search == options.SearchScreen {
			return options.Inputf("--shard with --search screen: each shard would pick its own combination from its own benchmarks; drop --search screen (shards measure the grid)")
		}
		p.Search = result.SearchGrid
		p.Warnings = append(p.Warnings, fmt.Sprintf("a shard measures the whole grid of %d variants (screening would choose per shard)", len(p.Variants)))
	}
	for _, v := range p.Variants {
		if v.Settings.PGO().Collect() {
			return options.Inputf("--shard with pgo collect: each shard would collect its own profile from its own benchmarks; collect one first ('gotune pgo collect') and give it as --pgo FILE")
		}
	}
	if len(p.Benchmarks) < n {
		return options.Inputf("--shard %s: the plan has %d benchmark(s), fewer than %d shards: use at most %d shards", o.Shard, len(p.Benchmarks), n, len(p.Benchmarks))
	}
	bs := make([]ShardBench, len(p.Benchmarks))
	for i, b := range p.Benchmarks {
		bs[i] = ShardBench{Package: b.Package, Name: b.Name}
	}
	of := SplitShards(bs, n, times)
	var mine []result.Benchmark
	keep := map[ShardBench]bool{}
	for i, b := range p.Benchmarks {
		if of[i] == k {
			mine = append(mine, b)
			keep[bs[i]] = true
		}
	}
	if !p.SeedGiven {
		// Every shard of a plan needs the same seed: without --seed, one
		// drawn from the plan itself rather than at random.
		o.Seed = derivedSeed(p.Target.Module, matrixKey(*o, p.Variants), ShardSplitKey(bs, of))
	}
	balance := "equal counts of benchmarks"
	if times != nil {
		balance = "block times of " + from
	}
	p.Shard = &result.Shard{Index: k, Count: n, Balance: balance, Plan: result.PlanID{
		Module:     p.Target.Module,
		Matrix:     matrixKey(*o, p.Variants),
		Seed:       o.Seed,
		Split:      ShardSplitKey(bs, of),
		Benchmarks: len(bs),
	}}
	p.Warnings = append(p.Warnings, fmt.Sprintf("shard %d/%d: %d of the plan's %d benchmarks (split by %s), every variant; join the %d shards' results with gotune merge", k, n, len(mine), len(bs), balance, n))
	p.Benchmarks = mine
	p.Target = cutTarget(p.Target, keep)
	for rev, tg := range p.Sources {
		p.Sources[rev] = cutTarget(tg, keep)
	}
	o.NoEarlyStop = true
	return nil
}

// matrixKey hashes what every shard of a plan must share: the variants
// (names and settings, baseline first) and the options that decide what
// the shards measure and how their verdicts are reached.
func matrixKey(o options.Options, vs []result.Variant) string {
	parts := []string{strings.Join(o.Packages, " "), o.Bench, o.Benchtime, fmt.Sprint(o.MinBlocks, o.Layouts, o.Equivalence, o.NoDedupe)}
	for _, v := range vs {
		s, _ := json.Marshal(v.Settings)
		parts = append(parts, v.Name+"="+string(s))
	}
	return ShardHash(parts...)
}

// cutTarget returns tg with only the packages and benchmarks of keep.
func cutTarget(tg *target.Target, keep map[ShardBench]bool) *target.Target {
	c := *tg
	c.Packages = nil
	for _, pk := range tg.Packages {
		bs := slices.DeleteFunc(slices.Clone(pk.Benchmarks), func(b string) bool { return !keep[ShardBench{Package: pk.ImportPath, Name: b}] })
		if len(bs) > 0 {
			pk.Benchmarks = bs
			c.Packages = append(c.Packages, pk)
		}
	}
	return &c
}

// shardTimes reads the block times of --shard-from; nil without it.
func shardTimes(o options.Options) (map[ShardBench]float64, error) {
	if o.ShardFrom == "" || o.Shard == "" {
		return nil, nil
	}
	prev, err := result.ReadFile(o.ShardFrom)
	if err != nil {
		return nil, options.Inputf("--shard-from %s: %v: give a result saved with --json (a shard's, a merged one or a whole run's)", o.ShardFrom, err)
	}
	times := ShardTimesOf(prev)
	if len(times) == 0 {
		return nil, options.Inputf("--shard-from %s: the result has no measured blocks to balance the shards by: give another result, or drop --shard-from for equal counts", o.ShardFrom)
	}
	return times, nil
}

// kernel returns the kernel's release on Linux, "" elsewhere.
func kernel() string {
	data, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// derivedSeed is a seed in [1, 2³¹−1] drawn from the parts' hash.
func derivedSeed(parts ...string) int64 {
	h, _ := strconv.ParseUint(ShardHash(parts...)[:8], 16, 64)
	return int64(h%(1<<31-1)) + 1
}
