package stats

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gotune/gotune/internal/result"
)

// Defaults of RaceOptions.
const (
	DefaultMinRounds      = 6
	DefaultRaceIterations = 1000
)

// RaceOptions configure Race. Zero fields take the defaults.
type RaceOptions struct {
	// Alpha is the family-wise significance level of the whole race,
	// default DefaultAlpha. Each look uses Alpha/Looks (Bonferroni over the
	// looks) for a Holm family of every comparison of that look, so that
	// the chance of any wrong drop over the whole race stays below Alpha.
	Alpha float64
	// Looks is the number of times the race may decide, usually the rounds
	// from MinRounds to the last; 0 counts as 1.
	Looks int
	// MinRounds is the number of rounds the baseline must have samples
	// from before anything is dropped, default DefaultMinRounds.
	MinRounds int
	// Iterations is the number of bootstrap resamples of a geomean
	// interval, default DefaultRaceIterations.
	Iterations int
	// Seed seeds the bootstrap, so that a decision can be replayed.
	Seed int64
}

// RaceGroup is a set of variants that compete with each other and with the
// baseline: a grid is one group; screening has one group per axis, because
// values of different axes do not exclude each other.
type RaceGroup struct {
	Name     string
	Variants []string // the group's variants still measured, without the baseline
}

// RaceDrop is one variant the race leaves out of later rounds.
type RaceDrop struct {
	Variant string
	Group   string
	Leader  string       // the variant of its group it is significantly slower than
	Ratio   result.Ratio // geomean of its sec/op medians over the leader's, with its interval
	Worse   int          // benchmarks significantly slower than the leader's after Holm
}

// RaceDecision is what Race decides after a round.
type RaceDecision struct {
	// Leaders maps each group to its current best variant (possibly the
	// baseline), by the geomean of its sec/op medians over the baseline's.
	Leaders map[string]string
	// Drops lists the variants significantly slower than their group's
	// leader, in group order. The baseline is never dropped.
	Drops []RaceDrop
	// Separated reports that every group is decided: each variant of a
	// group other than its leader, the baseline included, is significantly
	// slower than the leader, so further rounds cannot change the outcome.
	Separated bool
	// Rounds is the number of baseline rounds the decision was based on;
	// below MinRounds nothing is decided.
	Rounds int
}

// raceCmp is one benchmark of one variant against its group's leader.
type raceCmp struct {
	variant, group string
	p, delta       float64
	k              key
}

// Race is the racing policy: a pure function of the samples measured so
// far. In every group it finds the leader, the variant with the lowest
// geomean of sec/op medians relative to the baseline's (the baseline, at 1,
// competes in every group), and compares every other variant of the group
// with the leader, benchmark by benchmark, with the U-test of
// benchmath. All these comparisons form one Holm family at level
// Alpha/Looks. A variant is significantly slower than its leader when at
// least one of its benchmarks is significantly slower after Holm and the
// bootstrap interval of its geomean ratio to the leader (over rounds, at
// confidence 1 - Alpha/Looks) lies wholly above 1: the same rule as the
// "slower" verdict of Analyze, with the leader in the baseline's place. Such
// variants are dropped, except the baseline, which stays to anchor every
// comparison. Until the baseline has samples from MinRounds rounds, Race
// decides nothing.
//
// Only sec/op samples are used (ns/op when the baseline has no sec/op).
func Race(samples []result.Sample, baseline string, groups []RaceGroup, opts RaceOptions) RaceDecision {
	if opts.Alpha <= 0 || opts.Alpha >= 1 {
		opts.Alpha = DefaultAlpha
	}
	if opts.Looks < 1 {
		opts.Looks = 1
	}
	if opts.MinRounds < 1 {
		opts.MinRounds = DefaultMinRounds
	}
	if opts.Iterations < 1 {
		opts.Iterations = DefaultRaceIterations
	}
	alpha := opts.Alpha / float64(opts.Looks)

	in := map[string]bool{baseline: true}
	for _, g := range groups {
		for _, v := range g.Variants {
			in[v] = true
		}
	}
	data, order := timeData(samples, baseline, in)
	dec := RaceDecision{Leaders: map[string]string{}}
	baseRounds := map[int]bool{}
	for _, obs := range data[baseline] {
		for _, o := range obs {
			baseRounds[o.round] = true
		}
	}
	dec.Rounds = len(baseRounds)
	if dec.Rounds < opts.MinRounds || len(data[baseline]) == 0 {
		return dec
	}

	// The leader of each group, then every comparison with it.
	var cmps []raceCmp
	members := make([][]string, len(groups))
	for gi, g := range groups {
		leader, best := baseline, 1.0
		for _, v := range g.Variants {
			if v == baseline {
				continue
			}
			if r, ok := medianRatio(data[v], data[baseline], order); ok && r < best {
				leader, best = v, r
			}
		}
		dec.Leaders[g.Name] = leader
		ms := []string{}
		if leader != baseline {
			ms = append(ms, baseline)
		}
		for _, v := range g.Variants {
			if v != leader && v != baseline {
				ms = append(ms, v)
			}
		}
		members[gi] = ms
		for _, v := range ms {
			for _, k := range order {
				lo, vo := data[leader][k], data[v][k]
				if len(lo) == 0 || len(vo) == 0 {
					continue
				}
				p := compareP(values(lo), values(vo))
				if math.IsNaN(p) {
					p = 1
				}
				ml, mv := median(values(lo)), median(values(vo))
				delta := 0.0
				if ml > 0 {
					delta = mv/ml - 1
				}
				cmps = append(cmps, raceCmp{variant: v, group: g.Name, p: p, delta: delta, k: k})
			}
		}
	}
	ps := make([]float64, len(cmps))
	for i, c := range cmps {
		ps[i] = c.p
	}
	worse := map[[2]string]int{}
	for i, adj := range Holm(ps) {
		if adj < alpha && cmps[i].delta > 0 {
			worse[[2]string{cmps[i].group, cmps[i].variant}]++
		}
	}

	bopts := Options{Confidence: 1 - alpha, Iterations: opts.Iterations}
	dec.Separated = true
	for gi, g := range groups {
		leader := dec.Leaders[g.Name]
		for _, v := range members[gi] {
			n := worse[[2]string{g.Name, v}]
			slower := false
			var ratio result.Ratio
			if n > 0 {
				rng := rand.New(rand.NewPCG(uint64(opts.Seed), bootstrapSeed(g.Name+"\x00"+leader+"\x00"+v)))
				if r, ok := ratioCI(data[v], data[leader], order, bopts, rng); ok && r.Lo > 1 {
					slower, ratio = true, r
				}
			}
			if !slower {
				dec.Separated = false
				continue
			}
			if v != baseline {
				dec.Drops = append(dec.Drops, RaceDrop{Variant: v, Group: g.Name, Leader: leader, Ratio: ratio, Worse: n})
			}
		}
	}
	return dec
}

