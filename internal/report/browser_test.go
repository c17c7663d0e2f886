package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gotune/gotune/internal/axis"
	"github.com/gotune/gotune/internal/result"
)

// browserNames are the headless browsers the browser test tries, in order;
// $GOTUNE_CHROMIUM overrides them.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"}

// findBrowser returns the path of a Chromium-family browser, or skips the
// test with what to install.
func findBrowser(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("GOTUNE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skipf("no headless browser found (tried %s): the HTML report was not checked in a browser; install one with 'apt-get install -y chromium' (.ci/run does) or set GOTUNE_CHROMIUM", strings.Join(browserNames, ", "))
	return ""
}

// browse runs the browser headless on a local page, in a window width
// pixels wide, with extra arguments, and returns its standard output.
func browse(t *testing.T, browser, page string, width int, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	argv := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(),
		"--force-device-scale-factor=1", fmt.Sprintf("--window-size=%d,2400", width),
	}, args...)
	argv = append(argv, "file://"+page)
	cmd := exec.CommandContext(ctx, browser, argv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, tail(stderr.String(), 2000))
	}
	return out
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// probeScript measures the rendered page from inside the browser and
// writes what it found as JSON into <pre id="probe">. It is added to a copy
// of the report for the test only: the report itself has no script.
const probeScript = `<pre id="probe"></pre>
<script>
(function () {
  function box(el) { const r = el.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; }
  const facts = {width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth};
  const g = document.getElementById('overall-chart');
  if (g) {
    facts.overall = box(g);
    facts.bars = Array.from(g.querySelectorAll('rect.bar')).map(function (r) {
      const b = box(r);
      const zero = box(r.ownerSVGElement.querySelector('line.zero'));
      return {cls: r.getAttribute('class'), name: r.querySelector('title').textContent, x: b.x, w: b.w, h: b.h, zeroX: zero.x + zero.w / 2};
    });
    facts.whiskers = g.querySelectorAll('line.whisker').length;
  }
  facts.body = box(document.body);
  facts.smallCharts = Array.from(document.querySelectorAll('#benchmark-charts .bench-chart')).filter(function (s) { return box(s).w > 0; }).length;
  facts.smallBars = Array.from(document.querySelectorAll('#benchmark-charts rect.bar')).filter(function (c) { return box(c).w > 0; }).length;
  const s = document.getElementById('size-chart');
  if (s) {
    facts.scatter = box(s);
    facts.points = Array.from(s.querySelectorAll('circle.pt')).filter(function (c) { return box(c).w > 0; }).length;
  }
  facts.rows = document.querySelectorAll('#ranking tbody tr').length;
  facts.benchRows = document.querySelectorAll('#benchmarks tbody tr').length;
  // Every label of every chart, by chart: no two may intersect.
  facts.overlaps = [];
  facts.labels = 0;
  const charts = Array.from(document.querySelectorAll('#overall-chart, #benchmark-charts .bench-chart, #size-chart, #colours, #variant-keys'));
  charts.forEach(function (chart) {
    const els = Array.from(chart.querySelectorAll('text, .fname, .flabel, .ctitle, li')).filter(function (e) { return e.textContent.trim() !== ''; });
    const boxes = els.map(function (e) { const own = e.firstChild && e.firstChild.nodeType === 3 ? e.firstChild.nodeValue : e.textContent; return {t: own.trim().slice(0, 40), b: box(e)}; }).filter(function (x) { return x.b.w > 0 && x.b.h > 0; });
    facts.labels += boxes.length;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].b, b = boxes[j].b, e = 0.5;
        if (a.x + e < b.x + b.w - e && b.x + e < a.x + a.w - e && a.y + e < b.y + b.h - e && b.y + e < a.y + a.h - e) {
          facts.overlaps.push((chart.id || chart.className) + ': "' + boxes[i].t + '" and "' + boxes[j].t + '"');
        }
      }
    }
  });
  // A token (a name up to a comma, a setting) never breaks over lines.
  facts.tokens = 0;
  facts.broken = [];
  document.querySelectorAll('.tok').forEach(function (t) {
    if (box(t).w === 0) { return; }
    facts.tokens++;
    if (t.getClientRects().length > 1) { facts.broken.push(t.textContent); }
  });
  // Each colour of the legend is distinct.
  facts.colours = Array.from(document.querySelectorAll('#colours .key')).map(function (k) { return k.className + ' ' + getComputedStyle(k).backgroundColor; });
  document.getElementById('probe').textContent = JSON.stringify(facts);
})();
</script>
`

