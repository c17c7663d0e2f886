package service

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// MaxSendLag is how late the median request may leave against the
// constant-rate schedule before a trial says its target rate was not met:
// past it the generator (or the cap on requests in flight) could not keep
// up, and latencies measured from the late sends understate what clients
// would see. The tail of the lag is reported but is no criterion: on a busy
// machine the generator's own wake-ups alone make its p90 and p99 tens of
// milliseconds, while a generator that cannot keep up moves the median.
const MaxSendLag = 10 * time.Millisecond

// maxBodyKept bounds the response body kept per request, for error
// examples; the rest is read and discarded.
const maxBodyKept = 256

// generator drives the load of one trial against one server, phase after
// phase, on one pool of keep-alive connections.
type generator struct {
	base     string // http://127.0.0.1:PORT
	load     Load
	client   *http.Client
	targeter vegeta.Targeter
}

func newGenerator(base string, load Load) (*generator, error) {
	if len(load.Requests) == 0 {
		return nil, fmt.Errorf("service.load.requests: none: resolve the configuration (Config.Resolve) before a trial")
	}
	conns := MaxConcurrency
	if load.MaxConcurrency > 0 {
		conns = load.MaxConcurrency
	}
	g := &generator{base: base, load: load, client: loopbackClient(load.Timeout, conns)}
	tr, err := weightedTargeter(base, load.Requests)
	if err != nil {
		return nil, err
	}
	g.targeter = tr
	return g, nil
}

func (g *generator) close() { g.client.CloseIdleConnections() }

// weightedTargeter returns requests in smooth weighted round-robin order:
// deterministic, with each kind spread evenly, so that no seed is needed
// and every trial sends the same sequence.
func weightedTargeter(base string, reqs []Request) (vegeta.Targeter, error) {
	targets := make([]vegeta.Target, len(reqs))
	weights := make([]int, len(reqs))
	total := 0
	for i, r := range reqs {
		h := http.Header{}
		for k, v := range r.Headers {
			h.Set(k, v)
		}
		targets[i] = vegeta.Target{Method: r.Method, URL: base + r.Path, Header: h}
		if r.Body != "" {
			targets[i].Body = []byte(r.Body)
		}
		if _, err := targets[i].Request(); err != nil {
			return nil, fmt.Errorf("service.load.requests[%d]: %v", i, err)
		}
		weights[i] = max(r.Weight, 1)
		total += weights[i]
	}
	var mu sync.Mutex
	current := make([]int, len(reqs))
	return func(t *vegeta.Target) error {
		mu.Lock()
		best := 0
		for i := range current {
			current[i] += weights[i]
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		mu.Unlock()
		*t = targets[best]
		return nil
	}, nil
}

// phase is what one stretch of load left: the results of every request it
// sent, reduced to what the metrics need.
type phase struct {
	latencies []time.Duration
	sends     []send
	first     time.Time // first request sent
	end       time.Time // last answer received
	errs      errTally
	stopped   string // why the phase ended early, "" if it ran its course
}

type send struct {
	seq uint64
	at  time.Time
}

// run sends load for du (closed loop when the rate is 0) and collects the
// results; it ends early, saying why, when ctx is done, when exited is
// closed (the server died), or after maxReq requests.
func (g *generator) run(ctx context.Context, du time.Duration, exited <-chan struct{}, maxReq int) phase {
	opts := []func(*vegeta.Attacker){
		vegeta.Client(g.client),
		vegeta.MaxBody(maxBodyKept),
		vegeta.KeepAlive(true),
	}
	var pacer vegeta.Pacer
	if g.load.Rate > 0 {
		interval := time.Duration(float64(time.Second) / g.load.Rate)
		pacer = vegeta.ConstantPacer{Freq: 1, Per: interval}
		most := uint64(MaxConcurrency)
		if g.load.MaxConcurrency > 0 {
			most = uint64(g.load.MaxConcurrency)
		}
		opts = append(opts, vegeta.Workers(min(10, most)), vegeta.MaxWorkers(most))
	} else {
		// Closed loop: a fixed set of clients, each sending as soon as its
		// last request answered.
		pacer = vegeta.ConstantPacer{}
		n := uint64(g.load.MaxConcurrency)
		opts = append(opts, vegeta.Workers(n), vegeta.MaxWorkers(n))
	}
	atk := vegeta.NewAttacker(opts...)
	results := atk.Attack(g.targeter, pacer, du, "")

	var ph phase
	var stopOnce sync.Once
	stop := func(why string) {
		stopOnce.Do(func() {
			ph.stopped = why
			atk.Stop()
		})
	}
	watchDone := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			stop("interrupted")
		case <-exited:
			stop("server exited")
		case <-watchDone:
		}
	}()
	for r := range results {
		end := r.End()
		if ph.first.IsZero() || r.Timestamp.Before(ph.first) {
			ph.first = r.Timestamp
		}
		if end.After(ph.end) {
			ph.end = end
		}
		ph.latencies = append(ph.latencies, r.Latency)
		ph.sends = append(ph.sends, send{r.Seq, r.Timestamp})
		ph.errs.add(r, g.base)
		if len(ph.latencies) >= maxReq {
			stop(fmt.Sprintf("reached the bound of %d requests", maxReq))
		}
	}
	close(watchDone)
	stopOnce.Do(func() {}) // a stop after the results closed changes nothing
	return ph
}

