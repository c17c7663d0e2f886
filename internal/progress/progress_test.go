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
	pr.Trials("grid", 1, 2, 0, 6, 0)
	pr.Trials("grid", 1, 2, 1, 6, 2*time.Second)
	pr.Trials("grid", 2, 2, 6, 6, 2*time.Second)
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
			want: []string{"gotune: example.com/m, 3 variants", "gotune: interrupted", "builds", "3/3", "grid round 2/2", "6/6 trials", "done"},
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
	pr.Trials("axes", 1, 10, 2, 50, time.Second)
	pr.Close() // bars not complete: Close must not wait for them
	if !strings.Contains(out.String(), "axes round 1/10") {
		t.Errorf("output %q", out.String())
	}
}

func TestETA(t *testing.T) {
	tests := []struct {
		live    time.Duration
		n, left int
		want    string
	}{
		{0, 0, 10, "ETA –"},
		{10 * time.Second, 5, 30, "ETA 1m0s"},
		{10 * time.Second, 5, 0, "ETA 0s"},
	}
	for _, tt := range tests {
		if got := ETA(tt.live, tt.n, tt.left); got != tt.want {
			t.Errorf("ETA(%s, %d, %d) = %q, want %q", tt.live, tt.n, tt.left, got, tt.want)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
}
