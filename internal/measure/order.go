package measure

import (
	"math/rand/v2"
	"slices"
)

// scheduler decides the order of things, from a seeded generator, so
// that the same seed replays the same order.
//
// Within a block the variants run in an order that balances positions:
// for each benchmark, every run of k blocks (k live variants) rotates one
// random permutation through its k rotations, so each variant takes each
// position once, and the next k blocks draw a new permutation. A variant
// that always ran first (or right after a given other) would carry a
// position effect — a cold cache, a CPU frequency step — into every pair.
type scheduler struct {
	rng   *rand.Rand
	bench map[string]*rotation // per benchmark key
}

type rotation struct {
	live []string // the live set the permutation was drawn for
	perm []string
	next int // blocks ordered from perm so far
}

func newScheduler(seed int64) *scheduler {
	return &scheduler{
		rng:   rand.New(rand.NewPCG(uint64(seed), 0x676f74756e65)), // "gotune"
		bench: map[string]*rotation{},
	}
}

// cycle returns the order of the benchmarks in the next cycle: a fresh
// shuffle of 0..n-1.
func (s *scheduler) cycle(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	s.rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	return order
}

// block returns the order of the live variants in the next block of the
// benchmark key.
func (s *scheduler) block(key string, live []string) []string {
	r := s.bench[key]
	k := len(live)
	if r == nil || !slices.Equal(r.live, live) || r.next%max(k, 1) == 0 {
		if r == nil || !slices.Equal(r.live, live) {
			r = &rotation{live: slices.Clone(live)}
			s.bench[key] = r
		}
		r.perm = slices.Clone(live)
		s.rng.Shuffle(k, func(i, j int) { r.perm[i], r.perm[j] = r.perm[j], r.perm[i] })
		r.next = 0
	}
	out := make([]string, k)
	for i := range out {
		out[i] = r.perm[(i+r.next)%k]
	}
	r.next++
	return out
}
