package report

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestTextGolden(t *testing.T) {
	tests := []struct {
		name   string
		run    *result.Run
		opts   Options
		golden string
	}{
		{"typical", typicalRun(), Options{}, "typical.golden"},
		{"no winner", noWinnerRun(), Options{}, "no-winner.golden"},
		{"all failed", allFailedRun(), Options{}, "all-failed.golden"},
		{"verbose", typicalRun(), Options{Verbose: true}, "verbose.golden"},
		{"verbose no winner", noWinnerRun(), Options{Verbose: true}, "verbose-no-winner.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Text(&buf, tt.run, tt.opts); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(buf.String(), "\n") {
				if strings.TrimRight(line, " ") != line {
					t.Errorf("line %d has trailing blanks: %q", i+1, line)
				}
			}
			golden(t, tt.golden, buf.Bytes())
		})
	}
}

// TestTextPartialRuns renders runs that stats left half done, or that were
// damaged on the way, and checks that Text copes.
func TestTextPartialRuns(t *testing.T) {
	tests := []struct {
		name string
		run  func() *result.Run
		want []string // substrings of the report
	}{
		{"empty run", func() *result.Run { return &result.Run{} }, []string{"No variants in this run.", "No recommendation: the baseline was not measured"}},
		{"no stats", func() *result.Run {
			run := typicalRun()
			run.Analysis = nil
			return run
		}, []string{"not compared", "no comparisons", "no variant could be compared"}},
		{"twin cycle", func() *result.Run {
			run := typicalRun()
			run.Variants[0].SameCodeAs = run.Variants[1].Name
			return run
		}, []string{"same code as goamd64=v1"}},
		{"twin missing", func() *result.Run {
			run := typicalRun()
			run.Variants[1].SameCodeAs = "gone"
			return run
		}, []string{"same code as gone", "n/a"}},
		{"winner missing", func() *result.Run {
			run := typicalRun()
			run.Analysis.Winner = "gone"
			return run
		}, []string{"(no build line recorded for gone)"}},
		{"non-finite numbers", func() *result.Run {
			run := typicalRun()
			inf := math.Inf(1)
			v3 := run.Stats("goamd64=v3")
			v3.Change = &result.Ratio{Center: math.NaN(), Lo: math.Inf(-1), Hi: inf}
			v3.Bytes = ptr(math.NaN())
			cs := run.Analysis.Comparisons
			cs[0].Base = inf
			cs[1].New = math.NaN()
			cs[2].Change.Center, cs[2].P = math.NaN(), math.NaN()
			return run
		}, []string{"3.8s", "   ?   ", "overall: ?\n", "\nQuote/small  sec/op     -  "}},
		{"many failures", func() *result.Run {
			run := typicalRun()
			for i := range 14 {
				run.Failures = append(run.Failures, result.Failure{Variant: "goamd64=v3", Package: fixAPI, Block: 4*i + 1, Error: fmt.Sprintf("error %d\nmore", i)})
			}
			return run
		}, []string{"failure: goamd64=v3, ./api, cycle 9: error 8 (+1 line)\n  - ... and 5 more failures (all are in the JSON result)"}},
		{"control characters", func() *result.Run {
			run := typicalRun()
			renameVariant(run, "goamd64=v3", "odd\tname\n")
			return run
		}, []string{"\n1  odd name  "}},
		{"many packages", func() *result.Run {
			run := typicalRun()
			run.Packages = []string{fixModule, fixAPI, fixStore, "example.com/other", fixModule + "/a", fixModule + "/b"}
			return run
		}, []string{"packages . ./api ./store example.com/other (+2 more)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Text(&buf, tt.run(), Options{Verbose: true}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, buf.String())
				}
			}
		})
	}
}

