// Package progress shows how far a gotune run is, on stderr, beside every
// stage of the pipeline: a bar of builds done of total, and a bar of trials
// with the round and the time left, drawn with github.com/vbauerster/mpb/v8.
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

// trialState is what the trials bar shows.
type trialState struct {
	stage             string
	round, lastRound  int
	done, total, live int
	liveTime          time.Duration
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

// Trials updates the trials bar of a stage: the round, trials done of
// total (replayed ones included), and the time left, estimated from the
// trials run live (dur is the time of the trial that just finished, 0 for
// a replayed one or a trial that is starting).
func (pr *Progress) Trials(stage string, round, lastRound, done, total int, dur time.Duration) {
	if !pr.Bars() {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.trials == nil || pr.state.stage != stage {
		if pr.trials != nil && !pr.trials.Completed() {
			pr.trials.SetTotal(-1, true)
		}
		pr.smu.Lock()
		pr.state = trialState{stage: stage}
		pr.smu.Unlock()
		pr.trials = pr.p.AddBar(int64(max(total, 1)),
			mpb.PrependDecorators(decor.Any(pr.roundDecor, decor.WC{W: 22, C: decor.DindentRight}), decor.CountersNoUnit("%d/%d trials", decor.WC{W: 14})),
			mpb.AppendDecorators(decor.Any(pr.etaDecor)),
			mpb.BarPriority(1))
	}
	pr.smu.Lock()
	s := &pr.state
	s.round, s.lastRound, s.done, s.total = round, lastRound, done, total
	if dur > 0 {
		s.live++
		s.liveTime += dur
	}
	pr.smu.Unlock()
	pr.trials.SetTotal(int64(max(total, 1)), false)
	pr.trials.SetCurrent(int64(done))
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

func (pr *Progress) roundDecor(decor.Statistics) string {
	pr.smu.Lock()
	defer pr.smu.Unlock()
	return fmt.Sprintf("%s round %d/%d", pr.state.stage, pr.state.round, pr.state.lastRound)
}

func (pr *Progress) etaDecor(st decor.Statistics) string {
	pr.smu.Lock()
	defer pr.smu.Unlock()
	s := pr.state
	if st.Completed {
		return "done"
	}
	return ETA(s.liveTime, s.live, s.total-s.done)
}

// ETA formats the time left for left more trials, at the average of live
// trials taking liveTime.
func ETA(liveTime time.Duration, live, left int) string {
	if live == 0 {
		return "ETA –"
	}
	return "ETA " + (liveTime / time.Duration(live) * time.Duration(max(left, 0))).Round(time.Second).String()
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
