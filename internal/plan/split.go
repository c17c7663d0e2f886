// The shard split: which benchmarks the K-th of N runners measures
// (run --shard K/N). It is a pure function of the benchmark list and
// their expected times; internal/shard merges the parts back.

package plan

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/gotune/gotune/internal/result"
)

// ShardBench is one top-level benchmark of a package.
type ShardBench struct{ Package, Name string }

// Split assigns every benchmark to one of n shards, balanced by expected
// time, and returns the shard (1..n) of each benchmark in the order given.
// The benchmarks are sorted by package and name and cut into n contiguous
// runs whose expected times are as equal as the benchmarks allow (a
// benchmark goes to the shard its time's midpoint falls in), so that a
// package's benchmarks stay together and a runner builds few packages;
// every shard gets at least one benchmark when there are n or more. times
// gives each benchmark's expected time; nil, or a benchmark missing from
// it, counts as the mean of the times given (equal counts without times).
// The result depends only on the set of benchmarks, their times and n,
// not on the order given.
func SplitShards(bs []ShardBench, n int, times map[ShardBench]float64) []int {
	out := make([]int, len(bs))
	if n <= 1 || len(bs) == 0 {
		for i := range out {
			out[i] = 1
		}
		return out
	}
	order := make([]int, len(bs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(bs[a].Package, bs[b].Package), cmp.Compare(bs[a].Name, bs[b].Name))
	})
	mean, known := 0.0, 0
	for _, b := range bs {
		if t, ok := times[b]; ok && t > 0 {
			mean += t
			known++
		}
	}
	if known > 0 {
		mean /= float64(known)
	} else {
		mean = 1
	}
	t := make([]float64, len(bs))
	total := 0.0
	for i, b := range bs {
		t[i] = mean
		if x, ok := times[b]; ok && x > 0 {
			t[i] = x
		}
		total += t[i]
	}
	s, cum := 0, 0.0
	count := make([]int, n)
	for j, i := range order {
		left := len(order) - j // benchmarks left, this one included
		if s < n-1 && count[s] > 0 && (cum+t[i]/2 > total*float64(s+1)/float64(n) || left == n-1-s) {
			s++
		}
		out[i] = s + 1
		count[s]++
		cum += t[i]
	}
	return out
}

// SplitKey hashes a split: every benchmark with its shard, whatever the
// order given. Shards of one plan have the same key.
func ShardSplitKey(bs []ShardBench, shards []int) string {
	lines := make([]string, len(bs))
	for i, b := range bs {
		lines[i] = fmt.Sprintf("%s %s %d", b.Package, b.Name, shards[i])
	}
	slices.Sort(lines)
	return hash(strings.Join(lines, "\n"))
}

// Times returns the expected time of each benchmark in a block, from an
// earlier result (a shard, a merged result or a whole run): the mean
// length of its blocks.
func ShardTimesOf(run *result.Run) map[ShardBench]float64 {
	sum, n := map[ShardBench]float64{}, map[ShardBench]int{}
	for _, b := range run.Blocks {
		if b.Seconds <= 0 {
			continue
		}
		k := ShardBench{b.Package, b.Benchmark}
		sum[k] += b.Seconds
		n[k]++
	}
	out := map[ShardBench]float64{}
	for k, s := range sum {
		out[k] = s / float64(n[k])
	}
	return out
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// Hash returns a short hash of parts, for the fields of a PlanID.
func ShardHash(parts ...string) string { return hash(strings.Join(parts, "\x00")) }
