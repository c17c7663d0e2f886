// Package quotes is the demo target that gotune tunes out of the box: an
// in-memory store of instruments and trade ticks, and the JSON HTTP handlers
// of a small financial-quotes service built on it.
//
// The data is generated deterministically from a seed with a PCG generator,
// so the package's benchmarks do the same work on every run and under every
// build setting that gotune compares.
package quotes

import (
	"math"
	"math/rand/v2"
	"time"
)

// Tick is one trade: when it happened, at what price and for what size.
type Tick struct {
	Time  int64   // Unix milliseconds.
	Price float64 // In currency units, a whole number of price ticks.
	Size  float64 // Shares traded.
}

// Instrument is one tradable symbol and its tick history in time order.
type Instrument struct {
	ID         int     // Dense index in the store, from 0.
	Symbol     string  // Upper-case ticker, 3 or 4 letters.
	PriceScale float64 // Price ticks per currency unit: 100 means cents.
	SpreadBps  float64 // Quoted bid/ask spread in basis points of the price.
	Ticks      []Tick  // Never empty.
}

// Config describes a generated store.
type Config struct {
	Seed    uint64    // Seed of the PCG generator.
	Symbols int       // Number of instruments.
	Ticks   int       // Ticks per instrument.
	Start   time.Time // Time of the first tick of every instrument.
}

// DefaultConfig returns the configuration used by the server and the
// benchmarks: 200 symbols of 2,000 ticks each from seed 1.
func DefaultConfig() Config {
	return Config{
		Seed:    1,
		Symbols: 200,
		Ticks:   2000,
		Start:   time.Date(2024, time.March, 4, 14, 30, 0, 0, time.UTC),
	}
}

// Store holds the instruments, indexed by ID and by symbol. It is read-only
// after NewStore returns and safe for concurrent use.
type Store struct {
	instruments []*Instrument
	bySymbol    map[string]*Instrument
	known       *Bloom
}

// NewStore generates a store from cfg. The same cfg always yields the same
// store. Symbols and Ticks below 1 are raised to 1.
func NewStore(cfg Config) *Store {
	nsym, nticks := max(cfg.Symbols, 1), max(cfg.Ticks, 1)
	r := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	s := &Store{
		instruments: make([]*Instrument, 0, nsym),
		bySymbol:    make(map[string]*Instrument, nsym),
		known:       NewBloom(nsym, 16),
	}
	start := cfg.Start.UnixMilli()
	for id := range nsym {
		sym := randomSymbol(r)
		for s.bySymbol[sym] != nil {
			sym = randomSymbol(r)
		}
		inst := &Instrument{
			ID:         id,
			Symbol:     sym,
			PriceScale: 100,
			SpreadBps:  1 + 9*r.Float64(),
			Ticks:      make([]Tick, nticks),
		}
		price := 5 + 495*r.Float64()
		vol := 0.0005 + 0.0015*r.Float64() // Per-tick volatility.
		t := start
		for i := range inst.Ticks {
			price *= 1 + vol*r.NormFloat64()
			price = max(math.Round(price*inst.PriceScale)/inst.PriceScale, 1/inst.PriceScale)
			inst.Ticks[i] = Tick{
				Time:  t,
				Price: price,
				Size:  math.Ceil(r.ExpFloat64()*3) * 100,
			}
			t += 50 + r.Int64N(1500)
		}
		s.instruments = append(s.instruments, inst)
		s.bySymbol[sym] = inst
		s.known.Add(sym)
	}
	return s
}

func randomSymbol(r *rand.Rand) string {
	b := make([]byte, 3+r.IntN(2))
	for i := range b {
		b[i] = byte('A' + r.IntN(26))
	}
	return string(b)
}

// Len returns the number of instruments.
func (s *Store) Len() int { return len(s.instruments) }

// Instrument returns the instrument with the given ID, which must be in
// [0, Len()).
func (s *Store) Instrument(id int) *Instrument { return s.instruments[id] }

// Lookup returns the instrument for symbol. Unknown symbols are mostly
// rejected by the bloom filter before the map is consulted.
func (s *Store) Lookup(symbol string) (*Instrument, bool) {
	if !s.known.MayContain(symbol) {
		return nil, false
	}
	inst, ok := s.bySymbol[symbol]
	return inst, ok
}
