package report

import (
	"github.com/gotune/gotune/internal/axis"

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
			run.Winner, run.Verdict, run.MinDetectable, run.Comparisons = "", "", 0, nil
			for i := range run.Variants {
				v := &run.Variants[i]
				v.Rank, v.Verdict, v.Geomean, v.BytesRatio, v.AllocsRatio = 0, "", nil, nil, nil
				v.Improved, v.Worse, v.Unchanged = 0, 0, 0
			}
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
			run.Winner = "gone"
			return run
		}, []string{"(no build line recorded for gone)"}},
		{"non-finite numbers", func() *result.Run {
			run := typicalRun()
			inf := math.Inf(1)
			run.Variants[2].Geomean = &result.Ratio{Center: math.NaN(), Lo: math.Inf(-1), Hi: inf}
			run.Variants[2].BytesRatio = ptr(math.NaN())
			run.Comparisons[0].Base.Lo, run.Comparisons[0].Base.Hi = math.Inf(-1), inf
			run.Comparisons[1].New.Center = math.NaN()
			run.Comparisons[2].Delta, run.Comparisons[2].P = math.NaN(), math.NaN()
			return run
		}, []string{"? [?, ?]", "1.234µ ± ∞", "geomean sec/op: ? [?, ?]"}},
		{"ns/op units", func() *result.Run {
			run := typicalRun()
			for i := range run.Comparisons {
				c := &run.Comparisons[i]
				if c.Unit == "sec/op" {
					c.Unit = "ns/op"
					for _, s := range []*result.Summary{&c.Base, &c.New} {
						s.Center, s.Lo, s.Hi = s.Center*1e9, s.Lo*1e9, s.Hi*1e9
					}
				}
			}
			return run
		}, []string{"1.234µ ± 2%"}},
		{"many failures", func() *result.Run {
			run := typicalRun()
			for i := range 14 {
				run.Failures = append(run.Failures, result.Failure{Variant: "goamd64=v3", Package: fixAPI, Round: i + 1, Error: fmt.Sprintf("error %d\nmore", i)})
			}
			return run
		}, []string{"failure: goamd64=v3, ./api, round 9: error 8 (+1 line)\n  - ... and 5 more failures (all are in the JSON result)"}},
		{"control characters", func() *result.Run {
			run := typicalRun()
			run.Variants[2].Name = "odd\tname\n"
			run.Winner = "odd\tname\n"
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
		{"faster", ratioCell(result.Ratio{Center: 0.959, Lo: 0.937, Hi: 0.980}), "-4.1% [-6.3%, -2.0%]"},
		{"slower", ratioCell(result.Ratio{Center: 1.052, Lo: 1.01, Hi: 1.1}), "+5.2% [+1.0%, +10.0%]"},
		{"zero", pctChange(0.99996), "0.0%"},
		{"change nil", changeCell(nil), "-"},
		{"change within 0.5%", changeCell(ptr(1.0049)), "~"},
		{"change", changeCell(ptr(0.98)), "-2.0%"},
		{"size MiB", Bytes(6_412_345), "6.1 MiB"},
		{"size KiB", Bytes(2048), "2.0 KiB"},
		{"size B", Bytes(812), "812 B"},
		{"build", buildCell([]result.Build{{Seconds: 2.1}, {Seconds: 1.14}}), "3.2s"},
		{"build none", buildCell(nil), "-"},
		{"one line", oneLine("# pkg\n\n  a   b\nc\n", 100), "a b (+1 line)"},
		{"one line cut", oneLine("abcdefghij", 8), "abcde..."},
		{"rounds one", roundsPhrase([]int{4}), "round 4"},
		{"rounds ranges", roundsPhrase([]int{7, 1, 2, 3, 3, 9, 10, 0}), "rounds 1-3, 7, 9-10"},
		{"rounds unknown", roundsPhrase([]int{0}), ""},
		{"percent", percent(0.95), "95%"},
		{"percent decimals", percent(0.999), "99.9%"},
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
	vs := []result.Variant{
		{Name: "base", Status: result.StatusOK},
		{Name: "skip", Status: result.StatusSkipped},
		{Name: "r2", Status: result.StatusOK, Rank: 2},
		{Name: "bf", Status: result.StatusBuildFailed},
		{Name: "fail", Status: result.StatusFailed},
		{Name: "r1", Status: result.StatusOK, Rank: 1},
		{Name: "twin", Status: result.StatusOK},
	}
	var got []string
	for _, v := range orderVariants(vs) {
		got = append(got, v.Name)
	}
	want := []string{"r1", "r2", "base", "twin", "fail", "bf", "skip"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("orderVariants = %v, want %v", got, want)
	}
}
