package report

import (
	"errors"
	"fmt"
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
// that trial on one line (sec/op written as ns/op, as go test does). Each
// block starts with file-configuration keys: goos, goarch and cpu of the
// host, pkg, and one key per build axis (goamd64, pgo, ldflags, gcflags,
// env; "none" when empty), so that benchstat can put any axis in columns:
//
//	benchstat -col goamd64 FILE
//	benchstat -col pgo FILE
//
// A variant key is added only when two measured variants have the same
// settings (an A/A check with --no-dedupe): otherwise it would split every
// table by variant. Same-code variants have no samples of their own and are
// not written. A line's iteration count is the benchmark's benchtime when
// that is a count (1200x), else 1: the model does not keep what a timed
// trial ran.
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
	// Variants in matrix order (baseline first, so it is benchstat's base
	// column), then packages and benchmarks in the order first measured,
	// then blocks.
	firstSeen := map[string]int{}
	for i, g := range order {
		for _, k := range []string{"p\x00" + g.pkg, "b\x00" + g.pkg + "\x00" + g.bench} {
			if _, ok := firstSeen[k]; !ok {
				firstSeen[k] = i
			}
		}
	}
	slices.SortStableFunc(order, func(a, b sampleGroup) int {
		if d := byVariant[a.variant] - byVariant[b.variant]; d != 0 {
			return d
		}
		if d := firstSeen["p\x00"+a.pkg] - firstSeen["p\x00"+b.pkg]; d != 0 {
			return d
		}
		if d := firstSeen["b\x00"+a.pkg+"\x00"+a.bench] - firstSeen["b\x00"+b.pkg+"\x00"+b.bench]; d != 0 {
			return d
		}
		return a.block - b.block
	})

	iters := map[string]int{}
	for _, b := range run.Benchmarks {
		if n, err := strconv.Atoi(strings.TrimSuffix(b.Benchtime, "x")); err == nil && strings.HasSuffix(b.Benchtime, "x") {
			iters[topKey(b.Package, b.Name)] = n
		}
	}
	withVariant := settingsCollide(run, values)
	bw := benchfmt.NewWriter(w)
	for _, g := range order {
		v := &run.Variants[byVariant[g.variant]]
		res := &benchfmt.Result{Name: benchfmt.Name(benchmarkName(g.bench)), Iters: iters[topKey(g.pkg, g.bench)]}
		if res.Iters <= 0 {
			res.Iters = 1
		}
		for _, kv := range benchstatKeys(run, v, g.pkg, withVariant) {
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

// benchstatKeys returns the file-configuration keys of one block: host,
// package and the variant's settings, one key per axis.
func benchstatKeys(run *result.Run, v *result.Variant, pkg string, withVariant bool) [][2]string {
	none := func(s string) string {
		s = strings.Join(strings.Fields(s), " ") // a key's value is one line
		if s == "" {
			return "none"
		}
		return s
	}
	var kv [][2]string
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
	if withVariant {
		kv = append(kv, [2]string{"variant", none(v.Name)})
	}
	for _, a := range axis.All {
		val := v.Settings.Get(a)
		if a == axis.PGO && val == "" {
			val = axis.PGOAuto
		}
		kv = append(kv, [2]string{a.Name, none(val)})
	}
	return kv
}

// settingsCollide reports whether two variants with samples have the same
// per-axis keys, so that only a variant key tells them apart.
func settingsCollide(run *result.Run, values map[sampleGroup][]result.Sample) bool {
	has := map[string]bool{}
	for g := range values {
		has[g.variant] = true
	}
	seen := map[string]string{}
	for i := range run.Variants {
		v := &run.Variants[i]
		if !has[v.Name] {
			continue
		}
		k := fmt.Sprint(benchstatKeys(run, v, "", false))
		if other, ok := seen[k]; ok && other != v.Name {
			return true
		}
		seen[k] = v.Name
	}
	return false
}
