package pgo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/pprof/profile"
)

// DefaultSeconds is how long a fetched CPU profile runs by default: the
// duration net/http/pprof itself defaults to.
const DefaultSeconds = 30

// FetchOptions configure Fetch.
type FetchOptions struct {
	URL string
	// Seconds is the profile's duration; 0 keeps the URL's seconds= or
	// takes DefaultSeconds.
	Seconds int
	// Timeout bounds the whole request; 0 = the profile's duration plus
	// 30 seconds.
	Timeout time.Duration
	Client  *http.Client // nil = a plain client
	// MaxBytes bounds the profile's size, as served and uncompressed; 0 =
	// MaxProfileBytes. Fetch stops reading past it.
	MaxBytes int64
}

// ProfileURL returns the CPU profile URL for raw and the profile's duration
// in seconds. raw may be a service's base address ("127.0.0.1:6060",
// "http://host:6060"), its /debug/pprof/ index, or the full profile URL;
// seconds > 0 replaces the URL's seconds=, 0 keeps it or sets
// DefaultSeconds. The URL returned keeps the secrets of raw (a password, a
// token in the query): show it only through RedactURL.
func ProfileURL(raw string, seconds int) (string, int, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", 0, inputErrorf("%q is not a URL: give the service's pprof address, e.g. http://127.0.0.1:6060", RedactURL(raw))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", 0, inputErrorf("%q: want an http or https URL, e.g. http://127.0.0.1:6060", RedactURL(raw))
	}
	if u.Host == "" {
		return "", 0, inputErrorf("%q has no host: give the service's pprof address, e.g. http://127.0.0.1:6060", RedactURL(raw))
	}
	switch p := strings.TrimSuffix(u.Path, "/"); {
	case p == "":
		u.Path = "/debug/pprof/profile"
	case strings.HasSuffix(p, "/debug/pprof"):
		u.Path = p + "/profile"
	}
	q := u.Query()
	switch {
	case seconds < 0:
		return "", 0, inputErrorf("--seconds %d: want a positive duration in seconds", seconds)
	case seconds > 0:
		q.Set("seconds", strconv.Itoa(seconds))
	case q.Get("seconds") != "":
		n, err := strconv.Atoi(q.Get("seconds"))
		if err != nil || n <= 0 {
			return "", 0, inputErrorf("%q: seconds=%s is not a positive whole number", RedactURL(raw), q.Get("seconds"))
		}
		seconds = n
	default:
		seconds = DefaultSeconds
		q.Set("seconds", strconv.Itoa(seconds))
	}
	u.RawQuery = q.Encode()
	return u.String(), seconds, nil
}

// Fetched is a profile Fetch took from a service.
type Fetched struct {
	URL     string // the profile's URL, its secrets redacted (RedactURL)
	Seconds int
	Data    []byte // as served: a gzip-compressed profile
	Profile *profile.Profile
}

// Fetch takes a CPU profile from a live service's net/http/pprof endpoint
// and checks that PGO can use it. Its errors are one line saying what went
// wrong (no connection, no answer in time, not found, not a CPU profile, no
// samples) and what to check. Neither they nor Fetched.URL hold the URL's
// secrets (see RedactURL).
func Fetch(ctx context.Context, opts FetchOptions) (*Fetched, error) {
	got, err := fetch(ctx, opts)
	if err != nil {
		return nil, scrubError(err, opts.URL)
	}
	return got, nil
}

func fetch(ctx context.Context, opts FetchOptions) (*Fetched, error) {
	u, seconds, err := ProfileURL(opts.URL, opts.Seconds)
	if err != nil {
		return nil, err
	}
	shown := RedactURL(u)
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Duration(seconds)*time.Second + 30*time.Second
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, inputErrorf("%s: %v", shown, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fetchError(shown, seconds, timeout, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("GET %s: 404 Not Found: the service serves no CPU profile there: import _ \"net/http/pprof\" (or register pprof.Profile) and check the address and path", shown)
		}
		// The service's own explanation, from the start of its body, made
		// safe to print: no escape sequences, no carriage returns.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		msg := printable(string(body), 200)
		if msg != "" {
			msg = ": " + msg
		}
		return nil, fmt.Errorf("GET %s: %s%s", shown, printable(resp.Status, 100), msg)
	}
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = MaxProfileBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fetchError(shown, seconds, timeout, err)
	}
	p, err := parse(shown, data, limit)
	if err == nil {
		err = Validate(shown, p)
	}
	if err != nil {
		if strings.Contains(err.Error(), "no CPU samples") {
			return nil, fmt.Errorf("%s: no CPU samples in %d s: the service was idle; fetch again while it serves traffic, or raise --seconds", shown, seconds)
		}
		return nil, errors.New(err.Error()) // the service's problem, not the user's input: exit status 1
	}
	return &Fetched{URL: shown, Seconds: seconds, Data: data, Profile: p}, nil
}

