package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gotune/gotune/internal/measure"
	"github.com/gotune/gotune/internal/options"
	"github.com/gotune/gotune/internal/plan"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// maxCycles bounds a stage that nothing else stops.
const maxCycles = 10000

// measure measures the named variants and the baseline in cycles of
// blocks, looking at the data after every cycle, until every variant is
// decided or the stage's budget is spent. The looks of the stage spend at
// most alpha of the run's error rate. What was measured is added to the
// run, also when ctx ends part way.
func (j *job) measure(ctx context.Context, stage string, names []string, budget time.Duration, alpha float64) error {
	run, o := j.run, j.p.Options
	base := run.Variant(run.Baseline)
	if base == nil || !base.Measured() {
		return nil // nothing to compare with: finish says so
	}
	vars := []string{run.Baseline}
	for _, n := range names {
		if v := run.Variant(n); n != run.Baseline && v != nil && v.Measured() {
			vars = append(vars, n)
		}
	}
	if run.Sequential == nil {
		run.Sequential = &result.Sequential{Spending: stats.DefaultSpending.String(), Decided: map[string]result.Decision{}}
	}
	lk := &looker{j: j, stage: stage, arms: slices.Clone(vars[1:]), budget: budget, alpha: alpha,
		spentBefore: run.Sequential.Spent, firstCycle: j.cycles, stretch: j.p.BudgetChosen && stage == "grid"}
	mo := measure.Options{
		Runner:     j.d.Runner,
		Stage:      stage,
		Variants:   vars,
		Unit:       j.unit(),
		Layouts:    j.p.Options.Layouts,
		Benchmarks: run.Benchmarks,
		TrialTime:  options.DefaultTrialTime,
		Timeout:    o.Timeout,
		Seed:       o.Seed + int64(len(run.Search.Stages)),
		FirstBlock: j.blocks,
		FirstCycle: j.cycles,
		MaxCycles:  cmpOr(o.MaxBlocks, maxCycles),
		Look:       lk.look,
		Replayed:   lk.replayed,
		Keys:       func(u measure.Unit) [][2]string { return run.Variant(u.Variant).FileConfig() },
		Raw:        j.dir.Raw,
		Log:        j.d.Log,
		Progress: func(e measure.Event) {
			j.d.Progress.Measure(stage, e.Cycle-lk.firstCycle, e.Trials, lk.spent+time.Duration(0), lk.budget)
		},
		Record:    j.record(stage),
		Replay:    j.replay[stage],
		Kill:      j.d.Kill,
		Machine:   j.d.Machine,
		QuietWait: o.QuietWait,
		Service:   o.Service,
	}
	fmt.Fprintf(j.d.Log, "gotune: %s: measuring %d variant(s) against %s in blocks, for at most %s\n", stage, len(vars)-1, run.Baseline, budget.Round(time.Second))
	out, err := measure.Run(ctx, mo)
	j.d.Progress.StageDone()

	run.Benchmarks = out.Benchmarks
	run.Blocks = append(run.Blocks, out.Blocks...)
	run.Samples = append(run.Samples, out.Samples...)
	run.Failures = append(run.Failures, out.Failures...)
	for _, w := range out.Warnings {
		if !slices.Contains(run.Warnings, w) {
			run.Warnings = append(run.Warnings, w)
		}
	}
	for name, why := range out.Unsupported {
		for i := range run.Variants {
			v := &run.Variants[i]
			if v.Name == name || v.SameCodeAs == name {
				v.Status, v.Reason = result.StatusSkipped, "this CPU cannot run it: "+why
			}
		}
	}
	st := result.Stage{Name: stage, Variants: vars, Seed: mo.Seed, Cycles: out.Cycles, FirstBlock: j.blocks + 1, Stopped: out.Stopped}
	if err != nil {
		st.Stopped = "interrupted"
	}
	run.Search.Stages = append(run.Search.Stages, st)
	run.Search.Trials += out.Trials
	for _, b := range out.Blocks {
		j.measured += time.Duration(b.Seconds * float64(time.Second))
	}
	if n := len(out.Blocks); n > 0 {
		j.blocks = out.Blocks[n-1].Index
		j.cycles = out.Blocks[n-1].Cycle
	}
	if out.Stopped != "" {
		fmt.Fprintf(j.d.Log, "gotune: %s: stopped after %d cycles: %s\n", stage, out.Cycles, out.Stopped)
	}
	if err == nil && j.lost != nil {
		return errLost
	}
	return err
}

