package pgo

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

func TestMergeWeights(t *testing.T) {
	// A 60 s profile spends all its CPU under main.a, a 10 s one under
	// main.b: the long one must not drown the short one.
	long := func() Input {
		return Input{Name: "long.pprof", Profile: synth{duration: 60 * time.Second, stacks: map[string]int64{"main.a;main.main": 6000}}.profile()}
	}
	short := func() Input {
		return Input{Name: "short.pprof", Profile: synth{duration: 10 * time.Second, stacks: map[string]int64{"main.b;main.main": 1000}}.profile()}
	}
	tests := []struct {
		name    string
		weights []float64
		wantA   float64
	}{
		{"equal by default", nil, 0.5},
		{"explicit 3 to 1", []float64{3, 1}, 0.75},
		{"explicit 1 to 4", []float64{1, 4}, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, st, err := Merge([]Input{long(), short()}, MergeOptions{Weights: tt.weights, Keep: 1})
			if err != nil {
				t.Fatal(err)
			}
			if a, b := cpuShare(p, "main.a"), cpuShare(p, "main.b"); math.Abs(a-tt.wantA) > 1e-9 || math.Abs(a+b-1) > 1e-9 {
				t.Errorf("shares a=%.4f b=%.4f, want a=%.4f", a, b, tt.wantA)
			}
			if math.Abs(st.Inputs[0].Weight-tt.wantA) > 1e-9 {
				t.Errorf("reported weight %.4f, want %.4f", st.Inputs[0].Weight, tt.wantA)
			}
			if st.Inputs[0].Duration != 60*time.Second || st.Inputs[1].CPU != 10*time.Second {
				t.Errorf("input stats = %+v", st.Inputs)
			}
		})
	}
}

func TestMergeNormalises(t *testing.T) {
	a := synth{duration: time.Second, stacks: map[string]int64{"main.a;main.main": 10}, labels: map[string]string{"handler": "/quote"}}.profile()
	b := synth{duration: time.Second, stacks: map[string]int64{"main.a;main.main": 10}, labels: map[string]string{"handler": "/batch"}}.profile()
	p, data, st, err := Merge([]Input{{Name: "a", Profile: a}, {Name: "b", Profile: b}}, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.SampleType) != 1 || p.SampleType[0].Type != "cpu" || p.SampleType[0].Unit != "nanoseconds" {
		t.Errorf("sample types = %s, want cpu/nanoseconds only", sampleTypes(p))
	}
	// Without labels the two stacks are one sample.
	if len(p.Sample) != 1 || len(p.Sample[0].Label) != 0 || st.Samples != 1 {
		t.Errorf("samples = %d (labels %v), want 1 without labels", len(p.Sample), p.Sample[0].Label)
	}
	for _, l := range p.Location {
		if l.Address != 0 {
			t.Errorf("location %d keeps address %#x", l.ID, l.Address)
		}
	}
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		t.Errorf("output is not gzip-compressed")
	}
	back, err := profile.ParseData(data)
	if err != nil || Validate("out", back) != nil {
		t.Errorf("output does not parse back as a valid profile: %v", err)
	}
	if st.BytesOut != int64(len(data)) {
		t.Errorf("BytesOut = %d, want %d", st.BytesOut, len(data))
	}
}

func TestMergeTrim(t *testing.T) {
	stacks := map[string]int64{"main.hot;main.main": 990}
	for _, c := range "abcdefghij" {
		stacks["main.cold"+string(c)+";main.main"] = 1
	}
	tests := []struct {
		name      string
		keep      float64
		wantKept  int
		wantFuncs int
	}{
		// 990 of 1000 ticks is 99%: five 1-tick stacks more reach 99.5%.
		{"default keeps 99.5%", 0, 6, 7},
		{"keep all", 1, 11, 12},
		{"99% keeps the hot stack only", 0.99, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, st, err := Merge([]Input{{Name: "x", Profile: synth{stacks: stacks}.profile()}}, MergeOptions{Keep: tt.keep})
			if err != nil {
				t.Fatal(err)
			}
			if st.Kept != tt.wantKept || len(p.Sample) != tt.wantKept || st.Samples != 11 {
				t.Errorf("kept %d of %d samples (profile has %d), want %d of 11", st.Kept, st.Samples, len(p.Sample), tt.wantKept)
			}
			if len(p.Function) != tt.wantFuncs {
				t.Errorf("%d functions left, want %d: trimming must drop what only cold samples used", len(p.Function), tt.wantFuncs)
			}
			if cpuShare(p, "main.hot") < 0.99 {
				t.Errorf("the hot stack lost weight: %.4f", cpuShare(p, "main.hot"))
			}
		})
	}
}

