package measure

import (
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gotune/gotune/internal/result"
)

// Machine reads how busy the machine is.
type Machine interface {
	// Read returns the machine's cumulative CPU time counters now.
	Read() (CPUTimes, error)
}

// CPUTimes are cumulative CPU times summed over every CPU, and the load
// average.
type CPUTimes struct {
	Busy  time.Duration // user, nice, system, irq, softirq
	Steal time.Duration
	Total time.Duration // everything, idle included
	Load1 float64
}

// Proc reads /proc/stat and /proc/loadavg (Linux).
type Proc struct{}

// Read implements Machine.
func (Proc) Read() (CPUTimes, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPUTimes{}, err
	}
	var t CPUTimes
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return CPUTimes{}, os.ErrInvalid
	}
	tick := func(i int) time.Duration {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		return time.Duration(n) * 10 * time.Millisecond // USER_HZ is 100 on Linux
	}
	// user nice system idle iowait irq softirq steal
	t.Busy = tick(1) + tick(2) + tick(3) + tick(6) + tick(7)
	t.Steal = tick(8)
	t.Total = t.Busy + tick(4) + tick(5) + t.Steal
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		if g := strings.Fields(string(la)); len(g) > 0 {
			t.Load1, _ = strconv.ParseFloat(g[0], 64)
		}
	}
	return t, nil
}

// busyShare is the share of the machine above which other processes
// disturb a block: a quarter of its CPUs.
const busyShare = 0.25

// meter measures how busy the machine was during one block.
type meter struct {
	m      Machine
	before CPUTimes
	ok     bool
}

// startMeter waits, with QuietWait, for a calmer machine, then reads the
// counters at the start of a block.
func (st *state) startMeter(ctx context.Context, blk *result.Block) *meter {
	m := st.opts.Machine
	blk.Started = time.Now().UTC()
	if m == nil {
		return &meter{}
	}
	var waited time.Duration
	if st.opts.QuietWait > 0 {
		deadline := time.Now().Add(st.opts.QuietWait)
		for time.Now().Before(deadline) && ctx.Err() == nil {
			a, err := m.Read()
			if err != nil {
				break
			}
			time.Sleep(250 * time.Millisecond)
			b, err := m.Read()
			if err != nil || b.Total <= a.Total || float64(b.Busy-a.Busy)/float64(b.Total-a.Total) < busyShare {
				break
			}
			waited = time.Since(deadline.Add(-st.opts.QuietWait))
		}
	}
	before, err := m.Read()
	blk.Started = time.Now().UTC()
	if err != nil {
		return &meter{}
	}
	blk.Load = &result.Load{Load1: before.Load1, Waited: waited.Seconds()}
	return &meter{m: m, before: before, ok: true}
}

// finish records the block's length and, with a machine, the share of
// the CPU that processes other than the block's trials used.
func (mt *meter) finish(blk *result.Block, trials map[string]Record) {
	blk.Seconds = time.Since(blk.Started).Seconds()
	if !mt.ok {
		return
	}
	after, err := mt.m.Read()
	total := after.Total - mt.before.Total
	if err != nil || total <= 0 {
		return
	}
	var own float64
	for _, r := range trials {
		own += r.CPU
	}
	others := (after.Busy - mt.before.Busy).Seconds() - own
	blk.Load.Others = max(0, others/total.Seconds())
	blk.Load.Steal = (after.Steal - mt.before.Steal).Seconds() / total.Seconds()
}
