package stats

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gotune/gotune/internal/result"
)

// madScale turns a median absolute deviation into an estimate of the
// standard deviation of normally distributed values.
const madScale = 1.4826

// CalibrateOptions configure Calibrate.
type CalibrateOptions struct {
	Baseline string // the variant whose noise is measured
	// Twin, when set, names a second unit running the baseline's own binary
	// in the same rounds: an A/A comparison.
	Twin string
	// Count is the number of rounds the detectable change is projected
	// for; 0 = the rounds measured.
	Count int
	// Comparisons is the size of the Holm family the projection assumes
	// (every variant × benchmark × unit of the planned run); 0 counts as 1.
	Comparisons int
	Alpha       float64 // default DefaultAlpha
	Confidence  float64 // of the A/A interval, default DefaultConfidence
	Iterations  int     // bootstrap resamples of the A/A interval, default DefaultIterations
	Seed        int64
}

// Calibrate measures this machine's noise from the baseline's time samples
// (sec/op, or ns/op without them). The noise floor is the median over
// benchmarks of the robust relative spread of a single sample,
// 1.4826·MAD/median. With a Twin, the A/A geomean ratio gets its bootstrap
// interval over rounds, and the benchmarks whose U-test calls the twin
// different at Alpha (without correction: an A/A run has no true
// difference, so each one is a false positive) are counted.
//
// The detectable change is projected to Count rounds: for each benchmark a
// sample of Count values is spread over the quantiles of the values
// measured, and the smallest speedup s whose U-test against the sample
// scaled by 1-s reaches Holm's strictest step, Alpha/Comparisons, is found
// as Analyze does; the median over benchmarks is reported. It is 0 when no
// benchmark has two samples or none can reach that step at Count.
func Calibrate(samples []result.Sample, opts CalibrateOptions) result.Calibration {
	if opts.Alpha <= 0 || opts.Alpha >= 1 {
		opts.Alpha = DefaultAlpha
	}
	if opts.Confidence <= 0 || opts.Confidence >= 1 {
		opts.Confidence = DefaultConfidence
	}
	if opts.Iterations < 1 {
		opts.Iterations = DefaultIterations
	}
	opts.Comparisons = max(opts.Comparisons, 1)
	set := map[string]bool{opts.Baseline: true}
	if opts.Twin != "" {
		set[opts.Twin] = true
	}
	data, order := timeData(samples, opts.Baseline, set)
	base := data[opts.Baseline]
	rounds := map[int]bool{}
	var spreads, detect []float64
	for _, k := range order {
		obs := base[k]
		for _, o := range obs {
			rounds[o.round] = true
		}
		xs := values(obs)
		if len(xs) < 2 {
			continue
		}
		m := median(slices.Clone(xs))
		if !(m > 0) {
			continue
		}
		spreads = append(spreads, madScale*mad(xs, m)/m)
		if s, ok := projectMinDetectable(xs, opts.Count, opts.Alpha/float64(opts.Comparisons)); ok {
			detect = append(detect, s)
		}
	}
	c := result.Calibration{Source: result.CalibrationBaseline, Rounds: len(rounds), Count: opts.Count, Comparisons: opts.Comparisons}
	if c.Count == 0 {
		c.Count = c.Rounds
	}
	if len(spreads) > 0 {
		c.NoiseFloor = median(spreads)
	}
	if len(detect) > 0 {
		c.MinDetectable = median(detect)
	}
	if opts.Twin == "" {
		return c
	}
	c.Source = result.CalibrationAA
	twin := data[opts.Twin]
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), bootstrapSeed(opts.Twin)))
	if r, ok := ratioCI(twin, base, order, Options{Confidence: opts.Confidence, Iterations: opts.Iterations}, rng); ok {
		c.AA = &r
	}
	for _, k := range order {
		if len(base[k]) == 0 || len(twin[k]) == 0 {
			continue
		}
		if compareP(values(base[k]), values(twin[k])) < opts.Alpha {
			c.AAFalse++
		}
	}
	return c
}

// mad returns the median absolute deviation of xs from m.
func mad(xs []float64, m float64) float64 {
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - m)
	}
	return median(dev)
}

// projectMinDetectable returns the smallest detectable speedup at
// threshold thr for a sample of n values spread like xs: n = 0 keeps xs.
func projectMinDetectable(xs []float64, n int, thr float64) (float64, bool) {
	if n <= 0 {
		return minDetectable(xs, thr)
	}
	return minDetectable(spread(xs, n), thr)
}

// spread returns n values at the quantiles (i+0.5)/n of xs, interpolated
// linearly between its order statistics.
func spread(xs []float64, n int) []float64 {
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	out := make([]float64, n)
	for i := range out {
		out[i] = percentile(sorted, (float64(i)+0.5)/float64(n))
	}
	return out
}

// Comparisons returns the size of Analyze's Holm family for a run that
// compares measured variants (the baseline not counted) with the baseline
// over benchmarks, each in units: how Calibrate and budgets plan for it.
func Comparisons(measured, benchmarks, units int) int {
	return max(measured, 1) * max(benchmarks, 1) * max(units, 1)
}