// fetchError explains a failed request of u (redacted).
func fetchError(u string, seconds int, timeout time.Duration, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its message quotes the whole URL
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("GET %s: no answer within %s (--timeout): the service accepted the connection but did not send the %d s profile in time; check it is healthy, or raise --timeout", u, timeout, seconds)
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("GET %s: connection refused: is the service running, with net/http/pprof on that address?", u)
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return fmt.Errorf("GET %s: unknown host %s: check the address", u, de.Name)
	}
	return fmt.Errorf("GET %s: %v", u, err)
}

// FetchFileOptions configure FetchFile.
type FetchFileOptions struct {
	FetchOptions
	// Output is the file to write; "" names one in WorkDir:
	// pgo/fetch-HOST-TIME.pprof.
	Output  string
	WorkDir string
	Tool    string    // for the provenance: "gotune v1.2.3"
	Log     io.Writer // progress; nil = discard
}

// FetchedFile is a profile FetchFile took and saved.
type FetchedFile struct {
	*Fetched
	Path string // where it was written
	// ProvenancePath is where its provenance was written; "" when Path
	// is a device, a pipe or /dev/stdout, beside which nothing is written.
	ProvenancePath string
	Summary        Summary
}

// FetchFile takes a CPU profile from a live service with Fetch and writes
// it, with its provenance file beside it, to opts.Output (created with its
// folders when missing) or to a new file of the work dir. Output may be a
// device, a pipe or /dev/stdout: the profile is written through it, and
// no provenance is written.
func FetchFile(ctx context.Context, opts FetchFileOptions) (*FetchedFile, error) {
	u, seconds, err := ProfileURL(opts.URL, opts.Seconds)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	out := opts.Output
	if out == "" {
		host := "service"
		if pu, err := url.Parse(u); err == nil {
			host = strings.NewReplacer(":", "_", "/", "_").Replace(pu.Host)
		}
		out = filepath.Join(opts.WorkDir, "pgo", "fetch-"+host+"-"+time.Now().UTC().Format("20060102-150405")+".pprof")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, inputErrorf("-o %s: %v", out, err)
	}
	fmt.Fprintf(log, "gotune: fetching a %d s CPU profile from %s\n", seconds, RedactURL(u))
	got, err := Fetch(ctx, opts.FetchOptions)
	if err != nil {
		return nil, err
	}
	beside, err := writeOutput(out, got.Data)
	if err != nil {
		return nil, err
	}
	sm := Summarize(got.Profile, 0)
	pv := Provenance{
		Tool: opts.Tool, Created: time.Now().UTC().Truncate(time.Second),
		Source: "fetch", How: fmt.Sprintf("GET %s (a %d s CPU profile of a live service)", got.URL, got.Seconds),
		Command: []string{got.URL}, Samples: sm.Samples, CPU: sm.CPU, Duration: sm.Duration,
	}
	res := &FetchedFile{Fetched: got, Path: out, Summary: sm}
	if beside {
		if err := WriteProvenance(out, got.Data, pv); err != nil {
			return nil, err
		}
		res.ProvenancePath = ProvenancePath(out)
	}
	return res, nil
}

// scrubError returns err with the secrets of raw, the URL as the user gave
// it, taken out of its message; errors.Is and errors.As still see err.
func scrubError(err error, raw string) error {
	msg := err.Error()
	if clean := scrub(msg, raw); clean != msg {
		return scrubbed{msg: clean, err: err}
	}
	return err
}

type scrubbed struct {
	msg string
	err error
}

func (e scrubbed) Error() string { return e.msg }
func (e scrubbed) Unwrap() error { return e.err }
