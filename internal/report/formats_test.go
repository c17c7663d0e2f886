package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/check"
	"github.com/gotune/gotune/internal/result"
)

// fixtures are the runs every format is golden-tested on.
var fixtures = []struct {
	name string // also the golden file's stem
	run  func() *result.Run
}{
	{"typical", typicalRun},
	{"no-winner", noWinnerRun},
	{"all-failed", allFailedRun},
	{"regression", regressionRun},
}

func TestFormatsGolden(t *testing.T) {
	formats := []struct {
		format Format
		ext    string
		opts   Options
	}{
		{FormatMarkdown, "md", Options{}},
		{FormatHTML, "html", Options{}},
		{FormatJSON, "json", Options{}},
		{FormatBenchstat, "bench.txt", Options{}},
	}
	for _, f := range formats {
		for _, fx := range fixtures {
			t.Run(string(f.format)+"/"+fx.name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Render(&buf, f.format, fx.run(), f.opts); err != nil {
					t.Fatal(err)
				}
				golden(t, fx.name+"."+f.ext, buf.Bytes())
			})
		}
	}
	// Verbose Markdown adds folded per-benchmark tables.
	var buf bytes.Buffer
	if err := Markdown(&buf, regressionRun(), Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	golden(t, "regression-verbose.md", buf.Bytes())
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name, in string
		want     Format
		wantErr  string
	}{
		{"text", "text", FormatText, ""},
		{"markdown", "markdown", FormatMarkdown, ""},
		{"md alias", "md", FormatMarkdown, ""},
		{"html", "html", FormatHTML, ""},
		{"json", "json", FormatJSON, ""},
		{"benchstat", "benchstat", FormatBenchstat, ""},
		{"unknown", "pdf", "", `--format "pdf": unknown format (want text, markdown, html, json, benchstat)`},
		{"case matters", "HTML", "", "unknown format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFormat(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseFormat(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestRenderEveryFormatCopes renders damaged and empty runs in every
// format: no panic, and only write errors are errors.
func TestRenderEveryFormatCopes(t *testing.T) {
	runs := map[string]func() *result.Run{
		"empty":    func() *result.Run { return &result.Run{} },
		"no stats": func() *result.Run { r := typicalRun(); r.Analysis = nil; return r },
		"twin cycle": func() *result.Run {
			r := typicalRun()
			r.Variants[0].SameCodeAs = r.Variants[1].Name
			return r
		},
		"unbounded intervals": func() *result.Run {
			r := regressionRun()
			for i := range r.Analysis.Comparisons {
				r.Analysis.Comparisons[i].Change.Lo, r.Analysis.Comparisons[i].Change.Hi = math.Inf(-1), math.Inf(1)
			}
			r.Stats("gcflags=-N -l").Change.Lo = math.Inf(-1)
			return r
		},
		"odd names": func() *result.Run {
			r := regressionRun()
			renameVariant(r, "gcflags=-N -l", "a|b <script>`x`</script>")
			return r
		},
		"stats of another run": func() *result.Run {
			r := typicalRun()
			r.Analysis = regressionRun().Analysis
			return r
		},
	}
	for name, mk := range runs {
		for _, f := range Formats {
			t.Run(name+"/"+string(f), func(t *testing.T) {
				var buf bytes.Buffer
				err := Render(&buf, f, mk(), Options{Verbose: true})
				if err != nil { // JSON writes unbounded intervals as null
					t.Fatal(err)
				}
			})
		}
	}
	for _, f := range Formats {
		if err := Render(io.Discard, f, nil, Options{}); err == nil {
			t.Errorf("Render(%s, nil run) = nil error, want one", f)
		}
		wantErr := errors.New("disk full")
		if err := Render(failWriter{wantErr}, f, typicalRun(), Options{}); !errors.Is(err, wantErr) {
			t.Errorf("Render(%s) to a failing writer = %v, want %v", f, err, wantErr)
		}
	}
}

func TestMarkdownRegressionsFirst(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, regressionRun(), Options{}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	slower := strings.Index(md, "**Slower than the baseline**")
	table := strings.Index(md, "| # | variant |")
	if slower < 0 || table < 0 || slower > table {
		t.Fatalf("the slower benchmarks (at %d) do not come before the table (at %d):\n%s", slower, table, md)
	}
	// Worst first: Quote/small (+216%) before Quote/large (+110%).
	small := strings.Index(md, "BenchmarkQuote/small")
	large := strings.Index(md, "BenchmarkQuote/large")
	if small < 0 || large < 0 || small > large {
		t.Errorf("regressions are not worst first:\n%s", md)
	}
	if strings.Contains(md[slower:table], "BenchmarkParse") {
		t.Errorf("a non-significant change is listed as slower:\n%s", md)
	}
}

func TestMarkdownEscaping(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"text", mdText("a|b *c* _d_ <e> [f]"), `a\|b \*c\* \_d\_ &lt;e&gt; \[f\]`},
		{"code", mdCode("-ldflags='-s -w'"), "`-ldflags='-s -w'`"},
		{"code with pipe", mdCode("a|b"), "`a\\|b`"},
		{"code with backtick", mdCode("a`b"), "`` a`b ``"},
		{"code empty", mdCode(""), ""},
		{"control characters", mdText("a\tb\nc"), "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestHTMLSelfContained checks that the page fetches nothing and is well
// formed enough for an XML parser (every element closed, attributes
// quoted), and that it holds the three charts.
func TestHTMLSelfContained(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := HTML(&buf, fx.run()); err != nil {
				t.Fatal(err)
			}
			page := buf.String()
			for _, bad := range []string{"<script", "<link", "src=", "@import", "url(", "http://", "https://"} {
				rest := strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
				if strings.Contains(rest, bad) {
					t.Errorf("page holds %q: it must not fetch anything", bad)
				}
			}
			body := page[strings.Index(page, "<body>") : strings.Index(page, "</body>")+len("</body>")]
			dec := xml.NewDecoder(strings.NewReader(body))
			dec.Strict = true
			dec.Entity = map[string]string{}
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("the body is not well formed: %v", err)
				}
			}
		})
	}
	tests := []struct {
		name  string
		run   func() *result.Run
		want  []string
		avoid []string
	}{
		{"typical", typicalRun, []string{`id="verdict-card"`, `id="speedup"`, `id="overall-chart"`, `class="bar winner"`, `id="benchmarks"`, `id="benchmark-charts"`, `bench-chart`, `id="size-chart"`, `id="build-line"`, `id="colours"`}, nil},
		{"regression", regressionRun, []string{`class="bar slower"`, `class="cell slower"`, "slower"}, []string{`id="build-line"`}},
		{"all failed", allFailedRun, []string{`id="overall-chart-empty"`, `id="advice"`}, []string{`id="size-chart"`, `id="benchmark-charts"`}},
	}
	for _, tt := range tests {
		t.Run("charts/"+tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := HTML(&buf, tt.run()); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("page lacks %s", w)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(buf.String(), a) {
					t.Errorf("page holds %s", a)
				}
			}
		})
	}
}

