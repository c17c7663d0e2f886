package result

import "fmt"

// Shard says which part of a sharded plan a run measured (gotune run
// --shard K/N) and which plan that is, so that gotune merge can check that
// its inputs are the N parts of one plan.
type Shard struct {
	Index int `json:"index"` // K, from 1
	Count int `json:"count"` // N
	// Balance says how the benchmarks were split: by the block times of an
	// earlier result, or in equal counts.
	Balance string `json:"balance"`
	// Plan is the identity of the sharded plan: equal in every shard of it.
	Plan PlanID `json:"plan"`
}

// String is "K/N".
func (s *Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// PlanID identifies a sharded plan. Each field is a short hash or value,
// compared one by one so that a refusal can say what differs.
type PlanID struct {
	Module string `json:"module"`
	// Matrix hashes the variants (names and settings, the baseline first)
	// and the options that decide what and how the shards measure and
	// decide: packages, bench, benchtime, count, layouts, equivalence.
	Matrix string `json:"matrix"`
	Seed   int64  `json:"seed"`
	// Revision identifies the target's source: a hash of every file the
	// build reads (and the revisions' commits in a run that compares
	// revisions).
	Revision string `json:"revision"`
	// Split hashes the whole plan's benchmarks and the shard each one went
	// to; Benchmarks counts them.
	Split      string `json:"split"`
	Benchmarks int    `json:"benchmarks"`
}

// ShardRun is one shard of a merged result: where it ran and what it
// measured there. Its blocks are the merged result's blocks First..Last
// (their Shard is Index).
type ShardRun struct {
	Index      int       `json:"index"`
	File       string    `json:"file"` // the result file it was read from
	Host       Host      `json:"host"`
	Benchmarks int       `json:"benchmarks"`
	Cycles     int       `json:"cycles"`
	First      int       `json:"first_block"`
	Last       int       `json:"last_block"`
	Started    string    `json:"started"`
	Seconds    float64   `json:"wall_seconds,omitempty"`
	Variants   []Stratum `json:"variants,omitempty"`
	Warnings   []string  `json:"warnings,omitempty"`
}

// Stratum is one variant's overall change measured within one shard:
// the estimate the merged verdict combines.
type Stratum struct {
	Name   string `json:"name"`
	Cycles int    `json:"cycles"`
	// Change is the shard's Hodges–Lehmann ratio of its per-cycle
	// geometric means, with the 95% interval.
	Change Ratio   `json:"change"`
	Weight float64 `json:"weight"` // its share of the merged estimate
}
