package quotes

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testStore is a small store; its symbols are taken from it, not hard-coded.
func testStore(t testing.TB) *Store {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Symbols, cfg.Ticks = 20, 500
	return NewStore(cfg)
}

func serve(t testing.TB, s *Server, method, target, body string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, target, ct)
	}
	return rec.Code, rec.Body.Bytes()
}

func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return v
}

func TestNewStoreDeterministic(t *testing.T) {
	a, b := testStore(t), testStore(t)
	if !reflect.DeepEqual(a.instruments, b.instruments) {
		t.Fatal("two stores from the same config differ")
	}
	for _, inst := range a.instruments {
		if got, ok := a.Lookup(inst.Symbol); !ok || got != inst {
			t.Errorf("Lookup(%q) = %v, %v; want instrument %d", inst.Symbol, got, ok, inst.ID)
		}
	}
}

func TestQuote(t *testing.T) {
	st := testStore(t)
	inst := st.Instrument(3)
	code, body := serve(t, NewServer(st, nil), "GET", "/quote?symbol="+inst.Symbol, "")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	q := decode[Quote](t, body)
	last := inst.Ticks[len(inst.Ticks)-1]
	if q.Symbol != inst.Symbol || q.Last != last.Price || q.Time != last.Time {
		t.Errorf("quote %+v does not match the last tick %+v", q, last)
	}
	if !(q.Bid < q.Last && q.Last < q.Ask) || q.Spread != roundTo(q.Ask-q.Bid, 100) {
		t.Errorf("bad bid/ask: %+v", q)
	}
}

func TestErrors(t *testing.T) {
	s := NewServer(testStore(t), nil)
	sym := s.store.Instrument(0).Symbol
	for _, tc := range []struct {
		name, method, target, body string
		want                       int
	}{
		{"unknown symbol", "GET", "/quote?symbol=NOPE1", "", http.StatusNotFound},
		{"missing symbol", "GET", "/ohlc", "", http.StatusBadRequest},
		{"bad interval", "GET", "/ohlc?symbol=" + sym + "&interval=0", "", http.StatusBadRequest},
		{"unknown field", "POST", "/batch", `{"symbols":["A"],"windw":3}`, http.StatusBadRequest},
		{"no symbols", "POST", "/batch", `{"symbols":[]}`, http.StatusBadRequest},
		{"bad window", "POST", "/batch", `{"symbols":["A"],"window":-1}`, http.StatusBadRequest},
		{"bad stat", "POST", "/batch", `{"symbols":["A"],"stats":["median"]}`, http.StatusBadRequest},
		{"trailing data", "POST", "/batch", `{"symbols":["A"]} {}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := serve(t, s, tc.method, tc.target, tc.body)
			if code != tc.want {
				t.Fatalf("status %d, want %d: %s", code, tc.want, body)
			}
			if e := decode[apiError](t, body); e.Error == "" {
				t.Errorf("empty error message in %s", body)
			}
		})
	}
}

func TestBatch(t *testing.T) {
	st := testStore(t)
	a, b := st.Instrument(7), st.Instrument(2)
	req := `{"symbols":["` + a.Symbol + `","NOPE1","` + b.Symbol + `","` + a.Symbol + `"],"window":100}`
	code, body := serve(t, NewServer(st, nil), "POST", "/batch", req)
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	resp := decode[BatchResponse](t, body)
	if len(resp.Results) != 2 || resp.Results[0].Symbol != b.Symbol || resp.Results[1].Symbol != a.Symbol {
		t.Fatalf("want %s then %s once each, got %s", b.Symbol, a.Symbol, body)
	}
	if !reflect.DeepEqual(resp.Unknown, []string{"NOPE1"}) {
		t.Errorf("unknown = %q, want [NOPE1]", resp.Unknown)
	}
	ticks := b.Ticks[len(b.Ticks)-100:]
	lo, hi := ticks[0].Price, ticks[0].Price
	for _, tk := range ticks {
		lo, hi = min(lo, tk.Price), max(hi, tk.Price)
	}
	r := resp.Results[0]
	if r.Count != 100 || r.Min != lo || r.Max != hi || !(lo <= r.VWAP && r.VWAP <= hi) || r.StdDev <= 0 {
		t.Errorf("stats %+v inconsistent with ticks (min %v, max %v)", r, lo, hi)
	}
}

func TestOHLC(t *testing.T) {
	st := testStore(t)
	inst := st.Instrument(5)
	code, body := serve(t, NewServer(st, nil), "GET", "/ohlc?symbol="+inst.Symbol+"&interval=90", "")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	o := decode[OHLC](t, body)
	trades, vol := 0, 0.0
	for i, c := range o.Candles {
		if c.Start%90_000 != 0 || (i > 0 && c.Start <= o.Candles[i-1].Start) {
			t.Errorf("candle %d starts at %d: not aligned to 90s or not increasing", i, c.Start)
		}
		if !(c.Low <= min(c.Open, c.Close, c.VWAP) && max(c.Open, c.Close, c.VWAP) <= c.High) {
			t.Errorf("candle %d is inconsistent: %+v", i, c)
		}
		trades += c.Trades
		vol += c.Volume
	}
	want := 0.0
	for _, tk := range inst.Ticks {
		want += tk.Size
	}
	if trades != len(inst.Ticks) || vol != want || o.Candles[0].Open != inst.Ticks[0].Price {
		t.Errorf("candles cover %d trades of volume %v, want %d of %v", trades, vol, len(inst.Ticks), want)
	}
}

func TestAppendLogLine(t *testing.T) {
	e := LogEntry{
		Time:       time.Date(2024, time.March, 4, 9, 5, 7, 0, time.FixedZone("EST", -5*3600)),
		RemoteAddr: "10.0.0.1:5555",
		Method:     "GET",
		URI:        `/quote?symbol="X"`,
		Proto:      "HTTP/1.1",
		Status:     200,
		Bytes:      123,
		Duration:   1500 * time.Microsecond,
		UserAgent:  "bench\n",
	}
	got := string(AppendLogLine([]byte("> "), &e))
	want := `> 10.0.0.1:5555 - - [04/Mar/2024:14:05:07 +0000] "GET /quote?symbol=\x22X\x22 HTTP/1.1" 200 123 "-" "bench\x0a" 0.001500` + "\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestIDSetAndBloom(t *testing.T) {
	s := NewIDSet(200)
	for _, id := range []int{130, 3, 64, 3, 199} {
		s.Add(id)
	}
	var got []int
	for id := range s.All() {
		got = append(got, id)
	}
	if want := []int{3, 64, 130, 199}; !reflect.DeepEqual(got, want) || s.Len() != 4 {
		t.Errorf("members %v (len %d), want %v", got, s.Len(), want)
	}
	b := NewBloom(1, 16)
	b.Add("ABC")
	if !b.MayContain("ABC") || len(b.words) != 1 {
		t.Errorf("bloom of one key: %d words, MayContain(ABC) = %v", len(b.words), b.MayContain("ABC"))
	}
	if b = NewBloom(200, 16); len(b.words) != 64 {
		t.Errorf("bloom of 200 keys at 16 bits: %d words, want 64", len(b.words))
	}
}
