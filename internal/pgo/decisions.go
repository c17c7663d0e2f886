package pgo

import "strings"

// Decisions counts the optimisation decisions the compiler took because of
// a profile, as it reports them with -m -d=pgodebug=1.
type Decisions struct {
	// HotInlines are call sites inlined only because the profile marks
	// them hot: their callee is over the normal inlining budget
	// ("hot-budget check allows inlining for call …").
	HotInlines int
	// Devirtualized are interface and function-value calls given a
	// guarded direct call to the profile's hottest callee
	// ("PGO devirtualizing interface call …").
	Devirtualized int
	// HotFunctions are functions given the larger inlining budget of hot
	// functions ("hot-node enabled increased budget=…").
	HotFunctions int
}

// CountDecisions counts the PGO decisions in the output of a build run with
// -gcflags='-m -d=pgodebug=1'. A line printed twice (one package compiled
// for the test binary and for another) counts once.
func CountDecisions(output []byte) Decisions {
	var d Decisions
	seen := map[string]bool{}
	for _, l := range strings.Split(string(output), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		switch {
		case strings.HasPrefix(l, "hot-budget check allows inlining for call "):
			d.HotInlines++
		case strings.Contains(l, ": PGO devirtualizing interface call "), strings.Contains(l, ": PGO devirtualizing function call "):
			d.Devirtualized++
		case strings.HasPrefix(l, "hot-node enabled increased budget="):
			d.HotFunctions++
		}
	}
	return d
}
