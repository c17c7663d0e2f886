package plan

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/matrix"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/target"
)

// shardFacts is facts with three packages of three benchmarks and a
// random seed (none given).
func shardFacts(dir string) Facts {
	f := facts(dir)
	tg := *f.Target
	tg.Packages = nil
	for _, p := range []string{"a", "b", "c"} {
		tg.Packages = append(tg.Packages, target.Package{ImportPath: "example.com/m/" + p, Dir: filepath.Join(dir, p), Benchmarks: []string{"BenchmarkX", "BenchmarkY", "BenchmarkZ"}})
	}
	f.Target, f.Seed = &tg, 0
	return f
}

func TestMakeShard(t *testing.T) {
	dir := t.TempDir()
	var all []string
	var id result.PlanID
	var seed int64
	for k := 1; k <= 4; k++ {
		p, err := Make(options.Options{Shard: fmt.Sprintf("%d/4", k)}, shardFacts(dir))
		if err != nil {
			t.Fatal(err)
		}
		if p.Shard == nil || p.Shard.Index != k || p.Shard.Count != 4 || !strings.HasPrefix(p.Shard.Balance, "equal counts") {
			t.Fatalf("shard %d: %+v", k, p.Shard)
		}
		if k == 1 {
			id, seed = p.Shard.Plan, p.Options.Seed
		} else if p.Shard.Plan != id || p.Options.Seed != seed {
			t.Errorf("shard %d: plan %+v seed %d, want shard 1's %+v seed %d", k, p.Shard.Plan, p.Options.Seed, id, seed)
		}
		if n := len(p.Benchmarks); n < 2 || n > 3 {
			t.Errorf("shard %d measures %d of 9 benchmarks", k, n)
		}
		if !p.Options.NoEarlyStop {
			t.Errorf("shard %d stops early: a shard measures to its budget", k)
		}
		var inTarget []string
		for _, pk := range p.Target.Packages {
			for _, b := range pk.Benchmarks {
				inTarget = append(inTarget, pk.ImportPath+"."+b)
			}
		}
		var planned []string
		for _, b := range p.Benchmarks {
			planned = append(planned, b.Package+"."+b.Name)
		}
		if !slices.Equal(inTarget, planned) {
			t.Errorf("shard %d: target cut to %v, plan measures %v", k, inTarget, planned)
		}
		all = append(all, planned...)
	}
	slices.Sort(all)
	if len(all) != 9 || len(slices.Compact(slices.Clone(all))) != 9 {
		t.Errorf("the shards measure %v, want each of the 9 benchmarks once", all)
	}
	if id.Benchmarks != 9 || id.Matrix == "" || id.Split == "" || seed == 0 {
		t.Errorf("plan id %+v seed %d", id, seed)
	}

	// Balanced by times: another split, another identity.
	f := shardFacts(dir)
	f.ShardTimes = map[ShardBench]float64{}
	for _, pk := range f.Target.Packages {
		for _, b := range pk.Benchmarks {
			f.ShardTimes[ShardBench{Package: pk.ImportPath, Name: b}] = 1
		}
	}
	f.ShardTimes[ShardBench{Package: "example.com/m/a", Name: "BenchmarkX"}] = 10
	f.ShardFrom = "prev.json"
	p, err := Make(options.Options{Shard: "1/4"}, f)
	if err != nil {
		t.Fatal(err)
	}
	if p.Shard.Plan.Split == id.Split || len(p.Benchmarks) != 1 || p.Shard.Balance != "block times of prev.json" {
		t.Errorf("balanced by times: %+v, %d benchmarks; want the slow benchmark alone", p.Shard, len(p.Benchmarks))
	}
	// A given seed is kept.
	if p, _ := Make(options.Options{Shard: "1/4", Seed: 77}, shardFacts(dir)); p.Options.Seed != 77 || p.Shard.Plan.Seed != 77 {
		t.Errorf("seed %d, want the given 77", p.Options.Seed)
	}
}

func TestMakeShardRefuses(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts options.Options
		cfg  matrix.Config
		want string
	}{
		{"more shards than benchmarks", options.Options{Shard: "1/10"}, matrix.Config{}, "the plan has 9 benchmark(s), fewer than 10 shards"},
		{"screening", options.Options{Shard: "1/2", Search: options.SearchScreen}, matrix.Config{}, "drop --search screen"},
		{"pgo collect", options.Options{Shard: "1/2", Axes: axis.Values{"pgo": {"off", "collect"}}}, matrix.Config{}, "collect one first"},
		{"bad spec", options.Options{Shard: "3/2"}, matrix.Config{}, "--shard \"3/2\": shard 3 of 2"},
		{"shard-from alone", options.Options{ShardFrom: "x.json"}, matrix.Config{}, "give --shard too"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := shardFacts(dir)
			f.Config = tc.cfg
			_, err := Make(tc.opts, f)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Make: %v, want %q", err, tc.want)
			}
		})
	}
}