// rect is a box in CSS pixels.
type rect struct{ X, Y, W, H float64 }

// probeFacts is what probeScript reports.
type probeFacts struct {
	Width, ScrollWidth float64
	Overall, Body      rect
	Bars               []struct {
		Cls, Name string
		X, W, H   float64
		ZeroX     float64 `json:"zeroX"`
	}
	Whiskers    int
	SmallCharts int
	SmallBars   int
	Scatter     rect
	Points      int
	Rows        int
	BenchRows   int
	Labels      int
	Overlaps    []string
	Tokens      int
	Broken      []string
	Colours     []string
}

// browserRun returns the run the browser test renders: a winner that goes
// right, a regression that goes left, and a same-code twin of the
// baseline (a point of the scatter plot at 0%, but no bar).
func browserRun() *result.Run {
	return regressionLike(map[string]truth{
		"goamd64=v3":    {time: map[string]float64{"": -0.4}},
		"gcflags=-N -l": {time: map[string]float64{"BenchmarkQuote/small": 2.16, "BenchmarkQuote/large": 1.10, "BenchmarkParse": 0.004}},
	})
}

// TestHTMLInBrowser loads the HTML report in headless Chromium at 1400
// and 800 pixels wide and checks the rendered layout from inside the
// page: the overall chart spans the page, the slower variant's bar goes
// left from the zero line and the winner's right, the per-benchmark
// charts and table, the scatter points; no two labels of a chart (tick
// labels, names, values, legend entries) intersect; no name or setting
// breaks inside a token; the page does not scroll sideways; the legend's
// colours are distinct. Then it checks a screenshot for the bars' colours
// inside the chart's box.
func TestHTMLInBrowser(t *testing.T) {
	browser := findBrowser(t)
	dir := t.TempDir()
	run := browserRun()
	// A long name, to be wrapped at its commas only.
	renameVariant(run, "goamd64=v3", "goamd64=v3,pgo=auto,gcflags=all=-d=pgoinlinebudget=160")
	run.Variants[1].Settings = run.Variants[1].Settings.With(axis.GCFlags, "all=-d=pgoinlinebudget=160")
	var page bytes.Buffer
	if err := HTML(&page, run); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.html")
	if err := os.WriteFile(report, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(dir, "probe.html")
	probed := strings.Replace(page.String(), "</body>", probeScript+"</body>", 1)
	if err := os.WriteFile(probe, []byte(probed), 0o644); err != nil {
		t.Fatal(err)
	}

	var wide probeFacts
	for _, width := range []int{1400, 800} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			dom := browse(t, browser, probe, width, "--dump-dom", "--virtual-time-budget=2000")
			m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindSubmatch(dom)
			if m == nil || len(bytes.TrimSpace(m[1])) == 0 {
				t.Fatalf("the probe found nothing in the rendered page:\n%s", tail(string(dom), 2000))
			}
			var f probeFacts
			if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &f); err != nil {
				t.Fatalf("probe output %q: %v", m[1], err)
			}
			if width == 1400 {
				wide = f
			}
			t.Logf("rendered at %gpx: overall chart %+v in a body of %+v, bars %+v, %d whiskers, %d small charts with %d bars, scatter %+v with %d points, %d table rows, %d benchmark rows, %d labels, %d tokens, colours %v",
				f.Width, f.Overall, f.Body, f.Bars, f.Whiskers, f.SmallCharts, f.SmallBars, f.Scatter, f.Points, f.Rows, f.BenchRows, f.Labels, f.Tokens, f.Colours)

			if f.Overall.W < 0.9*f.Body.W || f.Overall.H < 40 {
				t.Errorf("the overall chart renders %gx%g in a body %g wide, want the page's width", f.Overall.W, f.Overall.H, f.Body.W)
			}
			if f.ScrollWidth > f.Width+1 {
				t.Errorf("the page is %gpx wide in a %gpx window: it scrolls sideways", f.ScrollWidth, f.Width)
			}
			if len(f.Bars) != 2 || f.Whiskers != 6 {
				t.Fatalf("%d bars and %d whisker lines rendered, want 2 bars with 3 lines each", len(f.Bars), f.Whiskers)
			}
			for _, b := range f.Bars {
				switch {
				case b.W < 3 || b.H < 3:
					t.Errorf("bar %s renders %gx%g, want a visible bar", b.Name, b.W, b.H)
				case strings.Contains(b.Cls, "winner") && b.X < b.ZeroX-1:
					t.Errorf("the winner's bar (%s) spans x %g..%g, want it right of the zero line at %g", b.Name, b.X, b.X+b.W, b.ZeroX)
				case strings.Contains(b.Cls, "slower") && b.X+b.W > b.ZeroX+1:
					t.Errorf("the slower bar (%s) spans x %g..%g, want it left of the zero line at %g", b.Name, b.X, b.X+b.W, b.ZeroX)
				}
			}
			if f.SmallCharts != 3 || f.SmallBars != 6 {
				t.Errorf("%d small charts with %d bars rendered, want 3 charts of 2 bars", f.SmallCharts, f.SmallBars)
			}
			if f.Points != 4 || f.Scatter.W < 100 {
				t.Errorf("scatter renders %gx%g with %d points, want 4 points", f.Scatter.W, f.Scatter.H, f.Points)
			}
			if f.Rows != 4 || f.BenchRows != 3 {
				t.Errorf("%d ranked rows and %d benchmark rows, want 4 and 3", f.Rows, f.BenchRows)
			}
			if f.Labels < 30 {
				t.Errorf("only %d chart labels measured, want every tick, name and value", f.Labels)
			}
			for _, o := range f.Overlaps {
				t.Errorf("labels overlap: %s", o)
			}
			if f.Tokens < 10 {
				t.Errorf("only %d name and setting tokens measured", f.Tokens)
			}
			for _, b := range f.Broken {
				t.Errorf("token %q breaks over two lines", b)
			}
			seen := map[string]string{}
			for _, c := range f.Colours {
				class, colour, _ := strings.Cut(c, " rgb")
				if other, ok := seen[colour]; ok {
					t.Errorf("legend colours %s and %s are the same: rgb%s", other, class, colour)
				}
				seen[colour] = class
			}
			if len(f.Colours) < 4 {
				t.Errorf("the legend has %d colours, want winner, same or unclear, slower and baseline", len(f.Colours))
			}
		})
	}
	if wide.Overall.W == 0 {
		t.Fatal("no layout at 1400px")
	}

	// The screenshot: the bars' colours must be painted inside the chart.
	shot := filepath.Join(dir, "shot.png")
	browse(t, browser, report, 1400, "--screenshot="+shot)
	img := readPNG(t, shot)
	f := wide
	box := image.Rect(int(f.Overall.X), int(f.Overall.Y), int(f.Overall.X+f.Overall.W), int(f.Overall.Y+f.Overall.H))
	for _, c := range []struct {
		name    string
		r, g, b uint8
	}{
		{"winner green", 0x00, 0x66, 0x4a},
		{"slower vermillion", 0xd5, 0x5e, 0x00},
	} {
		n := countColour(img, box, c.r, c.g, c.b)
		t.Logf("%d pixels of %s in the overall chart at %v", n, c.name, box)
		if n < 100 {
			t.Errorf("the screenshot has %d pixels of %s in the overall chart at %v, want a painted bar", n, c.name, box)
		}
	}
}

// readPNG decodes a PNG file.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return img
}

// countColour counts the pixels inside box within a small distance of the
// colour (r, g, b).
func countColour(img image.Image, box image.Rectangle, r, g, b uint8) int {
	near := func(a uint32, want uint8) bool {
		d := int(a>>8) - int(want)
		return d >= -6 && d <= 6
	}
	n := 0
	box = box.Intersect(img.Bounds())
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if near(pr, r) && near(pg, g) && near(pb, b) {
				n++
			}
		}
	}
	return n
}