func TestMergeIgnore(t *testing.T) {
	p := synth{stacks: map[string]int64{"main.work;main.Bench": 80, "main.NewStore;main.Bench": 20}}.profile()
	out, _, st, err := Merge([]Input{{Name: "x", Profile: p}}, MergeOptions{Ignore: regexp.MustCompile(`NewStore`), Keep: 1})
	if err != nil {
		t.Fatal(err)
	}
	if cpuShare(out, "main.NewStore") != 0 || math.Abs(st.Inputs[0].Ignored-0.2) > 1e-9 {
		t.Errorf("NewStore share %.2f, ignored %.2f; want 0 and 0.20", cpuShare(out, "main.NewStore"), st.Inputs[0].Ignored)
	}
}

func TestMergeErrors(t *testing.T) {
	ok := func() Input {
		return Input{Name: "ok.pprof", Profile: synth{stacks: map[string]int64{"main.a;main.main": 5}}.profile()}
	}
	tests := []struct {
		name   string
		inputs []Input
		opts   MergeOptions
		want   string
	}{
		{"nothing", nil, MergeOptions{}, "no profiles to merge"},
		{"heap profile", []Input{ok(), {Name: "heap.pprof", Profile: heap()}}, MergeOptions{}, "heap.pprof is a heap profile"},
		{"empty profile", []Input{ok(), {Name: "idle.pprof", Profile: synth{stacks: map[string]int64{}}.profile()}}, MergeOptions{}, "idle.pprof: empty profile: no CPU samples"},
		{"no start lines", []Input{{Name: "old.pprof", Profile: synth{stacks: map[string]int64{"main.a;main.main": 5}, noStart: true}.profile()}}, MergeOptions{}, "old.pprof: no function start lines"},
		{"weights count", []Input{ok(), ok()}, MergeOptions{Weights: []float64{1}}, "1 weights for 2 profiles"},
		{"zero weight", []Input{ok()}, MergeOptions{Weights: []float64{0}}, "want a positive number"},
		{"keep above 1", []Input{ok()}, MergeOptions{Keep: 1.5}, "--keep 1.5"},
		{"ignore everything", []Input{ok()}, MergeOptions{Ignore: regexp.MustCompile(`main`)}, "no CPU samples left after --ignore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := Merge(tt.inputs, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !errors.As(err, new(InputError)) {
				t.Errorf("err %v is not an InputError", err)
			}
		})
	}
}

// TestTrimRealProfile trims a real CPU profile of this test process and
// checks that the file shrinks and that the toolchain still accepts it
// (go tool preprofile parses it as go build -pgo does).
func TestTrimRealProfile(t *testing.T) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Skipf("cannot profile this test process: %v", err)
	}
	burn(400 * time.Millisecond)
	pprof.StopCPUProfile()
	raw := buf.Bytes()

	in := func() []Input {
		p, err := Parse("real", raw)
		if err != nil {
			t.Fatal(err)
		}
		return []Input{{Name: "real", Profile: p, Bytes: int64(len(raw))}}
	}
	if err := Validate("real", in()[0].Profile); err != nil {
		t.Skipf("the profile of this run is not usable (a loaded machine?): %v", err)
	}
	_, all, stAll, err := Merge(in(), MergeOptions{Keep: 1})
	if err != nil {
		t.Fatal(err)
	}
	if stAll.Kept < 2 {
		t.Skipf("the profile of this run has %d distinct stack: nothing to trim (a loaded machine?)", stAll.Kept)
	}
	// Half the CPU: on a loaded machine the profile may hold a handful of
	// stacks of about equal weight, and keeping 90% of it would keep them
	// all; keeping half always drops one.
	_, trimmed, st, err := Merge(in(), MergeOptions{Keep: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if st.Kept >= stAll.Kept || len(trimmed) >= len(all) {
		t.Errorf("trimming to 50%% kept %d of %d samples, %d of %d bytes: want fewer", st.Kept, stAll.Kept, len(trimmed), len(all))
	}
	t.Logf("real profile: %d bytes raw, %d merged, %d trimmed to 50%% (%d → %d samples)", len(raw), len(all), len(trimmed), stAll.Kept, st.Kept)

	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "trimmed.pprof")
	if err := os.WriteFile(path, trimmed, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "preprofile", "-i", path, "-o", filepath.Join(dir, "pre")).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool preprofile rejects the trimmed profile: %v\n%s", err, out)
	}
	pre, err := os.ReadFile(filepath.Join(dir, "pre"))
	if err != nil || !bytes.HasPrefix(pre, []byte("GO PREPROFILE V1")) || len(bytes.Split(pre, []byte("\n"))) < 3 {
		t.Errorf("preprocessed profile has no call edges: %q", firstBytes(pre, 200))
	}
}

// burn keeps the CPU busy for about d with varied call stacks.
func burn(d time.Duration) {
	deadline := time.Now().Add(d)
	var sink [32]byte
	data := make([]int, 4096)
	for i := 0; time.Now().Before(deadline); i++ {
		switch i % 3 {
		case 0:
			for j := range data {
				data[j] = (j * 7919) % 4099
			}
			slices.Sort(data)
		case 1:
			sink = sha256.Sum256(append(sink[:], byte(i)))
		case 2:
			_ = strings.Repeat(string(sink[:4]), 64)
		}
	}
}

func firstBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
