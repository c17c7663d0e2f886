// The HTML report's speed-against-size scatter and the scales of every
// chart.

package report

import (
	"fmt"
	"math"

	"github.com/gotune/gotune/internal/result"
)

// scatterChart plots each variant's overall speed (faster to the right)
// against the total size of its test binaries (larger up). Its geometry
// is in pixels: it is drawn at a fixed size and shrinks with the page.
type scatterChart struct {
	Width, Height float64
	Left, Right   float64
	Top, Bottom   float64
	ZeroX         float64
	YTicks        []tick
	XTicks        []tick
	Points        []point
}

// tick is one labelled grid line.
type tick struct {
	Pos   float64 // y for a vertical axis, x for a horizontal one
	Label string
}

// point is one variant in the scatter plot.
type point struct {
	N          string
	Name       string
	Class      string
	X, Y       float64
	HasWhisker bool
	WLo, WHi   float64 // whisker ends (x)
	LabelX     float64
	LabelY     float64
	Anchor     string
	Title      string
}

// Scatter geometry, in pixels.
const (
	scatterW      = 640.0
	scatterH      = 320.0
	scatterLeft   = 70.0
	scatterRight  = 24.0
	scatterTop    = 16.0
	scatterBottom = 52.0
	// labelCharW and labelH bound a label's box: 11px text of digits
	// and capitals.
	labelCharW = 7.5
	labelH     = 13.0
)

