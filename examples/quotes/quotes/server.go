package quotes

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Quote is the body answering GET /quote: the last trade and a quoted
// bid/ask around it.
type Quote struct {
	Symbol string  `json:"symbol"`
	Time   int64   `json:"time"` // Unix milliseconds of the last trade.
	Last   float64 `json:"last"`
	Bid    float64 `json:"bid"`
	Ask    float64 `json:"ask"`
	Spread float64 `json:"spread"`
	Change float64 `json:"change"` // Percent since the first tick.
	Volume float64 `json:"volume"` // Shares traded since the first tick.
}

// OHLC is the body answering GET /ohlc.
type OHLC struct {
	Symbol   string   `json:"symbol"`
	Interval float64  `json:"interval"` // Seconds.
	Candles  []Candle `json:"candles"`
}

type apiError struct {
	Error string `json:"error"`
}

// Server serves the quotes API over a Store and writes an access-log line
// per request. It is safe for concurrent use.
type Server struct {
	store *Store
	mux   *http.ServeMux
	now   func() time.Time
	logMu sync.Mutex
	log   io.Writer
	bufs  sync.Pool // Of *[]byte, for log lines.
}

// NewServer returns a server over store logging to accessLog, or not
// logging if accessLog is nil.
func NewServer(store *Store, accessLog io.Writer) *Server {
	s := &Server{store: store, mux: http.NewServeMux(), now: time.Now, log: accessLog}
	s.bufs.New = func() any { b := make([]byte, 0, 256); return &b }
	s.mux.HandleFunc("GET /quote", s.handleQuote)
	s.mux.HandleFunc("POST /batch", s.handleBatch)
	s.mux.HandleFunc("GET /ohlc", s.handleOHLC)
	return s
}

// statusWriter records the status and size of a response for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// ServeHTTP routes the request and logs it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	sw := &statusWriter{ResponseWriter: w}
	s.mux.ServeHTTP(sw, r)
	if s.log == nil {
		return
	}
	e := LogEntry{
		Time:       start,
		RemoteAddr: r.RemoteAddr,
		Method:     r.Method,
		URI:        r.RequestURI,
		Proto:      r.Proto,
		Status:     max(sw.status, http.StatusOK),
		Bytes:      sw.bytes,
		Duration:   s.now().Sub(start),
		UserAgent:  r.UserAgent(),
	}
	bp := s.bufs.Get().(*[]byte)
	*bp = AppendLogLine((*bp)[:0], &e)
	s.logMu.Lock()
	_, _ = s.log.Write(*bp)
	s.logMu.Unlock()
	s.bufs.Put(bp)
}

func (s *Server) handleQuote(w http.ResponseWriter, r *http.Request) {
	inst, ok := s.lookup(w, r)
	if !ok {
		return
	}
	first, last := inst.Ticks[0], inst.Ticks[len(inst.Ticks)-1]
	var vol float64
	for _, t := range inst.Ticks {
		vol += t.Size
	}
	half := max(last.Price*inst.SpreadBps/20_000, 1/inst.PriceScale)
	bid := max(floorTo(last.Price-half, inst.PriceScale), 1/inst.PriceScale)
	ask := ceilTo(last.Price+half, inst.PriceScale)
	writeJSON(w, http.StatusOK, &Quote{
		Symbol: inst.Symbol,
		Time:   last.Time,
		Last:   last.Price,
		Bid:    bid,
		Ask:    ask,
		Spread: roundTo(ask-bid, inst.PriceScale),
		Change: roundTo(100*(last.Price/first.Price-1), 1e4),
		Volume: vol,
	})
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	req, err := DecodeBatchRequest(http.MaxBytesReader(w, r.Body, maxBatchBytes))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, &apiError{err.Error()})
		return
	}
	resp, err := s.store.Aggregate(req)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, &apiError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleOHLC(w http.ResponseWriter, r *http.Request) {
	inst, ok := s.lookup(w, r)
	if !ok {
		return
	}
	interval := 60.0
	if v := r.URL.Query().Get("interval"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0.001 && f <= 86_400) {
			writeJSON(w, http.StatusBadRequest, &apiError{"interval must be a number of seconds in [0.001, 86400]"})
			return
		}
		interval = f
	}
	writeJSON(w, http.StatusOK, &OHLC{
		Symbol:   inst.Symbol,
		Interval: interval,
		Candles:  Candles(nil, inst.Ticks, interval*1000, inst.PriceScale),
	})
}

// lookup finds the instrument named by the symbol query parameter or
// writes the error response.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (*Instrument, bool) {
	sym := r.URL.Query().Get("symbol")
	if sym == "" {
		writeJSON(w, http.StatusBadRequest, &apiError{"missing symbol parameter"})
		return nil, false
	}
	inst, ok := s.store.Lookup(sym)
	if !ok {
		writeJSON(w, http.StatusNotFound, &apiError{"unknown symbol " + strconv.Quote(sym)})
		return nil, false
	}
	return inst, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
