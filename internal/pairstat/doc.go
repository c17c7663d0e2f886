// Package pairstat holds the paired statistics the stats stage builds on.
//
// gotune measures in blocks: one benchmark run once in every live build
// variant back to back, so that a variant and the baseline are measured
// close in time and a drift of the machine's speed multiplies both alike.
// For block i the engine forms d_i = ln(variant_i / baseline_i), and blocks
// repeat in cycles, one block per benchmark. golang.org/x/perf's benchmath
// has only two-sample tests; this package adds what a paired engine needs:
//
//   - SignedRank, the Wilcoxon signed-rank test of median 0 (exact for up
//     to 50 pairs, ties included; an Edgeworth-refined normal
//     approximation beyond), with
//     CriticalValue and MinP;
//   - HodgesLehmann and HLInterval, the estimate and the distribution-free
//     interval that invert the same test;
//   - Holm, the step-down correction across variants;
//   - TInterval and BootstrapMean for the overall speed-up over cycles;
//   - LayoutInterval, the mean over code layouts with the layout as a
//     random effect, whose interval holds the between-layout spread;
//   - Stratified, the combination of strata analysed on their own (the
//     shards of gotune merge, each measured on its own runner);
//   - Spending and Look, an alpha-spending plan and the decision of one
//     look at accumulating data, which keep the family-wise error of a run
//     that looks after every cycle below alpha; and Detectable, the change
//     an interval could have detected.
//
// Every function is a pure function of its arguments: no I/O, no clock and
// no package-level mutable state (one read-only table of the signed-rank
// distribution is built at initialisation). The only randomness is the
// *rand.Rand a caller passes to BootstrapMean.
package pairstat