// TestHTMLBarsGoLeftForSlowdowns checks the geometry of every forest
// chart: a slower variant's bar lies left of the zero line, a faster
// one's right of it, in the overall chart and in every per-benchmark
// chart, with a whisker around the bar's end.
func TestHTMLBarsGoLeftForSlowdowns(t *testing.T) {
	tests := []struct {
		name    string
		run     func() *result.Run
		variant string
		left    bool
	}{
		{"faster goes right", typicalRun, "goamd64=v3", false},
		{"slower goes left", regressionRun, "gcflags=-N -l", true},
	}
	check := func(t *testing.T, where string, r forestRow, left bool) {
		t.Helper()
		gotLeft := r.BarX+r.BarW <= r.ZeroX+0.05
		gotRight := r.BarX >= r.ZeroX-0.05
		if left && !gotLeft || !left && !gotRight {
			t.Errorf("%s: bar of %s spans x %.1f%% to %.1f%% with zero at %.1f%%; want it %s", where, r.Full, r.BarX, r.BarX+r.BarW, r.ZeroX, map[bool]string{true: "left", false: "right"}[left])
		}
		end := r.BarX + r.BarW
		if left {
			end = r.BarX
		}
		if r.HasWhisker && (r.WLo > end+0.1 || r.WHi < end-0.1) {
			t.Errorf("%s: whisker of %s is %.1f%% to %.1f%%, not around the bar's end at %.1f%%", where, r.Full, r.WLo, r.WHi, end)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := tt.run()
			r := &textReport{run: run}
			keys := variantKeys(run)
			f := overallForest(r, keys)
			if f == nil {
				t.Fatal("no chart")
			}
			found := false
			for _, row := range f.Rows {
				if row.Full == tt.variant {
					found = true
					check(t, "overall", row, tt.left)
				}
			}
			if !found {
				t.Fatalf("no bar for %s", tt.variant)
			}
			// In the per-benchmark charts, every significant change goes
			// the way its words say.
			_, small, _ := perBenchmark(r, keys)
			for _, ch := range small {
				for _, row := range ch.Rows {
					switch row.Class {
					case "slower":
						check(t, ch.Full, row, true)
					case "faster":
						check(t, ch.Full, row, false)
					}
					if (row.Class == "slower") != strings.HasSuffix(row.Label, "slower") {
						t.Errorf("%s: %s is coloured %s but says %q", ch.Full, row.Full, row.Class, row.Label)
					}
				}
			}
		})
	}
}

