package service

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"
)

// CheckLoopback returns an error unless hostport is an IP address on the
// loopback network with a port, such as 127.0.0.1:8080 or [::1]:8080.
// Host names are refused too: gotune only ever targets the addresses it
// picked itself.
func CheckLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("refusing to target %q: want a loopback host:port such as 127.0.0.1:8080", hostport)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing to target %s: gotune only sends load to loopback addresses (127.0.0.0/8, ::1)", hostport)
	}
	return nil
}

// loopbackClient returns an HTTP client that can only reach loopback
// addresses: its dialer checks the address before dialing and again the
// resolved socket address, no proxy is used, and redirects are not
// followed (a 3xx answer is the response). conns bounds idle connections.
func loopbackClient(timeout time.Duration, conns int) *http.Client {
	d := &net.Dialer{
		Timeout:   timeout,
		KeepAlive: 30 * time.Second,
		ControlContext: func(_ context.Context, _, address string, _ syscall.RawConn) error {
			return CheckLoopback(address)
		},
	}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if err := CheckLoopback(addr); err != nil {
				return nil, err
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// freeAddrs returns n distinct free host:port addresses on 127.0.0.1. The
// ports are free when picked; a server started right after takes them.
func freeAddrs(n int) ([]string, error) {
	var addrs []string
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("picking a free port on 127.0.0.1: %v", err)
		}
		lns = append(lns, ln)
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
}

// tail is an io.Writer keeping the last bytes written to it, and copying
// everything to an optional writer. It is safe for concurrent use.
type tail struct {
	mu   sync.Mutex
	buf  []byte
	max  int
	copy interface{ Write([]byte) (int, error) }
}

func newTail(max int, copy interface{ Write([]byte) (int, error) }) *tail {
	return &tail{max: max, copy: copy}
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.copy != nil {
		_, _ = t.copy.Write(p) // a broken copy must not stop the server
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// Lines returns the part of the output that best explains an exit, in at
// most about 300 bytes for a one-line error: a Go panic's or fatal error's
// own line (the goroutine stacks after it say less), the line before the
// flag package's "Usage of" block, or else the last n non-empty lines,
// joined by " | ".
func (t *tail) Lines(n int) string {
	t.mu.Lock()
	s := string(t.buf)
	t.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: "):
			if i < len(lines)-1 {
				l += " (stacks follow)"
			}
			return clip(l)
		case strings.HasPrefix(l, "Usage of ") && i > 0:
			return clip(lines[i-1])
		}
	}
	return clip(strings.Join(lines[max(0, len(lines)-n):], " | "))
}

// clip shortens s to its last 300 bytes.
func clip(s string) string {
	if len(s) > 300 {
		s = "…" + strings.ToValidUTF8(s[len(s)-300:], "")
	}
	return s
}