// TestTextTidiesUnits gives the comparisons in ns/op, as benchfmt reads
// them before tidying: the verbose report must be the same as with sec/op.
// (It replaces a check of "1.234µ ± 2%": the model no longer has
// per-side intervals.)
func TestTextTidiesUnits(t *testing.T) {
	var want, got bytes.Buffer
	run := typicalRun()
	if err := Text(&want, run, Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for i := range run.Analysis.Comparisons {
		c := &run.Analysis.Comparisons[i]
		if c.Unit == "sec/op" {
			c.Unit, c.Base, c.New = "ns/op", c.Base*1e9, c.New*1e9
		}
	}
	if err := Text(&got, run, Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("with ns/op:\n%s\nwith sec/op:\n%s", got.String(), want.String())
	}
}

func TestTextErrors(t *testing.T) {
	if err := Text(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Error("Text(nil run) = nil error, want one")
	}
	wantErr := errors.New("disk full")
	if err := Text(failWriter{wantErr}, typicalRun(), Options{}); !errors.Is(err, wantErr) {
		t.Errorf("Text to a failing writer = %v, want %v", err, wantErr)
	}
}

// failWriter fails every write with err.
type failWriter struct{ err error }

// Write returns the writer's error.
func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestSettingsString(t *testing.T) {
	tests := []struct {
		name string
		in   axis.Settings
		want string
	}{
		{"plain", axis.Settings{"goamd64": "v1", "pgo": "off"}, "GOAMD64=v1 -pgo=off"},
		{"strip", axis.Settings{"goamd64": "v3", "ldflags": "-s -w", "pgo": "off"}, "GOAMD64=v3 -pgo=off -ldflags='-s -w'"},
		{"pgo path as written", axis.Settings{"goamd64": "v3", "pgo": "profiles/p.pgo"}, "GOAMD64=v3 -pgo=profiles/p.pgo"},
		{"pgo resolved only", axis.Settings{"pgo": "/abs/p.pgo"}, "-pgo=/abs/p.pgo"},
		{"gcflags", axis.Settings{"goamd64": "v2", "gcflags": "all=-d=pgoinlinebudget=160", "pgo": "auto"}, "GOAMD64=v2 -pgo=auto -gcflags=all=-d=pgoinlinebudget=160"},
		{"env and quote", axis.Settings{"goamd64": "v1", "ldflags": "-X 'main.v=1'", "env": "CGO_ENABLED=0 GOEXPERIMENT=it's"},
			`GOAMD64=v1 CGO_ENABLED=0 GOEXPERIMENT='it'\''s' -ldflags='-X '\''main.v=1'\'''`},
		{"empty", axis.Settings{}, ""},
		{"a run axis", axis.Settings{"goamd64": "v1", "pgo": "auto", "gogc": "50"}, "GOAMD64=v1 -pgo=auto run:GOGC=50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := settingsString(tt.in); got != tt.want {
				t.Errorf("settingsString = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCells(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"faster", changeCell(result.Ratio{Center: 0.959, Lo: 0.937, Hi: 0.980}, "sec/op", true), "4.1% faster (2.0% to 6.3%)"},
		{"slower", changeCell(result.Ratio{Center: 1.052, Lo: 1.01, Hi: 1.1}, "ns/op", true), "5.2% slower (1.0% to 10.0%)"},
		{"not significant", changeCell(result.Ratio{Center: 1.004, Lo: 0.988, Hi: 1.02}, "sec/op", false), "~ (2.0% slower to 1.2% faster)"},
		{"not significant one way", changeCell(result.Ratio{Center: 0.99, Lo: 0.98, Hi: 0.995}, "sec/op", false), "~ (0.5% to 2.0% faster)"},
		{"unbounded", changeCell(result.Ratio{Center: 0.99, Lo: math.Inf(-1), Hi: math.Inf(1)}, "sec/op", false), "~ (too few pairs for an interval)"},
		{"significant but crossing", changeCell(result.Ratio{Center: 0.99, Lo: 0.98, Hi: 1.001}, "sec/op", true), "1.0% faster (0.1% slower to 2.0% faster)"},
		{"rate faster", changeCell(result.Ratio{Center: 1.1, Lo: 1.05, Hi: 1.15}, "MB/s", true), "10.0% faster (5.0% to 15.0%)"},
		{"memory less", changeCell(result.Ratio{Center: 0.5, Lo: 0.5, Hi: 0.5}, "B/op", true), "50.0% less (50.0% to 50.0%)"},
		{"no change", timeWords(0.99996), "no change"},
		{"NaN", timeWords(math.NaN()), "?"},
		{"amount nil", amountCell(nil, true), "-"},
		{"amount NaN", amountCell(ptr(math.NaN()), true), "-"},
		{"amount not significant", amountCell(ptr(0.98), false), "~"},
		{"amount", amountCell(ptr(0.98), true), "2.0% less"},
		{"amount more", amountCell(ptr(1.0014), true), "0.1% more"},
		{"counts", countsCell(&result.VariantStats{Improved: 3, Unchanged: 2}), "3 faster, 2 ~"},
		{"counts none", countsCell(&result.VariantStats{}), "-"},
		{"size MiB", Bytes(6_412_345), "6.1 MiB"},
		{"size KiB", Bytes(2048), "2.0 KiB"},
		{"size B", Bytes(812), "812 B"},
		{"build", buildCell([]result.Build{{Seconds: 2.1}, {Seconds: 1.14}}), "3.2s"},
		{"build none", buildCell(nil), "-"},
		{"one line", oneLine("# pkg\n\n  a   b\nc\n", 100), "a b (+1 line)"},
		{"one line cut", oneLine("abcdefghij", 8), "abcde..."},
		{"cycles one", cyclesPhrase([]int{4}), "cycle 4"},
		{"cycles ranges", cyclesPhrase([]int{7, 1, 2, 3, 3, 9, 10, 0}), "cycles 1-3, 7, 9-10"},
		{"cycles unknown", cyclesPhrase([]int{0}), ""},
		{"p small", pCell(0.0002), "<0.001"},
		{"p", pCell(0.0416), "0.042"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestSameCodeWhy(t *testing.T) {
	v1 := axis.Settings{"goamd64": "v1", "pgo": "off"}
	tests := []struct {
		name    string
		v, twin axis.Settings
		want    string
	}{
		{"strip", axis.Settings{"goamd64": "v1", "ldflags": "-s -w", "pgo": "off"}, v1, "linker flags -s -w only strip symbols"},
		{"other ldflags", axis.Settings{"goamd64": "v1", "ldflags": "-X main.v=1", "pgo": "off"}, v1, "they differ only in linker flags, which do not change compiled code"},
		{"pgo", axis.Settings{"goamd64": "v1", "pgo": "auto"}, v1, "they differ only in -pgo, and the compiler produced identical code"},
		{"same", v1, v1, "identical settings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameCodeWhy(tt.v, tt.twin); got != tt.want {
				t.Errorf("sameCodeWhy = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOrderVariants(t *testing.T) {
	run := &result.Run{
		Baseline: "base",
		Variants: []result.Variant{
			{Name: "base", Status: result.StatusOK},
			{Name: "skip", Status: result.StatusSkipped},
			{Name: "r2", Status: result.StatusOK},
			{Name: "bf", Status: result.StatusBuildFailed},
			{Name: "fail", Status: result.StatusFailed},
			{Name: "r1", Status: result.StatusOK},
			{Name: "twin", Status: result.StatusOK},
			{Name: "screened", Status: result.StatusSkipped, Reason: result.ReasonScreenedOut},
		},
		Analysis: &result.Analysis{Variants: []result.VariantStats{{Name: "r2", Rank: 2}, {Name: "r1", Rank: 1}}},
	}
	var got []string
	for _, v := range orderVariants(run) {
		got = append(got, v.Name)
	}
	want := []string{"r1", "r2", "base", "twin", "fail", "bf", "skip"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("orderVariants = %v, want %v", got, want)
	}
}

// The benchmark that limits what the run could detect is named in the
// text, Markdown and HTML reports, next to what the run could detect.
func TestNoiseNote(t *testing.T) {
	run := noWinnerRun()
	const say = "BenchmarkDecode limits what this run could detect"
	run.Analysis.Noise = &result.Noise{Package: fixModule, Benchmark: "Decode", SD: 0.37, OthersSD: 0.04, Share: 0.9, DetectableWithout: 0.02, Text: say + ": …"}
	render := map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return Text(b, run, Options{}) },
		"markdown": func(b *bytes.Buffer) error { return Markdown(b, run, Options{}) },
		"html":     func(b *bytes.Buffer) error { return HTML(b, run) },
	}
	for name, r := range render {
		var buf bytes.Buffer
		if err := r(&buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), say) {
			t.Errorf("%s report lacks the noise note:\n%s", name, buf.String())
		}
	}
}
