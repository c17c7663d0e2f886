// Package measure is the measuring stage of gotune: it plans interleaved
// rounds in an order shuffled from a printed seed, runs every distinct test
// binary once per round, parses the output with golang.org/x/perf/benchfmt,
// and keeps every sample, the raw output, and every failure. One failing
// trial never stops the run.
//
// Run goes round by round: after each complete round a hook (racing, a
// time budget) may drop variants from the later rounds, move the last
// round or stop. Every trial and decision can be recorded as it happens,
// and replayed from that journal to continue an interrupted run exactly
// where it stopped; an interrupt lets the running trial finish.
package measure

import (
	"math/rand/v2"
)

// Unit is one distinct binary to measure: a variant's test binary of one
// package.
type Unit struct {
	Variant string // the variant whose binary this is
	Package string // import path
	Dir     string // the package's source directory: benchmarks run there, as under go test
	Binary  string
}

// Trial is one run of one unit in one round.
type Trial struct {
	Round int // 1-based
	Unit  Unit
}

// Plan returns the trials of count rounds: in each round every unit runs
// once, in an order shuffled by a generator seeded with seed, so that the
// same seed replays the same order.
func Plan(units []Unit, count int, seed int64) []Trial {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x676f74756e65)) // "gotune"
	trials := make([]Trial, 0, len(units)*count)
	order := make([]int, len(units))
	for r := 1; r <= count; r++ {
		for i := range order {
			order[i] = i
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			trials = append(trials, Trial{Round: r, Unit: units[i]})
		}
	}
	return trials
}
