package measure

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/gotune/gotune/internal/result"
)

// calibrate gives every benchmark without a Benchtime one: a trial of the
// baseline at CalibrationBenchtime measures one iteration (the sum over
// its sub-benchmarks), and the benchmark's trials then run, in up to
// MaxReps repetitions, the number of iterations that lasts about
// TrialTime in all (Split), so that every trial of every variant does the
// same work and process start-up stays a small share. A benchmark the baseline cannot run is left out with the failure.
func (st *state) calibrate(ctx context.Context) error {
	base := st.opts.Variants[0]
	for i := range st.out.Benchmarks {
		b := &st.out.Benchmarks[i]
		if b.Benchtime != "" {
			continue
		}
		key := pairKey{b.Package, b.Name}
		if r, ok := st.calib[key]; ok {
			*b = *r.Calibrated
			if b.Benchtime == "" {
				st.gone[key] = "calibration failed"
				st.out.Failures = append(st.out.Failures, result.Failure{Variant: base, Package: b.Package, Benchmark: b.Name, Error: r.Error})
			}
			continue
		}
		u, ok := st.opts.Unit(base, b.Package, 0)
		if !ok {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		res, err := st.exec(ctx, u, b.Name, CalibrationBenchtime, 1)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		t := readTrial(res.Stdout, res.Stderr, err, u, b.Name, 0, 1)
		st.out.Seconds += res.Duration.Seconds()
		rec := Record{Calibrated: b}
		if t.err != "" || len(t.samples) == 0 {
			st.gone[key] = "calibration failed"
			msg := t.err
			if t.cpu {
				msg = "the baseline cannot run on this CPU: " + t.err
			}
			st.out.Failures = append(st.out.Failures, result.Failure{Variant: base, Package: b.Package, Benchmark: b.Name, Error: msg, Output: t.output})
			fmt.Fprintf(st.opts.Log, "  %s: calibration failed: %s\n", b.Name, firstLine(msg))
			rec.Error = msg
		} else {
			ns := 0.0
			for _, s := range t.samples {
				if s.Unit == "sec/op" {
					ns += s.Value * 1e9
				}
			}
			b.NsPerOp = ns
			b.Benchtime, b.Reps = Split(ns, st.opts.TrialTime)
		}
		st.record(rec)
	}
	return nil
}

// MaxReps is the most repetitions a calibrated trial is split into.
const MaxReps = 16

// Split divides a trial that should last about d, when one iteration
// takes nsPerOp, into repetitions: it returns the -test.benchtime of one
// repetition, as "Nx", and the number of repetitions (-test.count), at
// most MaxReps and each at least one iteration. The trial's value is the
// fastest repetition: 16 repetitions of 3.75 ms instead of one of 60 ms
// when iterations are short, fewer when they are long, one when a single
// iteration lasts d or more.
func Split(nsPerOp float64, d time.Duration) (string, int) {
	if nsPerOp <= 0 {
		return "1x", 1
	}
	total := float64(d.Nanoseconds())
	n := math.Max(1, math.Round(total/MaxReps/nsPerOp))
	reps := int(math.Max(1, math.Min(MaxReps, math.Round(total/(n*nsPerOp)))))
	return strconv.FormatFloat(n, 'f', 0, 64) + "x", reps
}
