package quotes

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// Aggregator accumulates statistics over ticks one at a time. The batch
// aggregation calls Add through this interface for every tick in the
// window, which makes it the hot indirect call that PGO can devirtualise.
type Aggregator interface {
	Reset()
	Add(t Tick)
	Fill(s *Stats)
}

// Stats is the result for one symbol in a batch response. Prices are
// rounded to the instrument's tick, the standard deviation to 1e-6.
type Stats struct {
	Symbol string  `json:"symbol"`
	Count  int     `json:"count"`
	VWAP   float64 `json:"vwap,omitempty"`
	Min    float64 `json:"min,omitempty"`
	Max    float64 `json:"max,omitempty"`
	Mean   float64 `json:"mean,omitempty"`
	StdDev float64 `json:"stddev,omitempty"`
}

// vwapAgg computes the volume-weighted average price.
type vwapAgg struct{ pv, vol float64 }

func (a *vwapAgg) Reset() { *a = vwapAgg{} }

func (a *vwapAgg) Add(t Tick) {
	a.pv = math.FMA(t.Price, t.Size, a.pv)
	a.vol += t.Size
}

func (a *vwapAgg) Fill(s *Stats) {
	if a.vol > 0 {
		s.VWAP = a.pv / a.vol
	}
}

// rangeAgg tracks the lowest and highest price.
type rangeAgg struct{ lo, hi float64 }

func (a *rangeAgg) Reset() { a.lo, a.hi = math.Inf(1), math.Inf(-1) }

func (a *rangeAgg) Add(t Tick) {
	a.lo = min(a.lo, t.Price)
	a.hi = max(a.hi, t.Price)
}

func (a *rangeAgg) Fill(s *Stats) {
	if a.lo <= a.hi {
		s.Min, s.Max = a.lo, a.hi
	}
}

// momentsAgg computes the mean and sample standard deviation of the price
// with Welford's online algorithm.
type momentsAgg struct{ n, mean, m2 float64 }

func (a *momentsAgg) Reset() { *a = momentsAgg{} }

func (a *momentsAgg) Add(t Tick) {
	a.n++
	d := t.Price - a.mean
	a.mean += d / a.n
	a.m2 = math.FMA(d, t.Price-a.mean, a.m2)
}

func (a *momentsAgg) Fill(s *Stats) {
	s.Mean = a.mean
	if a.n > 1 {
		s.StdDev = math.Sqrt(a.m2 / (a.n - 1))
	}
}

// AggregatorNames returns the statistics a batch request may ask for.
func AggregatorNames() []string { return []string{"vwap", "range", "moments"} }

// NewAggregator returns a fresh aggregator for one of AggregatorNames.
func NewAggregator(name string) (Aggregator, error) {
	var a Aggregator
	switch name {
	case "vwap":
		a = new(vwapAgg)
	case "range":
		a = new(rangeAgg)
	case "moments":
		a = new(momentsAgg)
	default:
		return nil, fmt.Errorf("unknown statistic %q (want one of %q)", name, AggregatorNames())
	}
	a.Reset()
	return a, nil
}

// Batch request limits.
const (
	MaxBatchSymbols = 500
	MaxWindow       = 100_000
	DefaultWindow   = 250
	maxBatchBytes   = 64 << 10
)

// BatchRequest is the body of POST /batch: the statistics to compute over
// the last Window ticks of each symbol. Empty Stats means all of them and
// a zero Window means DefaultWindow.
type BatchRequest struct {
	Symbols []string `json:"symbols"`
	Window  int      `json:"window,omitempty"`
	Stats   []string `json:"stats,omitempty"`
}

// BatchResponse is the body answering POST /batch. Results come in
// instrument order, one per distinct known symbol; Unknown keeps request
// order.
type BatchResponse struct {
	Window  int      `json:"window"`
	Results []Stats  `json:"results"`
	Unknown []string `json:"unknown,omitempty"`
}

// DecodeBatchRequest reads and validates a batch request from r, rejecting
// unknown fields, trailing data and out-of-range values.
func DecodeBatchRequest(r io.Reader) (*BatchRequest, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var req BatchRequest
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("decoding batch request: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decoding batch request: trailing data after the object")
	}
	switch {
	case len(req.Symbols) == 0:
		return nil, errors.New("batch request has no symbols")
	case len(req.Symbols) > MaxBatchSymbols:
		return nil, fmt.Errorf("batch request has %d symbols, more than %d", len(req.Symbols), MaxBatchSymbols)
	case req.Window < 0 || req.Window > MaxWindow:
		return nil, fmt.Errorf("window %d is outside [0, %d]", req.Window, MaxWindow)
	}
	if req.Window == 0 {
		req.Window = DefaultWindow
	}
	if len(req.Stats) == 0 {
		req.Stats = AggregatorNames()
	}
	return &req, nil
}

// Aggregate computes req over the store. It fails only on an unknown
// statistic name.
func (s *Store) Aggregate(req *BatchRequest) (*BatchResponse, error) {
	aggs := make([]Aggregator, len(req.Stats))
	for i, name := range req.Stats {
		a, err := NewAggregator(name)
		if err != nil {
			return nil, err
		}
		aggs[i] = a
	}
	resp := &BatchResponse{Window: req.Window}
	ids := NewIDSet(s.Len())
	for _, sym := range req.Symbols {
		if inst, ok := s.Lookup(sym); ok {
			ids.Add(inst.ID)
		} else {
			resp.Unknown = append(resp.Unknown, sym)
		}
	}
	resp.Results = make([]Stats, 0, ids.Len())
	for id := range ids.All() {
		inst := s.instruments[id]
		ticks := inst.Ticks[max(len(inst.Ticks)-req.Window, 0):]
		for _, a := range aggs {
			a.Reset()
		}
		for _, t := range ticks {
			for _, a := range aggs {
				a.Add(t)
			}
		}
		st := Stats{Symbol: inst.Symbol, Count: len(ticks)}
		for _, a := range aggs {
			a.Fill(&st)
		}
		st.VWAP = roundTo(st.VWAP, inst.PriceScale)
		st.Mean = roundTo(st.Mean, inst.PriceScale)
		st.StdDev = roundTo(st.StdDev, 1e6)
		resp.Results = append(resp.Results, st)
	}
	return resp, nil
}

// roundTo rounds x to the nearest 1/scale. Dividing by the integral scale,
// rather than multiplying by its inverse, gives the double nearest the
// decimal, so JSON prints it without a long tail.
func roundTo(x, scale float64) float64 { return math.Round(x*scale) / scale }

// floorTo rounds x down to a multiple of 1/scale.
func floorTo(x, scale float64) float64 { return math.Floor(x*scale) / scale }

// ceilTo rounds x up to a multiple of 1/scale.
func ceilTo(x, scale float64) float64 { return math.Ceil(x*scale) / scale }