func TestNiceScale(t *testing.T) {
	tests := []struct {
		name      string
		lo, hi    float64
		wantTicks []float64
	}{
		{"percent", -6.3, 2.0, []float64{-8, -6, -4, -2, 0, 2}},
		{"small", 0, 0.3, []float64{0, 0.1, 0.2, 0.3}},
		{"flat", 0, 0, []float64{-1, -0.5, 0, 0.5, 1}},
		{"big", -152, 0, []float64{-200, -150, -100, -50, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScale(tt.lo, tt.hi, 100, 0)
			if !slices.Equal(s.ticks, tt.wantTicks) {
				t.Errorf("ticks = %v, want %v", s.ticks, tt.wantTicks)
			}
			if s.pos(s.lo) != 100 || s.pos(s.hi) != 0 {
				t.Errorf("range [%g, %g] maps to [%g, %g], want [100, 0]", s.lo, s.hi, s.pos(s.lo), s.pos(s.hi))
			}
		})
	}
}

// projected reads a benchstat file back and projects it as `benchstat
// -table TABLE -col COL -ignore IGNORE FILE` does: tables by TABLE and the
// unit, rows by full name, columns by COL. It returns the column values of
// every sec/op table, in order, and the number of values in every cell,
// and fails when a cell mixes results that differ in a key no projection
// uses (benchstat's "benchmarks vary in" warning).
func projected(t *testing.T, data []byte, table, col, ignore string) (tables map[string][]string, cells map[string]int) {
	t.Helper()
	var parser benchproc.ProjectionParser
	tableBy, unitField, err := parser.ParseWithUnit(table, nil)
	if err != nil {
		t.Fatal(err)
	}
	rowBy, err := parser.Parse(".fullname", nil)
	if err != nil {
		t.Fatal(err)
	}
	colBy, err := parser.Parse(col, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse(ignore, nil); err != nil {
		t.Fatal(err)
	}
	residue := parser.Residue()
	tables = map[string][]string{}
	cells = map[string]int{}
	residues := map[string]benchproc.Key{}
	r := benchfmt.NewReader(bytes.NewReader(data), "gotune.bench")
	n := 0
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Fatalf("the file does not parse: %v", rec)
		case *benchfmt.Result:
			n++
			ck := colBy.Project(rec).StringValues()
			row := rowBy.Project(rec).String()
			res := residue.Project(rec)
			for _, tk := range tableBy.ProjectValues(rec) {
				if tk.Get(unitField) != "sec/op" {
					continue
				}
				table := tk.String()
				if !slices.Contains(tables[table], ck) {
					tables[table] = append(tables[table], ck)
				}
				cell := table + " | " + row + " | " + ck
				cells[cell]++
				if prev, ok := residues[cell]; ok && prev != res {
					t.Errorf("cell %s mixes results that vary in %s and %s", cell, prev, res)
				}
				residues[cell] = res
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no results in the file")
	}
	return tables, cells
}

func TestBenchstatProjections(t *testing.T) {
	tests := []struct {
		name              string
		run               func() *result.Run
		table, col, ignor string
		wantTables        int
		wantCols          []string // in every table, in order
		wantCell          int      // sec/op values per cell: one per cycle
		missing           int      // values missing from cells: failed trials
	}{
		{"typical by variant", typicalRun, "pkg", "variant", "block", 2, []string{"goamd64=v1", "goamd64=v3"}, 12, 1},
		{"matrix by variant", axisRun, "pkg", "variant", "block", 2, []string{"baseline", "goamd64=v3", "pgo=off", "goamd64=v3,pgo=off"}, 3, 0},
		{"typical by goamd64", typicalRun, ".config", "goamd64", "variant,block", 2, []string{"v1", "v3"}, 12, 1},
		{"matrix by goamd64", axisRun, ".config", "goamd64", "variant,block", 4, []string{"v1", "v3"}, 3, 0},
		{"matrix by pgo", axisRun, ".config", "pgo", "variant,block", 4, []string{"auto", "off"}, 3, 0},
		{"regression by gcflags", regressionRun, ".config", "gcflags", "variant,block", 2, nil, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Benchstat(&buf, tt.run()); err != nil {
				t.Fatal(err)
			}
			tables, cells := projected(t, buf.Bytes(), tt.table, tt.col, tt.ignor)
			if len(tables) != tt.wantTables {
				t.Errorf("%d tables, want %d: %v", len(tables), tt.wantTables, tables)
			}
			for tk, cols := range tables {
				if tt.wantCols != nil && !slices.Equal(cols, tt.wantCols) {
					t.Errorf("table %s has columns %q, want %q", tk, cols, tt.wantCols)
				}
			}
			missing := 0
			for ck, n := range cells {
				if n > tt.wantCell {
					t.Errorf("cell %s has %d sec/op values, want %d", ck, n, tt.wantCell)
				}
				missing += tt.wantCell - n
			}
			if missing != tt.missing {
				t.Errorf("%d sec/op values missing from the cells, want %d (the failed trials): %v", missing, tt.missing, cells)
			}
		})
	}
}

