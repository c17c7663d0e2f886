// Package service measures a Go server under HTTP load: gotune's service
// mode. It holds the service: configuration (Config), one trial of one
// built server binary (RunTrial: start it on a loopback port in its own
// process group, wait until ready, warm up, drive constant-rate open-loop
// load, read its CPU time and peak memory, stop it) and the metrics a trial
// yields as benchmark samples (Metrics.Samples), plus a CPU profile taken
// under the same load for PGO (CollectProfile, FetchProfile).
//
// In gotune's pipeline (gotune run --service) it sits where a benchmark
// binary's run sits: the builder builds each variant of the server with go
// build, measure calls RunTrial for every variant of a block back to back
// and writes the metrics as one Go benchmark result line, and the
// statistics pair the samples; binaries calls CollectProfile for
// pgo=collect. It starts processes only through a Starter, and sends traffic
// only to loopback addresses.
package service
