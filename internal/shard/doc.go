// Package shard merges the parts of a sharded tuning run: `gotune run
// --shard K/N` measures the K-th of N parts of the benchmarks with every
// variant of the matrix, on one CI runner each (the split is plan's
// SplitShards), and `gotune merge` checks that N results are the parts of
// one plan and joins them into one result, analysed with the shards as
// strata:
//
//	plan.Make ──► SplitShards (which benchmarks are shard K's) ──► engine, once per runner
//	N result files ──► Merge (refusals, renumbering) ──► stats.Analyze (strata) ──► report, check
//
// A variant is only ever compared with the baseline measured on the same
// runner: blocks of different shards never pair. Merge is a pure function
// of its inputs.
package shard
