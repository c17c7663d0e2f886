package main

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/gotune/gotune/internal/measure"
)

// repsDesign is one way to spend a trial's ~60 ms of benchmark.
type repsDesign struct {
	name string
	reps int // repetitions of trialTime/reps each; the trial's value is the fastest
}

var repsDesigns = []repsDesign{{"1 × 60 ms", 1}, {"4 × 15 ms, fastest", 4}, {"16 × 3.75 ms, fastest", 16}}

// reps measures how much one paired trial varies under each design: the
// planted fixture's baseline and its 3% slowdown run back to back (in a
// random order), one benchmark at a time, every design in every block in a
// random order, for the budget. Per design it prints the median log-ratio
// (the effect, +3% planted) and its spread between blocks: the robust SD
// (1.4826 × MAD) and the SD. The claim: the fastest of 16 repetitions
// varies at most half as much as one repetition of the same total length.
func (h *harness) reps(budget time.Duration) (bool, error) {
	dir := filepath.Join(repo(), "bench", "fixtures", "planted")
	bins := map[string]string{}
	for name, ldflags := range map[string]string{"base": "", "slow": plantedFlag} {
		bin := filepath.Join(h.out, name+".test")
		cmd := exec.Command("go", "test", "-c", "-o", bin, "-ldflags="+ldflags, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOAMD64=v1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return false, fmt.Errorf("building the planted fixture: %v\n%s", err, out)
		}
		bins[name] = bin
	}
	benches := []string{"BenchmarkMix", "BenchmarkSum", "BenchmarkLookup", "BenchmarkDigits"}
	trialTime := 60 * time.Millisecond
	// Calibrate once from the baseline: ns per iteration.
	perOp := map[string]float64{}
	for _, b := range benches {
		ns, err := trialNs(bins["base"], dir, b, "20ms", 1)
		if err != nil {
			return false, err
		}
		perOp[b] = ns
	}
	d := map[string][]float64{} // design → log-ratios slow/base
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	start, cycles := time.Now(), 0
	for time.Since(start) < budget {
		for _, b := range benches {
			for _, i := range rng.Perm(len(repsDesigns)) {
				ds := repsDesigns[i]
				n := max(1, int(math.Round(float64(trialTime.Nanoseconds())/float64(ds.reps)/perOp[b])))
				bt := fmt.Sprintf("%dx", n)
				order := []string{"base", "slow"}
				rng.Shuffle(2, func(i, j int) { order[i], order[j] = order[j], order[i] })
				v := map[string]float64{}
				for _, arm := range order {
					ns, err := trialNs(bins[arm], dir, b, bt, ds.reps)
					if err != nil {
						return false, err
					}
					v[arm] = ns
				}
				d[ds.name] = append(d[ds.name], math.Log(v["slow"]/v["base"]))
			}
		}
		cycles++
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(h.w, "%d cycles of %d benchmarks in %s; load average %s\n", cycles, len(benches), time.Since(start).Round(time.Second), strings.Join(strings.Fields(string(load))[:3], " "))
	tw := tabwriter.NewWriter(h.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "design\tpairs\teffect (median, +3% planted)\trobust SD\tSD")
	robust := map[string]float64{}
	for _, ds := range repsDesigns {
		xs := d[ds.name]
		med := median(xs)
		dev := make([]float64, len(xs))
		for i, x := range xs {
			dev[i] = math.Abs(x - med)
		}
		robust[ds.name] = 1.4826 * median(dev)
		fmt.Fprintf(tw, "%s\t%d\t%+.1f%%\t%.1f%%\t%.1f%%\n", ds.name, len(xs), 100*math.Expm1(med), 100*robust[ds.name], 100*stddev(xs))
	}
	tw.Flush()
	one, sixteen := robust[repsDesigns[0].name], robust[repsDesigns[2].name]
	return h.check(sixteen <= one/2, "the fastest of 16 repetitions varies %.1f%% between blocks (robust SD), one repetition %.1f%%: at most half", 100*sixteen, 100*one), nil
}

// trialNs runs one trial as gotune does (measure.Args) and returns its
// value in ns/op: the fastest repetition.
func trialNs(bin, dir, bench, benchtime string, reps int) (float64, error) {
	args := measure.Args(bin, bench, benchtime, reps)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%s %s: %v", filepath.Base(bin), bench, err)
	}
	var ns []float64
	r := benchfmt.NewReader(bytes.NewReader(out), bin)
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			if v, ok := res.Value("sec/op"); ok {
				ns = append(ns, v*1e9)
			}
		}
	}
	if len(ns) == 0 {
		return 0, fmt.Errorf("%s %s: no result", filepath.Base(bin), bench)
	}
	return slices.Min(ns), nil
}

func stddev(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	s := 0.0
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(xs)))
}
