package plan

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gotune/gotune/internal/result"
)

func benches(pkgs, per int) []ShardBench {
	var bs []ShardBench
	for p := range pkgs {
		for b := range per {
			bs = append(bs, ShardBench{fmt.Sprintf("example.com/m/p%02d", p), fmt.Sprintf("Benchmark%02d", b)})
		}
	}
	return bs
}

// loads returns each shard's benchmark count and expected time.
func loads(bs []ShardBench, shards []int, n int, times map[ShardBench]float64) ([]int, []float64) {
	count, load := make([]int, n), make([]float64, n)
	for i, s := range shards {
		count[s-1]++
		t, ok := times[bs[i]]
		if !ok {
			t = 1
		}
		load[s-1] += t
	}
	return count, load
}

func TestShardSplitEveryBenchmarkOnceBalanced(t *testing.T) {
	for _, tc := range []struct{ pkgs, per, n int }{{1, 1, 1}, {1, 3, 3}, {3, 4, 2}, {5, 7, 3}, {2, 1, 2}, {10, 10, 7}, {4, 3, 12}} {
		t.Run(fmt.Sprintf("%d×%d/%d", tc.pkgs, tc.per, tc.n), func(t *testing.T) {
			bs := benches(tc.pkgs, tc.per)
			got := SplitShards(bs, tc.n, nil)
			if len(got) != len(bs) {
				t.Fatalf("%d shards for %d benchmarks", len(got), len(bs))
			}
			count, _ := loads(bs, got, tc.n, nil)
			for k, c := range count {
				if c == 0 {
					t.Errorf("shard %d/%d is empty: %v", k+1, tc.n, got)
				}
			}
			if lo, hi := slices.Min(count), slices.Max(count); hi-lo > 1 {
				t.Errorf("equal counts: shards hold %v benchmarks, want within one of each other", count)
			}
		})
	}
}

func TestShardSplitDeterministic(t *testing.T) {
	bs := benches(6, 5)
	times := map[ShardBench]float64{}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, b := range bs {
		times[b] = 0.05 + rng.Float64()
	}
	want := map[ShardBench]int{}
	for i, s := range SplitShards(bs, 4, times) {
		want[bs[i]] = s
	}
	for range 5 {
		shuffled := slices.Clone(bs)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := SplitShards(shuffled, 4, times)
		for i, s := range got {
			if want[shuffled[i]] != s {
				t.Fatalf("%v went to shard %d, and to %d in another order", shuffled[i], s, want[shuffled[i]])
			}
		}
		if ShardSplitKey(shuffled, got) != ShardSplitKey(bs, SplitShards(bs, 4, times)) {
			t.Fatal("SplitKey depends on the order")
		}
	}
}

func TestShardSplitBalancedByTime(t *testing.T) {
	bs := benches(4, 6)
	times := map[ShardBench]float64{}
	rng := rand.New(rand.NewPCG(7, 7))
	total, longest := 0.0, 0.0
	for _, b := range bs {
		times[b] = 0.1 + 2*rng.Float64()
		total += times[b]
		longest = max(longest, times[b])
	}
	times[bs[3]] = 6 // one slow benchmark
	total += 6 - 0
	longest = 6
	const n = 3
	got := SplitShards(bs, n, times)
	_, load := loads(bs, got, n, times)
	sum := 0.0
	for _, l := range load {
		sum += l
	}
	for k, l := range load {
		if d := l - sum/n; d > longest || -d > longest {
			t.Errorf("shard %d holds %.2fs, the mean is %.2fs: off by more than the longest benchmark (%.2fs); loads %v", k+1, l, sum/n, longest, load)
		}
	}
	// Times change the split: the slow benchmark's shard holds fewer.
	count, _ := loads(bs, got, n, times)
	if count[got[3]-1] >= len(bs)/n {
		t.Errorf("the shard with the 6s benchmark holds %d of %d benchmarks: times did not balance it (%v)", count[got[3]-1], len(bs), count)
	}
	// Contiguous: a package's benchmarks span at most two shards here.
	for p := range 4 {
		seen := map[int]bool{}
		for i, b := range bs {
			if b.Package == bs[p*6].Package {
				seen[got[i]] = true
			}
		}
		if len(seen) > 2 {
			t.Errorf("package %s is spread over %d shards", bs[p*6].Package, len(seen))
		}
	}
}

func TestShardTimes(t *testing.T) {
	run := &result.Run{Blocks: []result.Block{
		{Package: "p", Benchmark: "BenchmarkA", Seconds: 1},
		{Package: "p", Benchmark: "BenchmarkA", Seconds: 3},
		{Package: "p", Benchmark: "BenchmarkB", Seconds: 0.5},
		{Package: "p", Benchmark: "BenchmarkC"},
	}}
	got := ShardTimesOf(run)
	if got[ShardBench{"p", "BenchmarkA"}] != 2 || got[ShardBench{"p", "BenchmarkB"}] != 0.5 || len(got) != 2 {
		t.Errorf("Times = %v", got)
	}
}
