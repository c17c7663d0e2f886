package measure

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary test-binary output through what gotune reads on
// top of benchfmt: the samples, the failed benchmark's name, the stack-trace
// fallback and the failure excerpt. None may panic, and every sample must
// carry the block, a unit name and the benchmark asked for; a trial
// without a sample fails.
func FuzzParse(f *testing.F) {
	f.Add(okOutput)
	f.Add(panicOutput)
	f.Add("BenchmarkA-2 \t 10\t 5 ns/op\n--- FAIL: BenchmarkZ/sub-2\n")
	f.Add("BenchmarkX-2 \t 1 \t NaN ns/op \t -Inf B/op\n")
	f.Add("goroutine 7 [sleep]:\nexample.com/hx.BenchmarkHang(0xc0001)\n")
	f.Add("Benchmark\n--- FAIL: \nBenchmark-")
	f.Add("--- FAIL: Benchmark")
	f.Fuzz(func(t *testing.T, out string) {
		u := Unit{Variant: "v", Package: "p", Binary: "/w/p.test"}
		tr := readTrial([]byte(out), []byte(out), nil, u, "BenchmarkA", 3, 2)
		for _, s := range tr.samples {
			if s.Block != 3 || s.Variant != "v" || s.Unit == "" || topLevel("Benchmark"+s.Benchmark) != "BenchmarkA" {
				t.Fatalf("sample %+v", s)
			}
		}
		if len(tr.samples) == 0 && tr.err == "" {
			t.Fatalf("a trial with no sample did not fail")
		}
		if name := failedBenchmark(out); name != "" && !strings.HasPrefix(name, "Benchmark") {
			t.Fatalf("failedBenchmark = %q", name)
		}
		if name := stackBenchmark(out); name != "" && !strings.HasPrefix(name, "Benchmark") {
			t.Fatalf("stackBenchmark = %q", name)
		}
		_ = excerpt(out)
	})
}