// unit returns the measure unit of a variant and package: its test
// binary, run in the package's directory (of the variant's revision) with
// the variant's run-time environment.
func (j *job) unit() func(variant, pkg string, layout int) (measure.Unit, bool) {
	dirs := map[string]string{} // variant and package → directory
	return func(variant, pkg string, layout int) (measure.Unit, bool) {
		v := j.run.Variant(variant)
		if v == nil {
			return measure.Unit{}, false
		}
		if len(dirs) == 0 {
			for _, w := range j.run.Variants {
				for _, pk := range j.p.TargetOf(&w).Packages {
					dirs[w.Name+"\x00"+pk.ImportPath] = pk.Dir
				}
			}
		}
		dir := dirs[variant+"\x00"+pkg]
		var plain *result.Build
		for i, b := range v.Builds {
			if b.Package != pkg || b.Error != "" {
				continue
			}
			if b.Layout == layout {
				return measure.Unit{Variant: variant, Package: pkg, Dir: dir, Binary: b.Binary, Env: v.RunEnv}, true
			}
			if b.Layout == 0 {
				plain = &v.Builds[i]
			}
		}
		if plain != nil && !j.layoutBuilt(layout) {
			// No variant has this layout (its builds failed): layout 0.
			return measure.Unit{Variant: variant, Package: pkg, Dir: dir, Binary: plain.Binary, Env: v.RunEnv}, true
		}
		return measure.Unit{}, false
	}
}

// layoutBuilt reports whether the baseline has binaries of layout k.
func (j *job) layoutBuilt(k int) bool {
	b := j.run.Variant(j.run.Baseline)
	return b != nil && slices.ContainsFunc(b.Builds, func(x result.Build) bool { return x.Layout == k })
}

// looker is the look after each cycle of one stage: it decides the
// variants that the data already decide (stats.Look), drops them, and
// stops the stage when all are decided or the budget is spent.
type looker struct {
	j           *job
	stage       string
	arms        []string // undecided variants
	same        int      // variants decided the same speed: they stay in the Holm family
	budget      time.Duration
	alpha       float64 // of the run's error rate, for this stage's looks
	spentBefore float64 // α spent by earlier stages
	firstCycle  int     // cycles of earlier stages
	spent       time.Duration
	next        int // the cycle of the next interim look
	// stretch lets the first look lengthen a budget gotune chose to the
	// cycles a verdict needs (stretchBudget).
	stretch bool
}

// lookGrowth spaces the interim looks: each comes after 1.5 times the
// cycles of the one before. A look after every cycle would spend α on
// looks that see almost the same data (pairstat's simulations: power 0.82
// against 0.97 with sparse looks at the demo's noise).
const lookGrowth = 1.5

// lookData is what a look records in the journal, for --resume.
type lookData struct {
	Look    *result.Look               `json:"look,omitempty"`
	Decided map[string]result.Decision `json:"decided,omitempty"`
	Planned int                        `json:"planned"`
	Next    int                        `json:"next"`
}

