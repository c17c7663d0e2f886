// Package progress shows how far a gotune run is, on stderr, beside every
// stage of the pipeline: a bar of builds done of total, and a bar of the
// measuring time spent of the budget with the cycle and the trials run,
// drawn with github.com/vbauerster/mpb/v8.
// Bars are drawn only when the output is a terminal; elsewhere (a pipe, a
// CI log, a test) the run's log lines are written as they come, and with
// Quiet nothing is written but notices.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Options configure New.
type Options struct {
	Quiet bool // no bars and no log lines; notices still show
	// ForceTTY draws bars whatever the output is (for tests).
	ForceTTY bool
}

// Progress is the progress display of one run. Its methods are safe for
// concurrent use, and a nil *Progress shows nothing.
type Progress struct {
	out   io.Writer
	quiet bool

	// mu guards the bars; smu guards state, which the bars' decorators
	// read while mpb draws. Bar methods wait for mpb, and mpb waits for
	// the decorators: smu is never held while calling a bar method.
	mu      sync.Mutex
	smu     sync.Mutex
	p       *mpb.Progress // nil without bars
	refresh chan any      // frame requests to mpb
	stop    chan struct{} // closed by Close: no more ticks
	ticked  chan struct{} // closed when the ticker has stopped
	builds  *mpb.Bar
	trials  *mpb.Bar
	state   trialState
}

// trialState is what the measuring bar shows.
type trialState struct {
	stage           string
	cycle, trials   int
	elapsed, budget time.Duration
}

// New returns the progress display writing to w.
func New(w io.Writer, opts Options) *Progress {
	if w == nil {
		w = io.Discard
	}
	pr := &Progress{out: w, quiet: opts.Quiet}
	if opts.Quiet || !(opts.ForceTTY || IsTerminal(w)) {
		return pr
	}
	// Refreshes are driven from here rather than by mpb's own ticker, so
	// that Close can draw a last frame: without it the lines written since
	// the last tick (such as how to continue an interrupted run) are lost.
	pr.refresh = make(chan any)
	pr.stop = make(chan struct{})
	pr.ticked = make(chan struct{})
	copts := []mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithManualRefresh(pr.refresh)}
	if opts.ForceTTY {
		copts = append(copts, mpb.ForceTTY())
	}
	pr.p = mpb.New(copts...)
	go pr.tick(refreshEvery)
	return pr
}

// refreshEvery is the time between two frames.
const refreshEvery = 200 * time.Millisecond

// tick asks for a frame every d until Close.
func (pr *Progress) tick(d time.Duration) {
	defer close(pr.ticked)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			select {
			case pr.refresh <- now:
			case <-pr.stop:
				return
			}
		case <-pr.stop:
			return
		}
	}
}

// Bars reports whether bars are drawn.
func (pr *Progress) Bars() bool {
	return pr != nil && pr.p != nil
}

// Log returns the writer for the run's log lines: above the bars on a
// terminal, straight to the output otherwise, nowhere when quiet.
func (pr *Progress) Log() io.Writer {
	switch {
	case pr == nil || pr.quiet:
		return io.Discard
	case pr.p != nil:
		return pr.p
	}
	return pr.out
}

// Notice returns the writer for what must be seen even when quiet, such
// as how to continue an interrupted run.
func (pr *Progress) Notice() io.Writer {
	switch {
	case pr == nil:
		return io.Discard
	case pr.p != nil:
		return pr.p
	}
	return pr.out
}

// Builds sets the builds bar: done of total.
func (pr *Progress) Builds(done, total int) {
	if !pr.Bars() {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.builds == nil || pr.builds.Completed() {
		pr.builds = pr.p.AddBar(int64(total),
			mpb.PrependDecorators(decor.Name("builds", decor.WC{W: 8, C: decor.DindentRight}), decor.CountersNoUnit("%d/%d", decor.WC{W: 8})),
			mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)),
			mpb.BarPriority(0))
	}
	pr.builds.SetTotal(int64(total), false)
	pr.builds.SetCurrent(int64(done))
	if done >= total {
		pr.builds.SetTotal(int64(total), true)
	}
}

// Measure updates the measuring bar of a stage: the cycle running, the
// trials done (replayed ones included), and the time measured of the
// budget. The run may stop before the budget: once every variant is
// decided.
func (pr *Progress) Measure(stage string, cycle, trials int, elapsed, budget time.Duration) {
	if !pr.Bars() {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	total := max(budget.Milliseconds(), 1)
	if pr.trials == nil || pr.state.stage != stage {
		if pr.trials != nil && !pr.trials.Completed() {
			pr.trials.SetTotal(-1, true)
		}
		pr.smu.Lock()
		pr.state = trialState{stage: stage}
		pr.smu.Unlock()
		pr.trials = pr.p.AddBar(total,
			mpb.PrependDecorators(decor.Any(pr.cycleDecor, decor.WC{W: 28, C: decor.DindentRight})),
			mpb.AppendDecorators(decor.Any(pr.leftDecor)),
			mpb.BarPriority(1))
	}
	pr.smu.Lock()
	pr.state.cycle, pr.state.trials, pr.state.elapsed, pr.state.budget = cycle, trials, elapsed, budget
	pr.smu.Unlock()
	pr.trials.SetTotal(total, false)
	pr.trials.SetCurrent(min(elapsed.Milliseconds(), total))
}

// StageDone completes the trials bar of the current stage.
func (pr *Progress) StageDone() {
	if !pr.Bars() {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.trials != nil && !pr.trials.Completed() {
		pr.trials.SetTotal(-1, true)
	}
}

func (pr *Progress) cycleDecor(decor.Statistics) string {
	pr.smu.Lock()
	defer pr.smu.Unlock()
	return fmt.Sprintf("%s cycle %d, %d trials", pr.state.stage, pr.state.cycle, pr.state.trials)
}

func (pr *Progress) leftDecor(st decor.Statistics) string {
	pr.smu.Lock()
	defer pr.smu.Unlock()
	if st.Completed {
		return "done"
	}
	return Left(pr.state.elapsed, pr.state.budget)
}

// Left says how much of the budget is left: the most the stage can take.
func Left(elapsed, budget time.Duration) string {
	return "at most " + max(budget-elapsed, 0).Round(time.Second).String() + " left"
}

// Close stops drawing: bars still running are left as they are, and the
// log lines written above them are flushed.
func (pr *Progress) Close() {
	if !pr.Bars() {
		return
	}
	pr.mu.Lock()
	for _, b := range []*mpb.Bar{pr.builds, pr.trials} {
		if b != nil && !b.Completed() {
			b.Abort(false)
		}
	}
	pr.mu.Unlock()
	close(pr.stop)
	<-pr.ticked
	pr.refresh <- time.Now() // the last frame, with every line written so far
	pr.p.Wait()
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(int(f.Fd()))
}
