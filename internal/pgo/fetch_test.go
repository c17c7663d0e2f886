package pgo

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"strings"
	"testing"
	"time"
)

func TestProfileURL(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		seconds int
		want    string
		wantSec int
	}{
		{"host and port", "127.0.0.1:6060", 0, "http://127.0.0.1:6060/debug/pprof/profile?seconds=30", 30},
		{"base URL", "http://127.0.0.1:6060/", 10, "http://127.0.0.1:6060/debug/pprof/profile?seconds=10", 10},
		{"pprof index", "http://svc:6060/debug/pprof/", 5, "http://svc:6060/debug/pprof/profile?seconds=5", 5},
		{"full URL keeps its seconds", "https://svc/debug/pprof/profile?seconds=60", 0, "https://svc/debug/pprof/profile?seconds=60", 60},
		{"--seconds wins", "https://svc/debug/pprof/profile?seconds=60", 15, "https://svc/debug/pprof/profile?seconds=15", 15},
		{"custom path", "http://svc/admin/cpu", 0, "http://svc/admin/cpu?seconds=30", 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sec, err := ProfileURL(tt.raw, tt.seconds)
			if err != nil || got != tt.want || sec != tt.wantSec {
				t.Errorf("ProfileURL(%q, %d) = %q, %d, %v; want %q, %d", tt.raw, tt.seconds, got, sec, err, tt.want, tt.wantSec)
			}
		})
	}
	for _, bad := range []string{"ftp://svc/x", "http://", "http://svc/x?seconds=abc"} {
		if _, _, err := ProfileURL(bad, 0); err == nil {
			t.Errorf("ProfileURL(%q) gave no error", bad)
		}
	}
}

// loopback starts a test server on 127.0.0.1 only.
func loopback(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchRealProfile(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := loopback(t, mux)

	// Keep the CPU busy while the service profiles itself, and stop when
	// the fetch is done.
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				burn(20 * time.Millisecond)
			}
		}
	}()
	got, err := Fetch(context.Background(), FetchOptions{URL: srv.URL, Seconds: 1, Timeout: time.Minute})
	close(done)
	if err != nil {
		if strings.Contains(err.Error(), "already in use") {
			t.Skipf("this test process is already being profiled: %v", err)
		}
		t.Fatal(err)
	}
	if !strings.HasSuffix(got.URL, "/debug/pprof/profile?seconds=1") || got.Seconds != 1 {
		t.Errorf("fetched %s (%d s)", got.URL, got.Seconds)
	}
	if err := Validate("fetched", got.Profile); err != nil {
		t.Errorf("fetched profile: %v", err)
	}
	if _, err := Parse("again", got.Data); err != nil {
		t.Errorf("the saved bytes do not parse: %v", err)
	}
}

func TestFetchErrors(t *testing.T) {
	hang := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // a service that never answers
	}))
	notFound := loopback(t, http.NotFoundHandler())
	html := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>hello</html>"))
	}))
	busy := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Could not enable CPU profiling: cpu profiling already in use", http.StatusInternalServerError)
	}))
	idleProfile := encoded(t, synth{stacks: map[string]int64{}}.profile())
	idle := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(idleProfile)
	}))
	heapProfile := encoded(t, heap())
	heapSrv := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(heapProfile)
	}))
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	tests := []struct {
		name string
		url  string
		want string
	}{
		{"hangs", hang.URL, "no answer within 300ms (--timeout)"},
		{"404", notFound.URL, "404 Not Found: the service serves no CPU profile there: import _ \"net/http/pprof\""},
		{"not a profile", html.URL, "not a pprof profile"},
		{"server error", busy.URL, "500 Internal Server Error: Could not enable CPU profiling"},
		{"idle service", idle.URL, "no CPU samples in 1 s: the service was idle"},
		{"heap profile", heapSrv.URL, "is a heap profile"},
		{"nothing listening", closed, "connection refused: is the service running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fetch(context.Background(), FetchOptions{URL: tt.url, Seconds: 1, Timeout: 300 * time.Millisecond})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err %q is not one line", err)
			}
		})
	}
}