// timeData groups the time samples of the variants in set by benchmark,
// in the unit Analyze would use: sec/op, or ns/op when the baseline has no
// sec/op. It returns the keys in order of first appearance.
func timeData(samples []result.Sample, baseline string, set map[string]bool) (map[string]map[key][]observation, []key) {
	unit := NsUnit
	for _, s := range samples {
		if s.Variant == baseline && s.Unit == TimeUnit {
			unit = TimeUnit
			break
		}
	}
	data := map[string]map[key][]observation{}
	seen := map[key]bool{}
	var order []key
	for _, s := range samples {
		if !set[s.Variant] || s.Unit != unit || math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			continue
		}
		k := key{s.Package, s.Benchmark, s.Unit}
		if !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
		if data[s.Variant] == nil {
			data[s.Variant] = map[key][]observation{}
		}
		data[s.Variant][k] = append(data[s.Variant][k], observation{s.Round, s.Value})
	}
	return data, order
}

// medianRatio returns the geomean over shared benchmarks of the ratio of
// num's median to den's, and false when they share none with positive
// medians.
func medianRatio(num, den map[key][]observation, order []key) (float64, bool) {
	var ratios []float64
	for _, k := range order {
		no, do := num[k], den[k]
		if len(no) == 0 || len(do) == 0 {
			continue
		}
		mn, md := median(values(no)), median(values(do))
		if mn > 0 && md > 0 {
			ratios = append(ratios, mn/md)
		}
	}
	if len(ratios) == 0 {
		return 0, false
	}
	return Geomean(ratios), true
}

// ratioCI returns the geomean ratio of num to den with its bootstrap
// interval over rounds, as Analyze computes a variant's against the
// baseline.
func ratioCI(num, den map[key][]observation, order []key, opts Options, rng *rand.Rand) (result.Ratio, bool) {
	center, ok := medianRatio(num, den, order)
	if !ok {
		return result.Ratio{}, false
	}
	roundSet := map[int]bool{}
	var kept []key
	for _, k := range order {
		no, do := num[k], den[k]
		if len(no) == 0 || len(do) == 0 || !(median(values(no)) > 0) || !(median(values(do)) > 0) {
			continue
		}
		kept = append(kept, k)
		for _, o := range no {
			roundSet[o.round] = true
		}
		for _, o := range do {
			roundSet[o.round] = true
		}
	}
	rounds := make([]int, 0, len(roundSet))
	for r := range roundSet {
		rounds = append(rounds, r)
	}
	slices.Sort(rounds)
	idx := make(map[int]int, len(rounds))
	for i, r := range rounds {
		idx[r] = i
	}
	pairs := make([]roundPair, len(kept))
	for i, k := range kept {
		pairs[i] = roundPair{base: make([][]float64, len(rounds)), new: make([][]float64, len(rounds))}
		for _, o := range den[k] {
			pairs[i].base[idx[o.round]] = append(pairs[i].base[idx[o.round]], o.value)
		}
		for _, o := range num[k] {
			pairs[i].new[idx[o.round]] = append(pairs[i].new[idx[o.round]], o.value)
		}
	}
	return bootstrapGeomean(pairs, len(rounds), center, opts, rng), true
}
