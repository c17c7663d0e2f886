package measure

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/result"
)

const okOutput = `goos: linux
goarch: amd64
pkg: example.com/fx
cpu: Test CPU
BenchmarkA-2   	 1000	      1200 ns/op	      64 B/op	       2 allocs/op
BenchmarkB/small-2         	  500	      2500 ns/op	       0 B/op	       0 allocs/op
PASS
`

const panicOutput = `goos: linux
goarch: amd64
pkg: example.com/fx
BenchmarkA-2   	 1000	      1200 ns/op	      64 B/op	       2 allocs/op
BenchmarkB-2   	panic: boom

goroutine 1 [running]:
`

func TestArgs(t *testing.T) {
	got := Args("/w/p.test", "BenchmarkQuote", "1200x", 16)
	want := []string{"/w/p.test", "-test.run=^$", "-test.bench=^BenchmarkQuote$", "-test.count=16", "-test.benchmem", "-test.paniconexit0", "-test.benchtime=1200x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Args = %q, want %q", got, want)
	}
	if got := Args("/w/p.test", "BenchmarkX", "", 0); len(got) != 6 || got[3] != "-test.count=1" {
		t.Errorf("Args without benchtime or reps = %q", got)
	}
}

func TestReadTrial(t *testing.T) {
	u := Unit{Variant: "v3", Package: "example.com/fx", Binary: "/w/fx.test"}
	tests := []struct {
		name      string
		stdout    string
		bench     string
		runErr    error
		samples   int    // sec/op samples
		wantErr   string // "" = the trial passed
		wantWarn  string
		wantNames []string
		reps      int     // repetitions in the trial; 0 = 1
		wantSec   float64 // the sec/op sample, when not 0
	}{
		{name: "one benchmark", stdout: okOutput, bench: "BenchmarkA", samples: 1, wantNames: []string{"A"}},
		{name: "sub-benchmarks travel with their parent", bench: "BenchmarkB", samples: 2, wantNames: []string{"B/small", "B/large"},
			stdout: "BenchmarkB/small-2 \t 500\t 2500 ns/op\nBenchmarkB/large-2 \t 50\t 25000 ns/op\nPASS\n"},
		{name: "a result of another benchmark is the benchmark's own output", bench: "BenchmarkReal", samples: 1, wantNames: []string{"Real"},
			stdout:   "BenchmarkGhost-2 \t 1000000000\t 0.0001 ns/op\nBenchmarkReal-2 \t 100\t 900 ns/op\nPASS\n",
			wantWarn: "looks like a result of BenchmarkGhost: ignored"},
		{name: "a name reported twice is left out", bench: "BenchmarkReal", wantErr: "BenchmarkReal reported 2 results in a trial of 1: it prints lines that look like its results on stdout, so none is trusted (print with b.Log instead)",
			stdout:   "BenchmarkReal-2 \t 1000000000\t 0.0001 ns/op\nBenchmarkReal-2 \t 100\t 900 ns/op\nPASS\n",
			wantWarn: "BenchmarkReal reported 2 results in a trial of 1: all left out"},
		{name: "repetitions give one sample, the fastest", bench: "BenchmarkR", reps: 3, samples: 1, wantNames: []string{"R"}, wantSec: 800e-9,
			stdout: "BenchmarkR-2 \t 100\t 900 ns/op\nBenchmarkR-2 \t 100\t 800 ns/op\nBenchmarkR-2 \t 100\t 2900 ns/op\nPASS\n"},
		{name: "more results than repetitions are left out", bench: "BenchmarkR", reps: 2, wantErr: "BenchmarkR reported 3 results in a trial of 2: it prints lines that look like its results on stdout, so none is trusted",
			stdout:   "BenchmarkR-2 \t 100\t 900 ns/op\nBenchmarkR-2 \t 100\t 800 ns/op\nBenchmarkR-2 \t 100\t 0.1 ns/op\nPASS\n",
			wantWarn: "BenchmarkR reported 3 results in a trial of 2: all left out"},
		{name: "output on stdout splits the result line", bench: "BenchmarkChatty", samples: 1, wantNames: []string{"Chatty"},
			stdout: "BenchmarkChatty-2 \tsetting up\nsetting up\n    1000\t      1500 ns/op\t      0 B/op\t       0 allocs/op\nPASS\n"},
		{name: "no result at all", bench: "BenchmarkA", stdout: "skipping: no database\nPASS\n",
			wantErr: `BenchmarkA printed no result (a TestMain that does not call m.Run, or a --bench pattern that matches nothing?); it printed "skipping: no database"`},
		{name: "nothing at all", bench: "BenchmarkA", stdout: "PASS\n", wantErr: "BenchmarkA printed no result (a TestMain that does not call m.Run, or a --bench pattern that matches nothing?); it printed nothing"},
		{name: "output that hides the result shows its end", bench: "BenchmarkLoud",
			stdout:  "goos: linux\nBenchmarkLoud-2 \t" + strings.Repeat("noise\n", 5000) + "\x1b[31mloading\x1b[0m\r 1000\t 5 ns/op\nPASS\n",
			wantErr: `BenchmarkLoud printed no result; it printed "noise | noise | loading 1000 5 ns/op"`},
		{name: "a panic names the benchmark", bench: "BenchmarkB", stdout: panicOutput, runErr: errors.New("exit status 2"),
			samples: 0, wantErr: "BenchmarkB: exit status 2"},
		{name: "infinite values are left out", bench: "BenchmarkX", samples: 1, wantNames: []string{"X"},
			stdout: "BenchmarkX-2 \t 1 \t 100 ns/op \t +Inf x/op\n", wantWarn: "BenchmarkX reported +Inf x/op: not a number, left out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := readTrial([]byte(tt.stdout), nil, tt.runErr, u, tt.bench, 7, tt.reps)
			var names []string
			n := 0
			for _, s := range tr.samples {
				if s.Block != 7 || s.Variant != "v3" || s.Package != u.Package {
					t.Errorf("sample %+v", s)
				}
				if s.Unit == "sec/op" {
					n++
					names = append(names, s.Benchmark)
					if tt.wantSec != 0 && math.Abs(s.Value/tt.wantSec-1) > 1e-9 {
						t.Errorf("sec/op = %g, want %g (the fastest repetition)", s.Value, tt.wantSec)
					}
				}
			}
			if n != tt.samples {
				t.Errorf("%d sec/op samples, want %d: %+v", n, tt.samples, tr.samples)
			}
			if tt.wantNames != nil && !reflect.DeepEqual(names, tt.wantNames) {
				t.Errorf("names %q, want %q", names, tt.wantNames)
			}
			if (tt.wantErr == "") != (tr.err == "") || !strings.Contains(tr.err, tt.wantErr) {
				t.Errorf("err = %q, want %q", tr.err, tt.wantErr)
			}
			if tt.wantWarn != "" && !strings.Contains(strings.Join(tr.warnings, "\n"), tt.wantWarn) {
				t.Errorf("warnings = %q, want %q", tr.warnings, tt.wantWarn)
			}
		})
	}
	tr := readTrial([]byte("This program can only be run on AMD64 processors with v4 microarchitecture support.\n"), nil, errors.New("exit status 1"), u, "BenchmarkA", 1, 1)
	if !tr.cpu || !strings.Contains(tr.err, "v4 microarchitecture") {
		t.Errorf("unsupported CPU: %+v", tr)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		ns        float64
		benchtime string
		reps      int
	}{
		{1000, "3750x", 16},   // 16 × 3.75 ms
		{33.3, "112613x", 16}, // short iterations: 16 repetitions
		{1e6, "4x", 15},       // 1 ms iterations: 4 per repetition, 15 of them
		{10e6, "1x", 6},       // 10 ms iterations: one per repetition
		{1e9, "1x", 1},        // longer than a trial: one iteration
		{0, "1x", 1},
	}
	for _, tt := range tests {
		bt, reps := Split(tt.ns, 60*time.Millisecond)
		if bt != tt.benchtime || reps != tt.reps {
			t.Errorf("Split(%g) = %s × %d, want %s × %d", tt.ns, bt, reps, tt.benchtime, tt.reps)
		}
	}
}

