package quotes

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The benchmarks run on the default store (200 symbols × 2,000 ticks) and
// fixed inputs, so every build setting gotune compares does the same work.
// The server writes its access log to io.Discard: log lines are built.

// benchSymbols returns n symbols spread across the store.
func benchSymbols(st *Store, n int) []string {
	syms := make([]string, n)
	for i := range syms {
		syms[i] = st.Instrument(i * st.Len() / n).Symbol
	}
	return syms
}

func batchBody(b *testing.B, st *Store) []byte {
	body, err := json.Marshal(&BatchRequest{Symbols: benchSymbols(st, 50), Window: 100})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func serveBench(b *testing.B, s *Server, req func() *http.Request) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req())
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkQuote measures GET /quote for a rotating set of symbols.
func BenchmarkQuote(b *testing.B) {
	st := NewStore(DefaultConfig())
	s := NewServer(st, io.Discard)
	var reqs []*http.Request
	for _, sym := range benchSymbols(st, 16) {
		reqs = append(reqs, httptest.NewRequest("GET", "/quote?symbol="+sym, nil))
	}
	i := 0
	serveBench(b, s, func() *http.Request { i++; return reqs[i%len(reqs)] })
}

// BenchmarkBatch measures POST /batch of 50 symbols over their last 100
// ticks with every statistic.
func BenchmarkBatch(b *testing.B) {
	st := NewStore(DefaultConfig())
	s := NewServer(st, io.Discard)
	body := batchBody(b, st)
	serveBench(b, s, func() *http.Request {
		return httptest.NewRequest("POST", "/batch", bytes.NewReader(body))
	})
}

// BenchmarkOHLC measures GET /ohlc with one-minute candles.
func BenchmarkOHLC(b *testing.B) {
	st := NewStore(DefaultConfig())
	s := NewServer(st, io.Discard)
	req := httptest.NewRequest("GET", "/ohlc?symbol="+st.Instrument(42).Symbol+"&interval=60", nil)
	serveBench(b, s, func() *http.Request { return req })
}

// BenchmarkLogLine measures formatting 64 access-log lines, one buffer
// flush's worth, into a reused buffer.
func BenchmarkLogLine(b *testing.B) {
	t0 := DefaultConfig().Start
	entries := make([]LogEntry, 64)
	for i := range entries {
		entries[i] = LogEntry{
			Time:       t0.Add(time.Duration(i) * 1733 * time.Millisecond),
			RemoteAddr: "192.0.2.17:" + strings.Repeat("5", 1+i%5),
			Method:     "GET",
			URI:        "/ohlc?symbol=ABC&interval=" + strings.Repeat("9", 1+i%3),
			Proto:      "HTTP/1.1",
			Status:     200 + 204*(i%3),
			Bytes:      int64(100 + 37*i),
			Duration:   time.Duration(1000+7919*i) * time.Nanosecond,
			UserAgent:  "gotune-bench/1.0 (+https://example.com)",
		}
	}
	buf := make([]byte, 0, 16<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf = buf[:0]
		for i := range entries {
			buf = AppendLogLine(buf, &entries[i])
		}
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkEncode measures encoding a 50-result batch response.
func BenchmarkEncode(b *testing.B) {
	st := NewStore(DefaultConfig())
	resp, err := st.Aggregate(&BatchRequest{Symbols: benchSymbols(st, 50), Window: DefaultWindow, Stats: AggregatorNames()})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := json.NewEncoder(&buf).Encode(resp); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkDecode measures decoding and validating the 50-symbol batch
// request of BenchmarkBatch.
func BenchmarkDecode(b *testing.B) {
	body := batchBody(b, NewStore(DefaultConfig()))
	r := bytes.NewReader(body)
	collectSetup() // the store was built only for the body
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r.Reset(body)
		if _, err := DecodeBatchRequest(r); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(body)))
}