// TestBenchstatKeys checks that the file has the raw file's keys, and
// that each block lists the baseline first.
func TestBenchstatKeys(t *testing.T) {
	run := axisRun()
	var buf bytes.Buffer
	if err := Benchstat(&buf, run); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, k := range []string{"variant: baseline", "goamd64: v1", "pgo: auto", "ldflags: none", "gcflags: none", "env: none", "gogc: none", "block: 1", "goos: linux", "goarch: amd64", "pkg: " + fixAPI, "cpu: "} {
		if !strings.Contains(out, "\n"+k) && !strings.HasPrefix(out, k) {
			t.Errorf("file lacks the key line %q", k)
		}
	}
	if !strings.Contains(out, "ns/op") {
		t.Errorf("sec/op is not written as ns/op")
	}
	r := benchfmt.NewReader(strings.NewReader(out), "x")
	block, first := -1, ""
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		b, err := strconv.Atoi(res.GetConfig("block"))
		if err != nil {
			t.Fatalf("block key %q: %v", res.GetConfig("block"), err)
		}
		if b < block {
			t.Fatalf("block %d after block %d: blocks out of order", b, block)
		}
		if b != block {
			block, first = b, res.GetConfig("variant")
			if first != run.Baseline {
				t.Errorf("block %d starts with %s, want the baseline", b, first)
			}
		}
	}
}

// TestBenchstatRoundTrip reads the file back with benchfmt and checks that
// every sample of the run is there with its value.
func TestBenchstatRoundTrip(t *testing.T) {
	run := typicalRun()
	var buf bytes.Buffer
	if err := Benchstat(&buf, run); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	iters := map[string]int{} // the benchtime count of each top-level benchmark
	for _, b := range run.Benchmarks {
		n, err := strconv.Atoi(strings.TrimSuffix(b.Benchtime, "x"))
		if err != nil {
			t.Fatalf("fixture benchtime %q is not a count", b.Benchtime)
		}
		iters[strings.TrimPrefix(b.Name, "Benchmark")] = n
	}
	r := benchfmt.NewReader(&buf, "x")
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		if top, _, _ := strings.Cut(string(res.Name.Full()), "/"); res.Iters != iters[top] {
			t.Errorf("%s ran %d iterations, want its benchtime's %d", res.Name.Full(), res.Iters, iters[top])
		}
		for _, v := range res.Values {
			k := fmt.Sprintf("%s %s %s %s", res.GetConfig("goamd64"), res.GetConfig("pkg"), res.Name.Full(), v.Unit)
			got[k] += v.Value
		}
	}
	want := map[string]float64{}
	for _, s := range run.Samples {
		v := run.Variant(s.Variant)
		k := fmt.Sprintf("%s %s %s %s", v.Settings.Get(axis.GOAMD64), s.Package, strings.TrimPrefix(s.Benchmark, "Benchmark"), s.Unit)
		want[k] += s.Value
	}
	if len(got) != len(want) {
		t.Errorf("%d series read back, want %d", len(got), len(want))
	}
	for k, w := range want {
		if g := got[k]; g < w*(1-1e-9) || g > w*(1+1e-9) {
			t.Errorf("%s: sum %g read back, want %g", k, g, w)
		}
	}
}

