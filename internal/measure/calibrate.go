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
// its sub-benchmarks), and the benchmark's trials then run the number of
// iterations that lasts about TrialTime, as "Nx", so that every trial of
// every variant does the same work and process start-up stays a small
// share. A benchmark the baseline cannot run is left out with the failure.
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
		res, err := st.exec(ctx, u, b.Name, CalibrationBenchtime)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		t := readTrial(res.Stdout, res.Stderr, err, u, b.Name, 0)
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
			b.Benchtime = Iterations(ns, st.opts.TrialTime)
		}
		st.record(rec)
	}
	return nil
}

// Iterations returns the -test.benchtime, as "Nx", of a trial that lasts
// about d when one iteration takes nsPerOp: at least one iteration.
func Iterations(nsPerOp float64, d time.Duration) string {
	n := 1.0
	if nsPerOp > 0 {
		n = math.Max(1, math.Round(float64(d.Nanoseconds())/nsPerOp))
	}
	return strconv.FormatFloat(n, 'f', 0, 64) + "x"
}