func (l *looker) look(cycle int, out *measure.Outcome) measure.Decision {
	j, seq := l.j, l.j.run.Sequential
	if err := j.dir.Lost(); err != nil {
		// Its binaries went with it: every later trial would fail.
		j.lost = err
		return measure.Decision{Stop: err.Error()}
	}
	o := j.p.Options
	c := cycle - l.firstCycle
	l.spent = 0
	for _, b := range out.Blocks {
		l.spent += time.Duration(b.Seconds * float64(time.Second))
	}
	perCycle := l.spent / time.Duration(max(c, 1))
	if l.stretch {
		l.stretch = false
		l.stretchBudget(perCycle)
	}
	planned := c
	if perCycle > 0 {
		planned = c + int((l.budget-l.spent)/perCycle)
	}
	if o.MaxBlocks > 0 {
		planned = min(planned, o.MaxBlocks)
	}
	final := l.spent+perCycle > l.budget || (o.MaxBlocks > 0 && c >= o.MaxBlocks)
	var d measure.Decision
	data := lookData{Planned: planned, Next: l.next}
	// The last cycle is not looked at here: the analysis at the end spends
	// what is left of α on the variants still undecided.
	if !o.NoEarlyStop && !final && len(l.arms) > 0 && c >= max(o.MinBlocks, l.next) {
		look, decided := stats.Look(stats.LookInput{
			Samples: out.Samples, Blocks: out.Blocks, Baseline: j.run.Baseline,
			Arms: l.arms, Family: len(l.arms) + l.same, Cycle: c, Planned: planned,
			Spent: seq.Spent - l.spentBefore,
		}, stats.Options{Alpha: l.alpha, Equivalence: o.Equivalence, Unit: o.MetricUnit()})
		data.Look, data.Decided = &look, decided
		data.Next = max(c+1, int(math.Ceil(float64(c)*lookGrowth)))
		l.apply(data)
		for _, name := range sortedKeys(decided) {
			d.Drop = append(d.Drop, name)
			dec := decided[name]
			fmt.Fprintf(j.d.Log, "gotune: %s after cycle %d: %s is %s (%s [%s, %s])\n", l.stage, c, name, dec.Verdict,
				signed(dec.Change.Center), signed(dec.Change.Lo), signed(dec.Change.Hi))
		}
		if len(l.arms) == 0 {
			d.Stop = "every variant decided"
		}
	}
	switch {
	case !final || d.Stop != "":
	case o.MaxBlocks > 0 && c >= o.MaxBlocks:
		d.Stop = fmt.Sprintf("--max-blocks %d reached", o.MaxBlocks)
	default:
		d.Stop = fmt.Sprintf("budget of %s spent", l.budget.Round(time.Second))
	}
	d.Data, _ = json.Marshal(data)
	return d
}

// stretchBudget lengthens a budget that gotune chose when, at perCycle,
// it would stop before stats.VerdictCycles (or --count) cycles: short of
// them no variant can be called faster or slower, however large its
// change, and the run would end saying nothing. The new budget holds
// those cycles and half a cycle more, at most plan.MaxDefaultBudget.
func (l *looker) stretchBudget(perCycle time.Duration) {
	j, o := l.j, l.j.p.Options
	need := max(stats.VerdictCycles(l.alpha, len(l.arms)+l.same), o.MinBlocks)
	if perCycle <= 0 || l.budget >= time.Duration(need)*perCycle {
		return
	}
	nb := min(plan.MaxDefaultBudget, (time.Duration(need)*perCycle + perCycle/2).Round(time.Second))
	if nb <= l.budget {
		return
	}
	fmt.Fprintf(j.d.Log, "gotune: %s: a cycle takes %s, so the budget of %s would allow %d cycles, and a verdict on %d variant(s) needs %d: measuring for up to %s (--budget sets it)\n",
		l.stage, perCycle.Round(time.Second), l.budget.Round(time.Second), int(l.budget/perCycle), len(l.arms)+l.same, need, nb)
	l.budget = nb
	j.run.Options.Budget = nb
}

// replayed restores a look of an interrupted run from its journal.
func (l *looker) replayed(cycle int, d measure.Decision) {
	var data lookData
	if json.Unmarshal(d.Data, &data) == nil {
		l.apply(data)
	}
}

// apply records a look in the run's sequential record.
func (l *looker) apply(data lookData) {
	seq := l.j.run.Sequential
	l.next = data.Next
	if data.Look == nil {
		return
	}
	seq.Looks = append(seq.Looks, *data.Look)
	seq.Spent += data.Look.Level
	seq.PlannedCycles = data.Planned
	for name, dec := range data.Decided {
		seq.Decided[name] = dec
		l.arms = slices.DeleteFunc(l.arms, func(a string) bool { return a == name })
		if dec.Verdict == result.VerdictSame {
			l.same++
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// signed formats a ratio as a signed change: 0.959 is "-4.1%".
func signed(ratio float64) string {
	if ratio <= 0 || ratio > 1e6 {
		return "?"
	}
	return fmt.Sprintf("%+.1f%%", 100*(ratio-1))
}

// cmpOr returns x, or def when x is 0.
func cmpOr(x, def int) int {
	if x == 0 {
		return def
	}
	return x
}
