package measure

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/gotune/gotune/internal/gotool"
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
	got := Args("/w/p.test", ".", "500ms")
	want := []string{"/w/p.test", "-test.run=^$", "-test.bench=.", "-test.count=1", "-test.benchmem", "-test.benchtime=500ms"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Args = %q, want %q", got, want)
	}
	if got := Args("/w/p.test", "X", ""); len(got) != 5 {
		t.Errorf("Args without benchtime = %q", got)
	}
}

func TestRunParsesAndTagsRaw(t *testing.T) {
	f := &gotool.Fake{}
	f.On("p.test", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte(okOutput)}, nil
	})
	var raw bytes.Buffer
	u := Unit{Variant: "goamd64=v3", Package: "example.com/fx", Dir: "/src/fx", Binary: "/w/p.test"}
	out, err := Run(context.Background(), Options{
		Runner: f, Raw: &raw,
		Keys: func(u Unit) [][2]string { return [][2]string{{"variant", u.Variant}, {"goamd64", "v3"}} },
	}, Plan([]Unit{u}, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Samples) != 12 {
		t.Fatalf("got %d samples, want 12 (2 rounds × 2 benchmarks × 3 units)", len(out.Samples))
	}
	s := out.Samples[3]
	if s.Benchmark != "B/small" || s.Unit != "sec/op" || s.Value != 2500e-9 || s.Round != 1 || s.Variant != "goamd64=v3" {
		t.Errorf("sample = %+v", s)
	}
	if f.Calls[0].Dir != "/src/fx" {
		t.Errorf("trial ran in %q, want the package directory", f.Calls[0].Dir)
	}
	for _, want := range []string{"variant: goamd64=v3\n", "goamd64: v3\n", "round: 2\n", "BenchmarkA-2"} {
		if !strings.Contains(raw.String(), want) {
			t.Errorf("raw output lacks %q", want)
		}
	}
}

func TestRunLeavesOutFailingBenchmark(t *testing.T) {
	f := &gotool.Fake{}
	f.On("-test.bench=.", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte(panicOutput)}, &gotool.Error{Cmd: c, ExitCode: 2}
	})
	f.On("-test.bench=^(BenchmarkA)$", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte("BenchmarkA-2 \t 1000\t 1100 ns/op\n")}, nil
	})
	u := Unit{Variant: "v", Package: "p", Binary: "/w/p.test"}
	out, err := Run(context.Background(), Options{Runner: f, Benchmarks: map[string][]string{"p": {"BenchmarkA", "BenchmarkB"}}}, Plan([]Unit{u}, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failures) != 1 || !strings.HasPrefix(out.Failures[0].Error, "BenchmarkB: exit status 2") {
		t.Fatalf("failures = %+v, want one for BenchmarkB", out.Failures)
	}
	if !strings.Contains(out.Failures[0].Output, "panic: boom") {
		t.Errorf("failure output lacks the panic: %q", out.Failures[0].Output)
	}
	var a int
	for _, s := range out.Samples {
		if s.Benchmark == "A" && s.Unit == "sec/op" {
			a++
		}
	}
	if a != 3 {
		t.Errorf("got %d samples of A, want 3: the failure of B must not cost A its rounds", a)
	}
}

func TestRunDropsUnsupportedCPU(t *testing.T) {
	f := &gotool.Fake{}
	f.On("v4.test", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stderr: []byte("This program can only be run on AMD64 processors with v4 microarchitecture support.\n")}, &gotool.Error{Cmd: c, ExitCode: 1}
	})
	f.On("v1.test", func(c gotool.Cmd) (gotool.Result, error) {
		return gotool.Result{Stdout: []byte(okOutput)}, nil
	})
	us := []Unit{{Variant: "v4", Binary: "/w/v4.test"}, {Variant: "v1", Binary: "/w/v1.test"}}
	out, err := Run(context.Background(), Options{Runner: f}, Plan(us, 4, 3))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Unsupported["v4"], "v4 microarchitecture") {
		t.Errorf("Unsupported = %v", out.Unsupported)
	}
	if out.Done != 5 || len(out.Failures) != 0 {
		t.Errorf("done %d trials with %d failures, want 5 (v4 once, then dropped) and 0", out.Done, len(out.Failures))
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &gotool.Fake{}
	n := 0
	f.On("p.test", func(c gotool.Cmd) (gotool.Result, error) {
		n++
		if n == 2 {
			cancel()
		}
		return gotool.Result{Stdout: []byte(okOutput)}, nil
	})
	out, err := Run(ctx, Options{Runner: f}, Plan([]Unit{{Variant: "v", Binary: "/w/p.test"}}, 5, 1))
	if err == nil {
		t.Fatal("want the context's error")
	}
	if out.Done != 2 || len(out.Samples) != 12 {
		t.Errorf("done %d, samples %d: want the 2 finished trials kept", out.Done, len(out.Samples))
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