func TestFastest(t *testing.T) {
	in := []result.Sample{
		{Benchmark: "A", Unit: "sec/op", Value: 3}, {Benchmark: "A", Unit: "B/op", Value: 64}, {Benchmark: "A", Unit: "B/s", Value: 10},
		{Benchmark: "A", Unit: "sec/op", Value: 1}, {Benchmark: "A", Unit: "B/op", Value: 80}, {Benchmark: "A", Unit: "B/s", Value: 30},
		{Benchmark: "A", Unit: "sec/op", Value: 2}, {Benchmark: "A", Unit: "B/op", Value: 64}, {Benchmark: "A", Unit: "B/s", Value: 20},
		{Benchmark: "B", Unit: "sec/op", Value: 7},
	}
	got := fastest(in)
	want := []result.Sample{
		{Benchmark: "A", Unit: "sec/op", Value: 1}, {Benchmark: "A", Unit: "B/op", Value: 64}, {Benchmark: "A", Unit: "B/s", Value: 30},
		{Benchmark: "B", Unit: "sec/op", Value: 7},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fastest = %+v\nwant %+v", got, want)
	}
}

func TestExcerpt(t *testing.T) {
	long := panicOutput + strings.Repeat("runtime.gopark(...)\n", 40)
	got := excerpt(long)
	if !strings.HasPrefix(got, "panic: boom") || strings.Count(got, "\n") != 14 {
		t.Errorf("excerpt = %q, want the 15 lines from the panic on", got)
	}
	if got := excerpt("a\nb\nc\n"); got != "a\nb\nc" {
		t.Errorf("excerpt without a panic = %q", got)
	}
}

func TestFailedBenchmark(t *testing.T) {
	tests := []struct{ name, out, want string }{
		{"fatal", "BenchmarkA-2 \t 10\t 5 ns/op\n--- FAIL: BenchmarkZ/sub-2\n    x_test.go:9: bad\n", "BenchmarkZ"},
		{"panic", panicOutput, "BenchmarkB"},
		{"hang", "BenchmarkA-2 \t 10\t 5 ns/op\nBenchmarkSlow-2 \t", "BenchmarkSlow"},
		{"all finished", okOutput, ""},
		{"nothing", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := failedBenchmark(tt.out); got != tt.want {
				t.Errorf("failedBenchmark = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStackBenchmark(t *testing.T) {
	tests := []struct{ name, stderr, want string }{
		{"panic", "panic: planted panic\n\ngoroutine 21 [running]:\nexample.com/hx.BenchmarkPanics(0x329093ef0608?)\n\t/tmp/hx/h_test.go:9 +0x25\ntesting.(*B).runN(0x3290)\n", "BenchmarkPanics"},
		{"SIGQUIT dump of a hang", "SIGQUIT: quit\nPC=0x47 m=0 sigcode=0\n\ngoroutine 7 [sleep]:\ntime.Sleep(0x34630b8a000)\n\t/usr/local/go/src/runtime/time.go:363\nexample.com/hx.BenchmarkHang(0xc0001)\n\t/tmp/hx/h_test.go:10\n", "BenchmarkHang"},
		{"no benchmark frame", "fatal error: out of memory\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stackBenchmark(tt.stderr); got != tt.want {
				t.Errorf("stackBenchmark = %q, want %q", got, tt.want)
			}
		})
	}
}