// TestBenchstatCommand runs the real benchstat (built from the x/perf
// module gotune already depends on) on the file with the commands the
// README gives: every variant against the baseline, and along one axis.
func TestBenchstatCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs golang.org/x/perf/cmd/benchstat; skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	var buf bytes.Buffer
	if err := Benchstat(&buf, axisRun()); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bench.txt")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want []string // in the output, in order
	}{
		{[]string{"-table", "pkg", "-col", "variant", "-ignore", "block"}, []string{"pkg: " + fixAPI, "│   baseline   │", "goamd64=v3", "pgo=off", "goamd64=v3,pgo=off", "│    sec/op    │", "vs base", "pkg: " + fixStore, "baseline", "goamd64=v3", "pgo=off", "goamd64=v3,pgo=off"}},
		{[]string{"-col", "goamd64", "-ignore", "variant,block"}, []string{"pgo: auto", "│     v1      │", "v3", "vs base", "pgo: off", "v1", "v3"}},
		{[]string{"-col", "pgo", "-ignore", "variant,block"}, []string{"goamd64: v1", "│    auto     │", "off", "vs base", "goamd64: v3", "auto", "off"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out := runBenchstat(t, goCmd, append(tt.args, file)...)
			at := 0
			for _, w := range tt.want {
				i := strings.Index(out[at:], w)
				if i < 0 {
					t.Fatalf("benchstat %s output lacks %q after byte %d:\n%s", tt.args, w, at, out)
				}
				at += i + len(w)
			}
		})
	}
}

