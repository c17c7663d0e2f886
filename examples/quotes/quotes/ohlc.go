package quotes

import "math"

// Candle is one OHLC bar: the ticks whose time falls in
// [Start, Start+interval).
type Candle struct {
	Start  int64   `json:"start"` // Unix milliseconds.
	Open   float64 `json:"open"`
	High   float64 `json:"high"`
	Low    float64 `json:"low"`
	Close  float64 `json:"close"`
	Volume float64 `json:"volume"`
	VWAP   float64 `json:"vwap"`
	Trades int     `json:"trades"`
}

// Candles buckets ticks, which must be in time order, into bars of
// intervalMs milliseconds aligned to multiples of the interval since the
// Unix epoch, and appends the non-empty bars to dst. The interval may be
// fractional; it must be positive. Prices are rounded to 1/scale.
func Candles(dst []Candle, ticks []Tick, intervalMs, scale float64) []Candle {
	if len(ticks) == 0 {
		return dst
	}
	first := len(dst)
	bucket := math.Inf(-1)
	var pv float64
	var c *Candle
	for _, t := range ticks {
		b := math.Floor(float64(t.Time) / intervalMs)
		if b != bucket {
			if c != nil {
				c.VWAP = pv / c.Volume
			}
			bucket, pv = b, 0
			dst = append(dst, Candle{
				Start: int64(math.Ceil(b * intervalMs)),
				Open:  t.Price, High: t.Price, Low: t.Price,
			})
			c = &dst[len(dst)-1]
		}
		c.High = max(c.High, t.Price)
		c.Low = min(c.Low, t.Price)
		c.Close = t.Price
		c.Volume += t.Size
		c.Trades++
		pv = math.FMA(t.Price, t.Size, pv)
	}
	c.VWAP = pv / c.Volume
	for i := first; i < len(dst); i++ {
		dst[i].VWAP = roundTo(dst[i].VWAP, scale)
	}
	return dst
}
