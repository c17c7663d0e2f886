package service

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is USER_HZ, the unit of CPU times in /proc/PID/stat: 100 on
// every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// Exec is the Starter that starts real processes: each in a new process
// group (so that stopping it reaches its children), killed if gotune dies
// (Pdeathsig), its output copied to the spec's Output.
type Exec struct{}

// Start implements Starter.
func (Exec) Start(spec ProcessSpec) (Process, error) {
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Dir = spec.Dir
	cmd.Env = spec.Env
	cmd.Stdout = spec.Output
	cmd.Stderr = spec.Output
	// Bounds Wait when a process that escaped the group keeps the output
	// pipe open.
	cmd.WaitDelay = 2 * time.Second
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Pdeathsig fires when the thread that started the process exits, not
	// the process: start and wait on one locked thread, which the runtime
	// cannot retire while the server runs.
	started := make(chan error, 1)
	p := &execProcess{cmd: cmd, done: make(chan struct{})}
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		p.pid = cmd.Process.Pid
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("starting the server %s: %v", spec.Path, err)
	}
	return p, nil
}

type execProcess struct {
	cmd  *exec.Cmd
	pid  int
	done chan struct{}
	err  error
}

func (p *execProcess) PID() int              { return p.pid }
func (p *execProcess) Done() <-chan struct{} { return p.done }
func (p *execProcess) ExitErr() error        { return p.err }

func (p *execProcess) Signal(sig syscall.Signal) error {
	err := syscall.Kill(-p.pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil // the whole group is gone already
	}
	return err
}

func (p *execProcess) Usage() (Usage, error) { return groupUsage(p.pid) }

func (p *execProcess) Alive() []int { return GroupAlive(p.pid) }

// procStat is what gotune reads of /proc/PID/stat.
type procStat struct {
	state byte
	pgrp  int
	ticks int64 // utime + stime + cutime + cstime
}

// readStat parses /proc/PID/stat; the command name may hold spaces and
// parentheses, so fields are counted from the last ')'.
func readStat(pid int) (procStat, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state); utime..cstime are fields 14..17.
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	s := procStat{state: f[0][0]}
	if s.pgrp, err = strconv.Atoi(f[2]); err != nil {
		return procStat{}, fmt.Errorf("/proc/%d/stat: pgrp: %v", pid, err)
	}
	for _, x := range f[11:15] {
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return procStat{}, fmt.Errorf("/proc/%d/stat: cpu time: %v", pid, err)
		}
		s.ticks += n
	}
	return s, nil
}

// groupMembers lists the PIDs of process group pgid with their stat.
func groupMembers(pgid int) map[int]procStat {
	members := map[int]procStat{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return members
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, err := readStat(pid); err == nil && s.pgrp == pgid {
			members[pid] = s
		}
	}
	return members
}

// GroupAlive lists the processes of group pgid that still run. Zombies do
// not count: they hold no resources, and where the init process does not
// reap orphans (some containers) they stay until the machine restarts.
func GroupAlive(pgid int) []int {
	var pids []int
	for pid, s := range groupMembers(pgid) {
		if s.state != 'Z' && s.state != 'X' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// groupUsage reads the CPU time of every process of group pgid and the
// peak RSS of its leader.
func groupUsage(pgid int) (Usage, error) {
	var u Usage
	members := groupMembers(pgid)
	if _, ok := members[pgid]; !ok {
		return u, fmt.Errorf("reading the server's CPU time: process %d is gone", pgid)
	}
	var ticks int64
	run, runOK := time.Duration(0), true
	for pid, s := range members {
		ticks += s.ticks
		r, err := runTime(pid)
		if err != nil {
			runOK = false
		}
		run += r
	}
	u.CPU = time.Duration(ticks) * clockTick
	if runOK {
		u.RunTime = run
	}
	hwm, err := peakRSS(pgid)
	if err != nil {
		return u, err
	}
	u.PeakRSS = hwm
	return u, nil
}

// runTime sums the run time of pid's live threads from
// /proc/PID/task/TID/schedstat (its first field, in nanoseconds).
func runTime(pid int) (time.Duration, error) {
	dirs, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(dirs) == 0 {
		return 0, fmt.Errorf("no schedstat for %d", pid)
	}
	var sum int64
	for _, p := range dirs {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // the thread exited meanwhile
		}
		f := strings.Fields(string(data))
		if len(f) == 0 {
			return 0, fmt.Errorf("%s: empty", p)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", p, err)
		}
		sum += n
	}
	return time.Duration(sum), nil
}

// peakRSS reads VmHWM from /proc/PID/status, in bytes.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("reading the server's peak RSS: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		fs := strings.Fields(rest) // "1234 kB"
		if len(fs) != 2 || fs[1] != "kB" {
			return 0, fmt.Errorf("/proc/%d/status: VmHWM %q", pid, rest)
		}
		kb, err := strconv.ParseInt(fs[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/status: VmHWM: %v", pid, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM (a zombie?)", pid)
}
