package quotes

import "runtime"

// collectSetup collects the garbage a benchmark's setup left behind.
// Without it a timed loop that allocates collects that garbage itself, at
// moments that differ from run to run: BenchmarkDecode's setup drops a
// whole store, and its times varied ±15–40% between gotune's blocks
// until it called this (gotune named it; see docs/measuring.md at the top of this repository).
func collectSetup() { runtime.GC() }
