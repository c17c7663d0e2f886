package report

import (
	"bytes"
	"context"
	"encoding/json"
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

// browse runs the browser headless on a local page with extra arguments
// and returns its standard output.
func browse(t *testing.T, browser, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	argv := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(),
		"--force-device-scale-factor=1", "--window-size=1280,2400",
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
  const facts = {};
  const g = document.getElementById('geomean-chart');
  if (g) {
    facts.geomean = box(g);
    facts.zeroY = box(g.querySelector('line.zero')).y;
    facts.bars = Array.from(g.querySelectorAll('rect.bar')).map(function (r) {
      const b = box(r);
      return {cls: r.getAttribute('class'), name: r.querySelector('title').textContent, y: b.y, h: b.h, w: b.w};
    });
    facts.whiskers = g.querySelectorAll('path.whisker').length;
  }
  facts.smallCharts = Array.from(document.querySelectorAll('#benchmark-charts svg.bench-chart')).filter(function (s) { return box(s).w > 0; }).length;
  facts.dots = Array.from(document.querySelectorAll('#benchmark-charts circle.dot')).filter(function (c) { return box(c).w > 0; }).length;
  const s = document.getElementById('size-chart');
  if (s) {
    facts.scatter = box(s);
    facts.points = Array.from(s.querySelectorAll('circle.pt')).filter(function (c) { return box(c).w > 0; }).length;
  }
  facts.rows = document.querySelectorAll('#ranking tbody tr').length;
  document.getElementById('probe').textContent = JSON.stringify(facts);
})();
</script>
`

// rect is a box in CSS pixels.
type rect struct{ X, Y, W, H float64 }

// probeFacts is what probeScript reports.
type probeFacts struct {
	Geomean rect
	ZeroY   float64
	Bars    []struct {
		Cls, Name string
		Y, H, W   float64
	}
	Whiskers    int
	SmallCharts int
	Dots        int
	Scatter     rect
	Points      int
	Rows        int
}

// browserRun returns the run the browser test renders: a winner that goes
// up, a regression that goes down, and a same-code twin of the baseline
// (a point of the scatter plot at 0%, but no bar).
func browserRun() *result.Run {
	return regressionLike(map[string]truth{
		"goamd64=v3":    {time: map[string]float64{"": -0.4}},
		"gcflags=-N -l": {time: map[string]float64{"BenchmarkQuote/small": 2.16, "BenchmarkQuote/large": 1.10, "BenchmarkParse": 0.004}},
	})
}

// TestHTMLInBrowser loads the HTML report in headless Chromium, checks the
// rendered layout of its charts from inside the page (bars, whiskers,
// small multiples, scatter points, and that the slower variant's bar goes
// down from the zero line while the winner's goes up), and checks a
// screenshot for the bars' colours inside the chart's box.
func TestHTMLInBrowser(t *testing.T) {
	browser := findBrowser(t)
	dir := t.TempDir()
	var page bytes.Buffer
	if err := HTML(&page, browserRun()); err != nil {
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

	dom := browse(t, browser, probe, "--dump-dom", "--virtual-time-budget=2000")
	m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil || len(bytes.TrimSpace(m[1])) == 0 {
		t.Fatalf("the probe found nothing in the rendered page:\n%s", tail(string(dom), 2000))
	}
	var f probeFacts
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &f); err != nil {
		t.Fatalf("probe output %q: %v", m[1], err)
	}
	t.Logf("rendered: geomean chart %+v, zero line at y=%.0f, bars %+v, %d whiskers, %d small charts with %d dots, scatter %+v with %d points, %d table rows",
		f.Geomean, f.ZeroY, f.Bars, f.Whiskers, f.SmallCharts, f.Dots, f.Scatter, f.Points, f.Rows)

	if f.Geomean.W < 100 || f.Geomean.H < 100 {
		t.Errorf("geomean chart renders %gx%g, want a visible chart", f.Geomean.W, f.Geomean.H)
	}
	if len(f.Bars) != 2 || f.Whiskers != 2 {
		t.Fatalf("%d bars and %d whiskers rendered, want 2 of each", len(f.Bars), f.Whiskers)
	}
	for _, b := range f.Bars {
		switch {
		case b.W <= 0 || b.H < 3:
			t.Errorf("bar %s renders %gx%g, want a visible bar", b.Name, b.W, b.H)
		case strings.Contains(b.Cls, "winner") && b.Y+b.H > f.ZeroY+1:
			t.Errorf("the winner's bar (%s) spans y %g..%g, want it above the zero line at %g", b.Name, b.Y, b.Y+b.H, f.ZeroY)
		case strings.Contains(b.Cls, "slower") && b.Y < f.ZeroY-1:
			t.Errorf("the slower bar (%s) spans y %g..%g, want it below the zero line at %g", b.Name, b.Y, b.Y+b.H, f.ZeroY)
		}
	}
	if f.SmallCharts != 3 || f.Dots != 9 {
		t.Errorf("%d small charts with %d dots rendered, want 3 charts of 3 dots", f.SmallCharts, f.Dots)
	}
	if f.Points != 4 || f.Scatter.W < 100 {
		t.Errorf("scatter renders %gx%g with %d points, want 4 points", f.Scatter.W, f.Scatter.H, f.Points)
	}
	if f.Rows != 4 {
		t.Errorf("%d table rows, want 4", f.Rows)
	}

	// The screenshot: the bars' colours must be painted inside the chart.
	shot := filepath.Join(dir, "shot.png")
	browse(t, browser, report, "--screenshot="+shot)
	img := readPNG(t, shot)
	box := image.Rect(int(f.Geomean.X), int(f.Geomean.Y), int(f.Geomean.X+f.Geomean.W), int(f.Geomean.Y+f.Geomean.H))
	for _, c := range []struct {
		name    string
		r, g, b uint8
	}{
		{"winner green", 0x11, 0x63, 0x29},
		{"slower red", 0xcf, 0x22, 0x2e},
	} {
		n := countColour(img, box, c.r, c.g, c.b)
		t.Logf("%d pixels of %s in the geomean chart at %v", n, c.name, box)
		if n < 100 {
			t.Errorf("the screenshot has %d pixels of %s in the geomean chart at %v, want a painted bar", n, c.name, box)
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
