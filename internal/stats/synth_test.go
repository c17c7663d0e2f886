package stats

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	"github.com/gotune/gotune/internal/result"
)

// spec describes one synthetic variant.
type spec struct {
	name       string
	factor     float64   // true sec/op relative to the baseline's; 0 means 1
	factors    []float64 // per benchmark, overriding factor
	complexity int
	sameAs     string // SameCodeAs: the variant gets no samples of its own
	status     string // "" means StatusOK
	noiseKey   string // variants with the same key get the same noise; "" means name
	bytes      []float64
	allocs     []float64 // per benchmark B/op and allocs/op, constant over rounds; nil for none
}

// gen describes how synthetic samples are drawn.
type gen struct {
	seed    uint64
	rounds  int
	benches int
	noise   float64 // relative half-width of uniform noise
}

// synthRun builds a run whose first spec is the baseline. Each measured
// variant's sec/op value of benchmark b in a round is
// 1µs·(b+1)·factor·(1+noise·u) with u uniform in [-1, 1), drawn from a PCG
// stream seeded by g.seed and the variant's noise key.
func synthRun(g gen, specs ...spec) *result.Run {
	run := &result.Run{Baseline: specs[0].name}
	for _, s := range specs {
		st := s.status
		if st == "" {
			st = result.StatusOK
		}
		run.Variants = append(run.Variants, result.Variant{
			Name: s.name, Complexity: s.complexity, Status: st, SameCodeAs: s.sameAs,
		})
	}
	for _, s := range specs {
		if s.sameAs != "" || (s.status != "" && s.status != result.StatusOK) {
			continue
		}
		nk := s.noiseKey
		if nk == "" {
			nk = s.name
		}
		h := fnv.New64a()
		h.Write([]byte(nk))
		rng := rand.New(rand.NewPCG(g.seed, h.Sum64()))
		factor := s.factor
		if factor == 0 {
			factor = 1
		}
		for round := 1; round <= g.rounds; round++ {
			for b := range g.benches {
				name := fmt.Sprintf("BenchmarkB%d", b)
				add := func(unit string, v float64) {
					run.Samples = append(run.Samples, result.Sample{
						Variant: s.name, Package: "example.com/p", Benchmark: name,
						Unit: unit, Round: round, Value: v,
					})
				}
				f := factor
				if s.factors != nil {
					f = s.factors[b]
				}
				add(TimeUnit, 1e-6*float64(b+1)*f*(1+g.noise*(2*rng.Float64()-1)))
				if s.bytes != nil {
					add(BytesUnit, s.bytes[b])
				}
				if s.allocs != nil {
					add(AllocsUnit, s.allocs[b])
				}
			}
		}
	}
	return run
}