// sizeScatter plots every measured variant with an overall change (the
// baseline and its same-code twins at 0%) against the total size of its
// test binaries; nil when fewer than two variants have both.
func sizeScatter(r *textReport, keys []variantKey) *scatterChart {
	run := r.run
	type item struct {
		v     *result.Variant
		g     result.Ratio
		size  float64
		class string
		n     string
	}
	var items []item
	for _, v := range orderVariants(run) {
		st := statsOf(run, v.Name)
		g := st.Change
		isBase := v.Name == run.Baseline || v.SameCodeAs != "" && v.SameCodeAs == run.Baseline
		if g == nil && isBase {
			g = &result.Ratio{Center: 1, Lo: 1, Hi: 1} // the baseline's code: 0% by construction
		}
		if v.Status != result.StatusOK || g == nil || !usable(g.Center) {
			continue
		}
		var size int64
		for _, b := range v.Builds {
			size += b.Size
		}
		if size <= 0 {
			continue
		}
		n := keyOf(keys, v.Name)
		items = append(items, item{v, *g, float64(size), rowClass(run, st, v), n})
	}
	if len(items) < 2 {
		return nil
	}
	var all []float64
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, it := range items {
		all = append(all, gains(it.g, "sec/op")...)
		ylo, yhi = math.Min(ylo, it.size), math.Max(yhi, it.size)
	}
	c := &scatterChart{
		Width: scatterW, Height: scatterH,
		Left: scatterLeft, Right: scatterW - scatterRight,
		Top: scatterTop, Bottom: scatterH - scatterBottom,
	}
	lo, hi := 0.0, 0.0
	for _, v := range all {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	xs := newScale(lo, hi, c.Left+14, c.Right-14)
	const mib = 1 << 20
	ys := newScale(ylo/mib, yhi/mib, c.Bottom-10, c.Top+10)
	c.ZeroX = round1(xs.pos(0))
	for _, t := range xs.ticks {
		label := fmt.Sprintf("%g%%", math.Abs(t))
		if t == 0 {
			label = "0"
		}
		c.XTicks = append(c.XTicks, tick{round1(xs.pos(t)), label})
	}
	for _, t := range ys.ticks {
		c.YTicks = append(c.YTicks, tick{round1(ys.pos(t)), fmt.Sprintf("%g MiB", t)})
	}
	var placed []box
	for _, it := range items {
		p := point{
			N: it.n, Name: it.v.Name, Class: it.class,
			X: round1(xs.pos(gain(it.g.Center, "sec/op") * 100)), Y: round1(ys.pos(it.size / mib)),
		}
		placed = append(placed, box{p.X - 5, p.Y - 5, 10, 10}) // the dot itself
		words := overallCell(run, it.v)
		if it.v.Name == run.Baseline || it.v.SameCodeAs == run.Baseline {
			words = "the baseline's code"
		}
		p.Title = fmt.Sprintf("%s %s: %s, %s", p.N, it.v.Name, words, Bytes(int64(it.size)))
		if bounded(it.g) && it.g.Lo != it.g.Hi {
			p.HasWhisker = true
			a, b := xs.pos(gain(it.g.Lo, "sec/op")*100), xs.pos(gain(it.g.Hi, "sec/op")*100)
			p.WLo, p.WHi = round1(math.Min(a, b)), round1(math.Max(a, b))
		}
		c.Points = append(c.Points, p)
	}
	// Labels after every dot is known, each where it overlaps nothing
	// placed before it.
	for i := range c.Points {
		p := &c.Points[i]
		w := labelCharW*float64(len([]rune(p.N))) + 2
		p.LabelX, p.LabelY, p.Anchor = placeLabel(p.X, p.Y, w, placed, c)
		lx := p.LabelX
		if p.Anchor == "end" {
			lx -= w
		}
		placed = append(placed, box{lx, p.LabelY - labelH + 3, w, labelH})
	}
	return c
}

// box is a rectangle in pixels.
type box struct{ X, Y, W, H float64 }

// overlaps reports whether two boxes intersect.
func (a box) overlaps(b box) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// placeLabel finds a place for a label of width w next to the dot at
// (x, y) that overlaps no placed box and stays in the plot: right of the
// dot, left of it, above, below, then further out. It returns the text's
// anchor point (baseline) and its text-anchor.
func placeLabel(x, y, w float64, placed []box, c *scatterChart) (float64, float64, string) {
	type cand struct {
		dx, dy float64
		anchor string
	}
	var cands []cand
	for ring := 0.0; ring < 8; ring++ {
		d := ring * labelH
		cands = append(cands,
			cand{8, 4 + d, "start"}, cand{-8, 4 + d, "end"},
			cand{8, 4 - d, "start"}, cand{-8, 4 - d, "end"},
			cand{-w / 2, -8 - d, "start"}, cand{-w / 2, 16 + d, "start"},
		)
	}
	for _, k := range cands {
		lx, ly := x+k.dx, y+k.dy
		left := lx
		if k.anchor == "end" {
			left = lx - w
		}
		b := box{left, ly - labelH + 3, w, labelH}
		if b.X < c.Left || b.X+b.W > c.Width || b.Y < 0 || b.Y+b.H > c.Bottom {
			continue
		}
		free := true
		for _, p := range placed {
			if b.overlaps(p) {
				free = false
				break
			}
		}
		if free {
			return round1(lx), round1(ly), k.anchor
		}
	}
	return round1(x + 8), round1(y + 4), "start"
}

// scale maps data values to positions on an axis with "nice" ticks.
type scale struct {
	lo, hi   float64 // data range, widened to whole ticks
	from, to float64 // positions of lo and hi
	ticks    []float64
}

// newScale returns a scale over [lo, hi] mapped onto [from, to], widened to
// whole multiples of a nice tick step.
func newScale(lo, hi, from, to float64) *scale {
	return newScaleN(lo, hi, from, to, 5)
}

// newScaleN is newScale with about n tick intervals.
func newScaleN(lo, hi, from, to float64, n int) *scale {
	if hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	step := niceStep((hi - lo) / float64(n))
	s := &scale{from: from, to: to}
	s.lo = math.Floor(lo/step) * step
	s.hi = math.Ceil(hi/step) * step
	for t := s.lo; t <= s.hi+step/2; t += step {
		v := math.Round(t/step) * step
		if math.Abs(v) < step/1e6 {
			v = 0
		}
		s.ticks = append(s.ticks, roundTo(v, step))
	}
	return s
}

// pos returns the position of v.
func (s *scale) pos(v float64) float64 {
	return s.from + (v-s.lo)/(s.hi-s.lo)*(s.to-s.from)
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if !(x > 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// roundTo rounds v to the decimals that step needs, so that ticks print
// as 0.2, not 0.20000000000000004.
func roundTo(v, step float64) float64 {
	d := math.Max(0, -math.Floor(math.Log10(step)))
	f := math.Pow(10, d)
	return math.Round(v*f) / f
}

// round1 rounds a coordinate to one decimal.
func round1(x float64) float64 { return math.Round(x*10) / 10 }

// bounded reports whether an interval of positive values (a time ratio,
// or a time) has both ends: too few pairs leave it unbounded, with a lower
// end of exp(−∞) = 0 or −∞ and an upper end of +∞.
func bounded(r result.Ratio) bool {
	return r.Lo > 0 && finite(r.Lo) && finite(r.Hi)
}

// drawn returns the values a chart must have room for: the centre when it
// is finite, and the ends of a bounded interval.
func drawn(r result.Ratio) []float64 {
	var out []float64
	if usable(r.Center) {
		out = append(out, r.Center)
	}
	if bounded(r) {
		out = append(out, r.Lo, r.Hi)
	}
	return out
}
