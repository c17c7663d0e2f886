package pgo

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// gzipBomb returns about 1 MiB of gzip that expands to 1 GiB of zeros: 1024
// gzip members of 1 MiB of zeros each (gzip readers read every member).
func gzipBomb(t *testing.T) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), 1024)
}

// allocated runs f and returns the bytes it allocated (TotalAlloc, every
// goroutine) and how much memory the process obtained from the system
// meanwhile (Sys).
func allocated(f func()) (total, sys uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, after.Sys - before.Sys
}

// memoryBound is what reading a refused profile may allocate: the bomb
// itself (1 MiB) and the decompressor's state, far below what it expands
// to (1 GiB) or the cap (MaxProfileBytes).
const memoryBound = 32 << 20

// TestGzipBomb reads a profile that expands to 1 GiB, from a file and from
// a loopback service: it is refused as too large, and reading it allocates
// no more than memoryBound.
func TestGzipBomb(t *testing.T) {
	bomb := gzipBomb(t)
	path := filepath.Join(t.TempDir(), "bomb.pprof")
	if err := os.WriteFile(path, bomb, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(bomb) }))
	want := "profile too large (over 256 MiB uncompressed): a CPU profile for PGO is a few MiB"
	for _, tt := range []struct {
		name string
		read func() error
	}{
		{"CheckFile", func() error { return CheckFile(path) }},
		{"Read", func() error { _, _, err := Read(path); return err }},
		{"Fetch", func() error {
			_, err := Fetch(context.Background(), FetchOptions{URL: srv.URL, Seconds: 1, Timeout: time.Minute})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			total, sys := allocated(func() { err = tt.read() })
			t.Logf("%s: allocated %.1f MiB, Sys grew %.1f MiB, reading a 1 GiB bomb of %.1f MiB: %v", tt.name, mib(total), mib(sys), mib(uint64(len(bomb))), err)
			if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want one line containing %q", err, want)
			}
			if total > memoryBound {
				t.Errorf("allocated %.1f MiB, want under %.0f MiB", mib(total), mib(memoryBound))
			}
		})
	}
}

// TestEndlessBody fetches from a service that never stops sending: Fetch
// stops reading at the cap, says the profile is too large, and allocates
// in proportion to the cap, not to what the service would send. The cap
// is 8 MiB here: at the default cap (256 MiB) the same fetch allocated
// 572 MiB and took seconds, too heavy for every test run.
func TestEndlessBody(t *testing.T) {
	chunk := bytes.Repeat([]byte("x"), 64<<10) // no newline: once "bufio.Scanner: token too long"
	srv := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	for _, limit := range []int64{8 << 20} {
		t.Run(fmt.Sprintf("%d MiB cap", limit>>20), func(t *testing.T) {
			var err error
			total, sys := allocated(func() {
				_, err = Fetch(context.Background(), FetchOptions{URL: srv.URL, Seconds: 1, Timeout: time.Minute, MaxBytes: limit})
			})
			cap := limit
			if cap == 0 {
				cap = MaxProfileBytes
			}
			t.Logf("cap %.0f MiB: allocated %.1f MiB, Sys grew %.1f MiB: %v", mib(uint64(cap)), mib(total), mib(sys), err)
			want := fmt.Sprintf("profile too large (over %d MiB):", cap>>20)
			if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "token too long") {
				t.Errorf("err = %v, want %q", err, want)
			}
			// Reading into a growing buffer allocates at most about twice
			// and a half what it keeps.
			if bound := 3*uint64(cap) + memoryBound; total > bound {
				t.Errorf("allocated %.1f MiB, want under %.0f MiB", mib(total), mib(bound))
			}
		})
	}
}

// TestFetchErrorBodyIsPrintable serves an error whose body holds terminal
// escape sequences, carriage returns and a bell: the error shows the text
// without them, on one line.
func TestFetchErrorBodyIsPrintable(t *testing.T) {
	srv := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("\x1b[2J\x1b[31mprofiler busy\x1b[0m\r\nretry later\x07\x1b]0;pwned\x07 \xff done\r"))
	}))
	_, err := Fetch(context.Background(), FetchOptions{URL: srv.URL, Seconds: 1, Timeout: time.Minute})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.HasSuffix(msg, ": 503 Service Unavailable: profiler busy retry later done") {
		t.Errorf("err = %q", msg)
	}
	if strings.ContainsAny(msg, "\x1b\r\n\x07") || strings.Contains(msg, "pwned") {
		t.Errorf("err %q holds control characters", msg)
	}
}

func TestPrintable(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 100, "plain"},
		{"a\r\nb\tc", 100, "a b c"},
		{"\x1b[1;31mred\x1b[0m", 100, "red"},
		{"x\u202edrowssap", 100, "x drowssap"},
		{strings.Repeat("é", 10), 4, "éééé…"},
	} {
		if got := printable(tt.in, tt.max); got != tt.want {
			t.Errorf("printable(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
