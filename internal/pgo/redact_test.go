package pgo

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"password and token", "http://user:secret@host/path?token=T0K3N", "http://user:xxxxx@host/path?token=xxxxx"},
		{"seconds stays", "https://u:p%40ss@svc:6060/debug/pprof/profile?seconds=30&token=abc&sig=x%2Fy", "https://u:xxxxx@svc:6060/debug/pprof/profile?seconds=30&token=xxxxx&sig=xxxxx"},
		{"a lone user name is a token", "https://ghp_abcdef@host/p", "https://xxxxx@host/p"},
		{"nothing secret", "http://127.0.0.1:6060/debug/pprof/profile?seconds=30", "http://127.0.0.1:6060/debug/pprof/profile?seconds=30"},
		{"not a URL", "http://user:secret@ho st/%zz?token=T0K3N", "http://user:xxxxx@ho st/%zz?token=xxxxx"},
		{"host and port", "127.0.0.1:6060", "127.0.0.1:6060"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactURL(tt.in); got != tt.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got := RedactText(`GET "http://a:pw@h/x?k=v" failed; see http://h/?seconds=3. GET http://a:pw@h/?k=v: 404 (http://h/?k=v)`); got != `GET "http://a:xxxxx@h/x?k=xxxxx" failed; see http://h/?seconds=3. GET http://a:xxxxx@h/?k=xxxxx: 404 (http://h/?k=xxxxx)` {
		t.Errorf("RedactText = %q", got)
	}
}

// TestFetchErrorsRedact checks that no error of Fetch quotes a password or
// a token of the URL, whatever went wrong.
func TestFetchErrorsRedact(t *testing.T) {
	const pw, token = "pa55word", "t0k3n-value"
	notFound := loopback(t, http.NotFoundHandler())
	echo := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A service that echoes the request in its error.
		http.Error(w, "bad request "+r.URL.String()+" from "+r.Header.Get("Authorization"), http.StatusBadRequest)
	}))
	html := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }))
	hang := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	withSecrets := func(base string) string {
		return strings.Replace(base, "http://", "http://me:"+pw+"@", 1) + "/debug/pprof/profile?seconds=1&token=" + token
	}
	for _, tt := range []struct{ name, url string }{
		{"404", withSecrets(notFound.URL)},
		{"400 echoing the request", withSecrets(echo.URL)},
		{"not a profile", withSecrets(html.URL)},
		{"no answer", withSecrets(hang.URL)},
		{"connection refused", withSecrets(closed)},
		{"bad seconds", "http://me:" + pw + "@127.0.0.1:1/x?seconds=abc&token=" + token},
		{"not http", "ftp://me:" + pw + "@127.0.0.1:1/x?token=" + token},
		{"unknown host", "http://me:" + pw + "@no-such-host.invalid/x?token=" + token},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fetch(context.Background(), FetchOptions{URL: tt.url, Seconds: 0, Timeout: 300 * time.Millisecond})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			t.Log(msg)
			if strings.Contains(msg, pw) || strings.Contains(msg, token) || strings.Contains(msg, "bWU6cGE1NXdvcmQ") {
				t.Errorf("the error quotes a secret: %s", msg)
			}
			if !strings.Contains(msg, "me:"+Redacted+"@") || strings.HasPrefix(msg, "GET ") && !strings.Contains(msg, "token="+Redacted+": ") {
				t.Errorf("the error does not show the redacted URL, followed by its punctuation: %s", msg)
			}
		})
	}
}

// TestWriteProvenanceRedacts checks that a provenance written by an older
// gotune, with a fetched URL's secrets in it, is scrubbed when merge and
// apply carry it on.
func TestWriteProvenanceRedacts(t *testing.T) {
	dir := t.TempDir()
	prof := encoded(t, synth{stacks: map[string]int64{"main.a;main.main": 5}}.profile())
	raw := filepath.Join(dir, "fetched.pprof")
	must(t, os.WriteFile(raw, prof, 0o644))
	leaky := Provenance{Source: "fetch", How: "GET http://me:pa55word@svc/debug/pprof/profile?seconds=30&token=t0k3n (a 30 s CPU profile)",
		Command: []string{"http://me:pa55word@svc/debug/pprof/profile?seconds=30&token=t0k3n"}}
	b, _ := json.Marshal(leaky)
	must(t, os.WriteFile(ProvenancePath(raw), b, 0o644)) // as an older gotune wrote it, hash aside
	old := ReadProvenance(raw, prof)
	old.How, old.Command = leaky.How, leaky.Command
	must(t, WriteProvenance(raw, prof, old)) // the hash now matches
	out := filepath.Join(dir, "merged.pprof")
	if _, err := MergeFiles(MergeFilesOptions{Files: []string{raw}, Output: out}); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(repo, "cmd", "app"), 0o755))
	if _, err := Apply(ApplyOptions{Profile: out, Mains: []string{filepath.Join(repo, "cmd", "app")}, ProfilesDir: filepath.Join(repo, "profiles"), Name: "app", RepoRoot: repo}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{ProvenancePath(raw), ProvenancePath(out), filepath.Join(repo, "profiles", "app.provenance.json")} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "pa55word") || strings.Contains(string(b), "t0k3n") {
			t.Errorf("%s holds a secret:\n%s", p, b)
		}
		if !strings.Contains(string(b), "http://me:xxxxx@svc/debug/pprof/profile?seconds=30\u0026token=xxxxx") && !strings.Contains(string(b), `http://me:xxxxx@svc/debug/pprof/profile?seconds=30\u0026token=xxxxx`) {
			t.Errorf("%s lost the redacted URL:\n%s", p, b)
		}
	}
}
