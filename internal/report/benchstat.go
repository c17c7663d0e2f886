package report

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
)

// Benchstat writes the samples of run in the Go benchmark format, one
// result line per variant, package, benchmark and block, with the units of
// that trial on one line (sec/op written as ns/op, as go test does): the
// same shape as the raw file of a run (<run folder>/results.txt). Blocks
// come in the order they ran, each with the baseline first, so that the
// baseline is benchstat's reference column. Each result carries the
// file-configuration keys of the raw file: variant, one key per axis
// (rev in a run that compares revisions, then goamd64, pgo, ldflags,
// gcflags, env, gogc; "none" when empty), block,
// and goos, goarch, pkg and cpu of the host. So one command reads both
// files, every variant against the baseline:
//
//	benchstat -table pkg -col variant -ignore block FILE
//
// and one axis at a time, the other axes making the tables:
//
//	benchstat -col goamd64 -ignore variant,block FILE
//
// benchstat's tests are unpaired (Mann–Whitney U over the blocks): they
// see less than gotune's paired analysis. Same-code variants have no
// samples of their own and are not written. A line's iteration count is
// the benchmark's benchtime when that is a count (1200x), else 1: the
// model does not keep what a timed trial ran.
func Benchstat(w io.Writer, run *result.Run) error {
	if run == nil {
		return errors.New("report: no run to write")
	}
	byVariant := map[string]int{}
	for i, v := range run.Variants {
		if _, ok := byVariant[v.Name]; !ok {
			byVariant[v.Name] = i
		}
	}
	values := map[sampleGroup][]result.Sample{}
	var order []sampleGroup
	for _, s := range run.Samples {
		if _, ok := byVariant[s.Variant]; !ok || !finite(s.Value) {
			continue
		}
		g := sampleGroup{s.Variant, s.Package, s.Benchmark, s.Block}
		if _, ok := values[g]; !ok {
			order = append(order, g)
		}
		values[g] = append(values[g], s)
	}
	// Blocks in order, each with its variants in matrix order (baseline
	// first, so it is benchstat's reference column), as the raw file has
	// them.
	slices.SortStableFunc(order, func(a, b sampleGroup) int {
		if d := a.block - b.block; d != 0 {
			return d
		}
		return byVariant[a.variant] - byVariant[b.variant]
	})

	iters := map[string]int{}
	for _, b := range run.Benchmarks {
		if n, err := strconv.Atoi(strings.TrimSuffix(b.Benchtime, "x")); err == nil && strings.HasSuffix(b.Benchtime, "x") {
			iters[topKey(b.Package, b.Name)] = n
		}
	}
	bw := benchfmt.NewWriter(w)
	for _, g := range order {
		v := &run.Variants[byVariant[g.variant]]
		res := &benchfmt.Result{Name: benchfmt.Name(benchmarkName(g.bench)), Iters: iters[topKey(g.pkg, g.bench)]}
		if res.Iters <= 0 {
			res.Iters = 1
		}
		for _, kv := range benchstatKeys(run, v, g.pkg, g.block) {
			res.Config = append(res.Config, benchfmt.Config{Key: kv[0], Value: []byte(kv[1]), File: true})
		}
		samples := values[g]
		slices.SortStableFunc(samples, func(a, b result.Sample) int { return unitRank(a.Unit) - unitRank(b.Unit) })
		for _, s := range samples {
			val := benchfmt.Value{Value: s.Value, Unit: s.Unit}
			if s.Unit == "sec/op" {
				val.OrigValue, val.OrigUnit = roundSignificant(s.Value*1e9, 12), "ns/op"
			}
			res.Values = append(res.Values, val)
		}
		if err := bw.Write(res); err != nil {
			return err
		}
	}
	return nil
}

// roundSignificant rounds v to n significant digits, so that converting
// seconds back to nanoseconds prints 1243.872, not 1243.8719999999998.
func roundSignificant(v float64, n int) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', n, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// topKey identifies the top-level benchmark of a benchmark's full name in
// a package, with or without its Benchmark prefix.
func topKey(pkg, name string) string {
	name, _, _ = strings.Cut(strings.TrimPrefix(name, "Benchmark"), "/")
	return pkg + "\x00" + name
}

// sampleGroup identifies the samples of one trial of one benchmark: one
// result line.
type sampleGroup struct {
	variant, pkg, bench string
	block               int
}

// benchmarkName returns the name of a benchmark as benchfmt keeps it:
// without the "Benchmark" prefix, which the writer adds back.
func benchmarkName(name string) string {
	name = strings.TrimPrefix(name, "Benchmark")
	if name == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return '_'
		}
		return r
	}, name)
}

// benchstatKeys returns the file-configuration keys of one result, as
// the raw file has them: the variant, its settings (one key per axis), the
// block, then host and package.
func benchstatKeys(run *result.Run, v *result.Variant, pkg string, block int) [][2]string {
	none := func(s string) string {
		s = strings.Join(strings.Fields(s), " ") // a key's value is one line
		if s == "" {
			return "none"
		}
		return s
	}
	kv := [][2]string{{"variant", none(v.Name)}}
	for _, a := range axis.All {
		val := v.Settings.Get(a)
		if (a == axis.Rev || a == axis.Toolchain || a == axis.GOEXPERIMENT) && val == "" {
			continue // a run without revisions
		}
		if a == axis.PGO && val == "" {
			val = axis.PGOAuto
		}
		kv = append(kv, [2]string{a.Name, none(val)})
	}
	kv = append(kv, [2]string{"block", strconv.Itoa(block)})
	if run.Host.GOOS != "" {
		kv = append(kv, [2]string{"goos", run.Host.GOOS})
	}
	if run.Host.GOARCH != "" {
		kv = append(kv, [2]string{"goarch", run.Host.GOARCH})
	}
	if pkg != "" {
		kv = append(kv, [2]string{"pkg", pkg})
	}
	if run.Host.CPU != "" {
		kv = append(kv, [2]string{"cpu", none(run.Host.CPU)})
	}
	return kv
}
