package progress

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the bars' goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// drive feeds a display what a small run reports.
func drive(pr *Progress) {
	fmt.Fprintln(pr.Log(), "gotune: example.com/m, 3 variants")
	pr.Builds(0, 3)
	pr.Builds(3, 3)
	pr.Measure("grid", 1, 0, 0, time.Minute)
	pr.Measure("grid", 1, 1, 2*time.Second, time.Minute)
	pr.Measure("grid", 2, 6, 20*time.Second, time.Minute)
	pr.StageDone()
	fmt.Fprintln(pr.Notice(), "gotune: interrupted")
	pr.Close()
}

func TestProgress(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		want   []string
		absent []string
	}{
		{
			name:   "not a terminal: log lines only",
			want:   []string{"gotune: example.com/m, 3 variants\n", "gotune: interrupted\n"},
			absent: []string{"builds", "trials", "\x1b["},
		},
		{
			name:   "quiet: notices only",
			opts:   Options{Quiet: true},
			want:   []string{"gotune: interrupted\n"},
			absent: []string{"example.com/m", "builds", "trials"},
		},
		{
			name: "terminal: bars and the log above them",
			opts: Options{ForceTTY: true},
			want: []string{"gotune: example.com/m, 3 variants", "gotune: interrupted", "builds", "3/3", "grid cycle 2, 6 trials", "done"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			pr := New(&out, tt.opts)
			drive(pr)
			got := out.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%q", w, got)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(got, a) {
					t.Errorf("output has %q:\n%q", a, got)
				}
			}
		})
	}
}

func TestNilProgress(t *testing.T) {
	var pr *Progress
	drive(pr) // must not panic
	if pr.Log() != io.Discard || pr.Bars() {
		t.Error("a nil display shows something")
	}
}

func TestInterruptedBarsClose(t *testing.T) {
	var out syncBuffer
	pr := New(&out, Options{ForceTTY: true})
	pr.Builds(1, 3)
	pr.Measure("axes", 1, 2, time.Second, time.Minute)
	pr.Close() // bars not complete: Close must not wait for them
	if !strings.Contains(out.String(), "axes cycle 1, 2 trials") || !strings.Contains(out.String(), "at most 5") {
		t.Errorf("output %q", out.String())
	}
}

func TestLeft(t *testing.T) {
	tests := []struct {
		elapsed, budget time.Duration
		want            string
	}{
		{0, time.Minute, "at most 1m0s left"},
		{90 * time.Second, time.Minute, "at most 0s left"},
		{1500 * time.Millisecond, 5 * time.Second, "at most 4s left"},
	}
	for _, tt := range tests {
		if got := Left(tt.elapsed, tt.budget); got != tt.want {
			t.Errorf("Left(%s, %s) = %q, want %q", tt.elapsed, tt.budget, got, tt.want)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
}
