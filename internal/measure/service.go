package measure

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/result"
	"github.com/gotune/gotune/internal/service"
)

// serviceTrial runs one trial of a server under load (service mode): the
// server binary of u is started, warmed up, measured and stopped by
// service.RunTrial, and its metrics become one result line in the Go
// benchmark format (BenchmarkService 1 … req/s … cpu-sec/kreq …), so that
// the raw file, the journal and the statistics treat it as any trial.
// What made the trial less than clean (the rate not met, failed requests,
// SIGTERM ignored) goes to its stderr as "warning:" lines. False when ctx
// ended it.
func (st *state) serviceTrial(ctx context.Context, u Unit, b result.Benchmark, cycle int) (Record, bool) {
	runCtx := ctx
	if st.opts.Kill != nil {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		stop := context.AfterFunc(st.opts.Kill, cancel)
		defer stop()
	}
	start := time.Now()
	m, err := service.RunTrial(runCtx, service.TrialOptions{
		Config: *st.opts.Service, Binary: u.Binary, Dir: u.Dir, Env: append(os.Environ(), u.Env...),
	})
	if err != nil && (ctx.Err() != nil || runCtx.Err() != nil) {
		return Record{}, false
	}
	rec := Record{Cycle: cycle, Block: st.block, Variant: u.Variant, Package: u.Package, Benchmark: b.Name,
		Seconds: time.Since(start).Seconds(), CPU: m.CPU.Seconds()}
	if err != nil {
		rec.Error = err.Error()
		return rec, true
	}
	rec.Stdout = ServiceLine(b.Name, m)
	var w strings.Builder
	for _, x := range ServiceWarnings(m) {
		fmt.Fprintf(&w, "warning: %s\n", x)
	}
	rec.Stderr = w.String()
	return rec, true
}

// ServiceLine returns a trial's metrics as one result line of the Go
// benchmark format, named name, with one iteration. The error rate is left
// out: it is mostly 0, which no ratio can compare, and failed requests are
// warnings instead (ServiceWarnings).
func ServiceLine(name string, m service.Metrics) string {
	var b strings.Builder
	b.WriteString(name + " \t       1")
	for _, s := range m.Samples() {
		if s.Unit == service.UnitErrors {
			continue
		}
		b.WriteString("\t" + strconv.FormatFloat(s.Value, 'g', 8, 64) + " " + s.Unit)
	}
	b.WriteString("\n")
	return b.String()
}

// ServiceWarnings are the trial's warnings and, when requests failed, a
// line with their rate and the commonest errors.
func ServiceWarnings(m service.Metrics) []string {
	ws := append([]string(nil), m.Warnings...)
	if e := m.Errors; e.Total > 0 {
		w := fmt.Sprintf("requests failed: %d of %d (%.3g%%; status %d, timeout %d, connection %d)", e.Total, m.Requests, 100*m.ErrorRate, e.Status, e.Timeout, e.Connection)
		if len(e.Examples) > 0 {
			w += ", e.g. " + e.Examples[0]
		}
		ws = append(ws, w)
	}
	return ws
}

// serviceWarn adds a service trial's warning for variant, once per
// variant and kind (the text before its first colon), counting the trials
// it came from.
func (st *state) serviceWarn(variant, w string) {
	kind, _, _ := strings.Cut(w, ":")
	key := variant + "\x00" + kind
	if st.svcWarn == nil {
		st.svcWarn = map[string]*svcWarning{}
	}
	x := st.svcWarn[key]
	if x == nil {
		x = &svcWarning{index: len(st.out.Warnings), text: variant + ": " + w}
		st.svcWarn[key] = x
		st.out.Warnings = append(st.out.Warnings, "")
	}
	x.n++
	st.out.Warnings[x.index] = x.text
	if x.n > 1 {
		st.out.Warnings[x.index] = fmt.Sprintf("%s (in %d trials; the first shown)", x.text, x.n)
	}
}

type svcWarning struct {
	index, n int
	text     string
}

// serviceTrialWarnings returns the "warning:" lines of a service trial's
// stderr.
func serviceTrialWarnings(stderr string) []string {
	var ws []string
	for _, l := range strings.Split(stderr, "\n") {
		if w, ok := strings.CutPrefix(l, "warning: "); ok {
			ws = append(ws, w)
		}
	}
	return ws
}

// ProfileServer runs a trial of the server binary bin (started in dir with
// env) under cfg's load and fetches a CPU profile of seconds from it into
// out, for pgo=collect in service mode (service.CollectProfile).
func ProfileServer(ctx context.Context, cfg service.Config, bin, dir string, env []string, out string, seconds int) (service.ProfileResult, error) {
	return service.CollectProfile(ctx, service.TrialOptions{Config: cfg, Binary: bin, Dir: dir, Env: env}, service.ProfileOptions{Seconds: seconds, Out: out})
}