// runBenchstat runs the real benchstat of the x/perf module in go.mod and
// returns its output; it fails when benchstat fails or warns that a cell
// mixes results that differ in a key no projection uses.
func runBenchstat(t *testing.T, goCmd string, args ...string) string {
	t.Helper()
	cmd := exec.Command(goCmd, append([]string{"run", "golang.org/x/perf/cmd/benchstat"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("benchstat %s: %v\n%s", args, err, out)
	}
	s := string(out)
	if strings.Contains(s, "benchmarks vary in") {
		t.Errorf("benchstat %s mixes results that differ in a hidden key:\n%s", args, s)
	}
	return s
}

// bigRun returns a run of 64 variants measured on 40 benchmarks: a
// verbose Markdown report of it is far beyond GitHub's comment limit.
func bigRun() *result.Run {
	run := baseRun()
	run.Packages = []string{fixAPI}
	run.Baseline = "baseline"
	var rows []fixRow
	for i := range 40 {
		name := fmt.Sprintf("BenchmarkHandler%02d", i)
		rows = append(rows, fixRow{fixAPI, name, name, float64(200+37*i) * 1e-9, 64, 2})
	}
	tr := map[string]truth{}
	for i := range 64 {
		v := result.Variant{Name: "baseline", Status: result.StatusOK, Settings: axis.Settings{"goamd64": "v1", "gcflags": ""}}
		if i > 0 {
			v.Name = fmt.Sprintf("gcflags=all=-d=pgoinlinebudget=%d", 80+10*i)
			v.Settings = axis.Settings{"goamd64": "v1", "gcflags": fmt.Sprintf("all=-d=pgoinlinebudget=%d", 80+10*i)}
			v.Complexity = 1
			tr[v.Name] = truth{time: map[string]float64{"": float64(i%7-3) / 100}}
		}
		run.Variants = append(run.Variants, v)
	}
	return gen{rows: rows, cycles: 6, noise: 0.01, seed: 7, truth: tr}.fill(run)
}

// TestMarkdownStaysUnderGitHubLimit renders the verbose Markdown of a
// 64-variant, 40-benchmark run, alone and as a check's report: each stays
// under GitHub's 65,536-character comment limit, keeps its headline, table
// and footer, cuts per-benchmark sections whole (from the last variant
// back), and says what it cut and where the full report is.
func TestMarkdownStaysUnderGitHubLimit(t *testing.T) {
	run := bigRun()
	run.WorkDir = "/tmp/gotune-1722/runs/20260302-100000-seed1722"
	var full strings.Builder
	m := &mdReport{textReport: textReport{run: run, w: &full}}
	var d mdDoc
	m.textReport.w = &d.cur
	m.headline("###")
	m.body(&d, Options{Verbose: true}, true)
	whole := d.assemble(1<<30, "")
	if len(whole) < 4*MarkdownLimit {
		t.Fatalf("the uncut report is %d bytes: the fixture is too small to test the cut", len(whole))
	}
	render := map[string]func(io.Writer) error{
		"markdown": func(w io.Writer) error { return Markdown(w, run, Options{Verbose: true}) },
		"check": func(w io.Writer) error {
			return CheckMarkdown(w, check.Evaluate(run, check.Options{MaxRegression: 0.05}), Options{Verbose: true})
		},
	}
	for name, r := range render {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := r(&buf); err != nil {
				t.Fatal(err)
			}
			md := buf.String()
			if n := utf8.RuneCountInString(md); n >= 65536 || len(md) > MarkdownLimit {
				t.Errorf("the report is %d characters, %d bytes: want fewer than 65,536 characters and at most %d bytes", n, len(md), MarkdownLimit)
			}
			t.Logf("%d bytes of %d kept", len(md), len(whole))
			for _, want := range []string{"### ", "| # | variant |", "<sub>github.com/acme/quote", "**Cut to fit GitHub's 65,536-character limit:** the per-benchmark tables of ",
				"The full report: `gotune report /tmp/gotune-1722/runs/20260302-100000-seed1722/result.json -v`"} {
				if !strings.Contains(md, want) {
					t.Errorf("the cut report lacks %q", want)
				}
			}
			if o, c := strings.Count(md, "<details>"), strings.Count(md, "</details>"); o != c {
				t.Errorf("%d <details> and %d </details>: a section was cut in half", o, c)
			}
			kept := strings.Count(md, ": per-benchmark results</summary>")
			if kept == 0 || kept >= 63 {
				t.Errorf("%d per-benchmark sections kept, want some but not all 63", kept)
			}
			if !strings.Contains(md, "gcflags=all=-d=pgoinlinebudget=90 vs baseline: per-benchmark results") {
				t.Errorf("the first variant's section was cut before the last one's")
			}
			if strings.Contains(md, "gcflags=all=-d=pgoinlinebudget=710 vs baseline: per-benchmark results") {
				t.Errorf("the last variant's section was kept")
			}
			if !strings.Contains(md, fmt.Sprintf("the per-benchmark tables of %d variants", 63-kept)) {
				t.Errorf("the note does not count the %d sections cut", 63-kept)
			}
		})
	}
	// When even the parts that are never cut are too long (here, a
	// thousand warnings), the report ends at a whole line, closes its
	// folded section and says so.
	noisy := regressionRun()
	for i := range 1000 {
		noisy.Warnings = append(noisy.Warnings, fmt.Sprintf("warning %d: %s", i, strings.Repeat("the machine was busy ", 8)))
	}
	var cut bytes.Buffer
	if err := Markdown(&cut, noisy, Options{}); err != nil {
		t.Fatal(err)
	}
	if md := cut.String(); len(md) > MarkdownLimit || !strings.Contains(md, "the rest of the report from here") ||
		strings.Count(md, "<details>") != strings.Count(md, "</details>") || !strings.HasPrefix(md, "### gotune: ") {
		t.Errorf("a report of 1000 warnings is %d bytes (limit %d), ends:\n%s", len(md), MarkdownLimit, md[max(0, len(md)-600):])
	}
	// A report under the limit is not cut.
	var small bytes.Buffer
	if err := Markdown(&small, regressionRun(), Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(small.String(), "Cut to fit") {
		t.Errorf("a small report says it was cut")
	}
}
