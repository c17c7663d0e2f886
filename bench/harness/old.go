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
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/gotune/gotune/internal/pairstat"
	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/stats"
)

// oldResult is what the old design saw.
type oldResult struct {
	measured   time.Duration
	rounds     int
	detectable float64
	verdicts   []string
}

// oldDesign measures the binaries the paired run built (layout 0 of every
// measured variant) the way gotune measured before paired blocks: each
// round runs every variant's whole test binary once (-test.bench=. at
// 500ms a benchmark), variants in a shuffled order, until the budget is
// spent. It compares each variant with the baseline unpaired: the change is
// the geomean over benchmarks of the ratio of medians, with a bootstrap
// interval (samples resampled within each variant and benchmark) at the
// Bonferroni level for the variants compared, and detectable is what
// pairstat.Detectable makes of that interval, as for the paired run. The
// raw output is kept in out.
func oldDesign(run *result.Run, budget time.Duration, out string) (oldResult, error) {
	type arm struct {
		name, pkg, bin, dir string
	}
	var arms []arm
	for i := range run.Variants {
		v := &run.Variants[i]
		if !v.Measured() || v.SameCodeAs != "" {
			continue
		}
		for _, b := range v.Builds {
			if b.Layout != 0 || b.Binary == "" || b.Error != "" {
				continue
			}
			dir, err := pkgDir(run.Dir, b.Package)
			if err != nil {
				return oldResult{}, err
			}
			arms = append(arms, arm{v.Name, b.Package, b.Binary, dir})
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return oldResult{}, err
	}
	defer f.Close()
	// samples[variant][benchmark] are ns/op.
	samples := map[string]map[string][]float64{}
	var res oldResult
	start := time.Now()
	for done := false; !done; {
		order := slices.Clone(arms)
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, a := range order {
			if time.Since(start) >= budget {
				done = true
				break
			}
			cmd := exec.Command(a.bin, "-test.run=^$", "-test.bench=.", "-test.benchtime=500ms", "-test.count=1")
			cmd.Dir = a.dir
			var buf bytes.Buffer
			cmd.Stdout, cmd.Stderr = &buf, &buf
			if err := cmd.Run(); err != nil {
				return res, fmt.Errorf("old design: %s: %v\n%s", a.bin, err, buf.Bytes())
			}
			fmt.Fprintf(f, "variant: %s\n%s\n", a.name, buf.Bytes())
			r := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), a.name)
			for r.Scan() {
				rec, ok := r.Result().(*benchfmt.Result)
				if !ok {
					continue
				}
				if ns, ok := rec.Value("sec/op"); ok {
					if samples[a.name] == nil {
						samples[a.name] = map[string][]float64{}
					}
					name := a.pkg + " " + string(rec.Name.Full())
					samples[a.name][name] = append(samples[a.name][name], ns)
				}
			}
		}
		if !done {
			res.rounds++
		}
	}
	res.measured = time.Since(start)
	var names []string
	for _, a := range arms {
		if a.name != run.Baseline && !slices.Contains(names, a.name) {
			names = append(names, a.name)
		}
	}
	if len(names) == 0 {
		return res, fmt.Errorf("old design: no variant to compare with the baseline %s", run.Baseline)
	}
	confidence := 1 - 0.05/float64(len(names))
	for _, name := range names {
		lo, center, hi := geomeanCI(samples[run.Baseline], samples[name], confidence)
		d := pairstat.Detectable((hi-lo)/2, confidence, stats.Power)
		res.detectable = max(res.detectable, d)
		says := "could not tell"
		switch {
		case hi < 0:
			says = "faster"
		case lo > 0:
			says = "slower"
		}
		res.verdicts = append(res.verdicts, fmt.Sprintf("%s: %s %+.1f%% [%+.1f%%, %+.1f%%]", name, says,
			100*math.Expm1(center), 100*math.Expm1(lo), 100*math.Expm1(hi)))
	}
	return res, nil
}

// geomeanCI returns the log of the geomean over benchmarks of the ratio of
// median new to median base, with a percentile bootstrap interval at the
// confidence.
func geomeanCI(base, new map[string][]float64, confidence float64) (lo, center, hi float64) {
	var names []string
	for n := range base {
		if len(new[n]) > 0 {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return math.Inf(-1), 0, math.Inf(1)
	}
	logRatio := func(pick func([]float64) []float64) float64 {
		sum := 0.0
		for _, n := range names {
			sum += math.Log(median(pick(new[n])) / median(pick(base[n])))
		}
		return sum / float64(len(names))
	}
	center = logRatio(func(xs []float64) []float64 { return xs })
	const draws = 2000
	rng := rand.New(rand.NewPCG(1, 2))
	boot := make([]float64, draws)
	for i := range boot {
		boot[i] = logRatio(func(xs []float64) []float64 {
			out := make([]float64, len(xs))
			for j := range out {
				out[j] = xs[rng.IntN(len(xs))]
			}
			return out
		})
	}
	slices.Sort(boot)
	tail := (1 - confidence) / 2
	return boot[int(tail*float64(draws-1))], center, boot[int(math.Ceil((1-tail)*float64(draws-1)))]
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// pkgDir is the directory of the package with the import path pkg in the
// module at dir: test binaries run there, as go test runs them.
func pkgDir(dir, pkg string) (string, error) {
	cmd := exec.Command("go", "list", "-f", "{{.Dir}}", pkg)
	cmd.Dir = dir
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %v", pkg, err)
	}
	return filepath.Clean(strings.TrimSpace(string(b))), nil
}