// sendStats returns the achieved send rate and the lag of sends behind the
// constant-rate schedule that started with the first one.
func (ph *phase) sendStats(rate float64) (sent float64, lag Lag) {
	n := len(ph.sends)
	if n < 2 {
		return 0, Lag{}
	}
	slices.SortFunc(ph.sends, func(a, b send) int { return a.at.Compare(b.at) })
	span := ph.sends[n-1].at.Sub(ph.sends[0].at)
	if span > 0 {
		sent = float64(n-1) / span.Seconds()
	}
	if rate <= 0 {
		return sent, Lag{}
	}
	t0 := ph.sends[0].at
	lags := make([]time.Duration, n)
	for i, s := range ph.sends {
		due := t0.Add(time.Duration(float64(s.seq) * float64(time.Second) / rate))
		lags[i] = max(s.at.Sub(due), 0)
	}
	return sent, Lag{P50: quantile(lags, 0.50), P90: quantile(lags, 0.90), P99: quantile(lags, 0.99)}
}

// quantile returns the q-quantile of ds by the nearest-rank method (the
// smallest value with at least q of the values at or below it); it sorts
// ds.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	if !slices.IsSorted(ds) {
		slices.Sort(ds)
	}
	rank := int(q*float64(len(ds))+0.999999999) - 1
	return ds[min(max(rank, 0), len(ds)-1)]
}

// errTally counts failed requests by kind and keeps their distinct
// messages.
type errTally struct {
	total, status, timeout, conn int
	msgs                         map[string]int
}

func (e *errTally) add(r *vegeta.Result, base string) {
	var msg string
	switch {
	case r.Error == "" && r.Code >= 200 && r.Code < 300:
		return
	case r.Code != 0:
		e.status++
		msg = fmt.Sprintf("%s %s: HTTP %d %s", r.Method, strings.TrimPrefix(r.URL, base), r.Code, http.StatusText(int(r.Code)))
		if b := oneLine(strings.ToValidUTF8(string(r.Body), "")); b != "" {
			if len(b) > 80 {
				b = strings.ToValidUTF8(b[:80], "") + "…"
			}
			msg += ": " + b
		}
	case isTimeout(r.Error):
		e.timeout++
		msg = strings.ReplaceAll(r.Error, base, "")
	default:
		e.conn++
		msg = strings.ReplaceAll(r.Error, base, "")
	}
	e.total++
	if e.msgs == nil {
		e.msgs = map[string]int{}
	}
	if len(e.msgs) < 100 || e.msgs[msg] > 0 {
		e.msgs[msg]++
	}
}

func isTimeout(s string) bool {
	return strings.Contains(s, "Client.Timeout") || strings.Contains(s, "deadline exceeded") || strings.Contains(s, "timeout")
}

// examples returns up to n messages, most frequent first, each with its
// count.
func (e *errTally) examples(n int) []string {
	type mc struct {
		msg string
		n   int
	}
	var all []mc
	for m, c := range e.msgs {
		all = append(all, mc{m, c})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].msg < all[j].msg
	})
	var out []string
	for _, x := range all[:min(n, len(all))] {
		out = append(out, fmt.Sprintf("%d× %s", x.n, x.msg))
	}
	return out
}
