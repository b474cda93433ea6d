package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. The
// kernel fixes it at 100 on every architecture Go runs Linux on (it is not
// CONFIG_HZ), and reading it properly needs sysconf, that is cgo.
const clockTicks = 100

// procSample is one reading of a process's memory and CPU use.
type procSample struct {
	RSSKiB int64 // VmRSS: resident now
	HWMKiB int64 // VmHWM: the peak resident size over the process's life
	// AnonKiB is RssAnon, the resident memory that is the process's own (heap,
	// stacks), without the pages of its binary and libraries, which the
	// page cache shares; 0 where the kernel does not say.
	AnonKiB int64
	CPU     time.Duration // utime + stime
}

// readProc reads /proc/PID/status and /proc/PID/stat.
func readProc(pid int) (procSample, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procSample{}, fmt.Errorf("read server stats: %w", err)
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procSample{}, fmt.Errorf("read server stats: %w", err)
	}
	var s procSample
	if s.RSSKiB, s.HWMKiB, err = parseStatus(status); err != nil {
		return procSample{}, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	s.AnonKiB = max(statusKiB(status, "RssAnon"), 0)
	if s.CPU, err = parseStatCPU(stat); err != nil {
		return procSample{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return s, nil
}

// parseStatus returns VmRSS and VmHWM in KiB from /proc/PID/status.
func parseStatus(b []byte) (rss, hwm int64, err error) {
	rss, hwm = -1, -1
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		key, val, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		var dst *int64
		switch string(key) {
		case "VmRSS":
			dst = &rss
		case "VmHWM":
			dst = &hwm
		default:
			continue
		}
		f := bytes.Fields(val) // "1234 kB"
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, 0, fmt.Errorf("bad %s line %q", key, line)
		}
		if *dst, err = strconv.ParseInt(string(f[0]), 10, 64); err != nil {
			return 0, 0, fmt.Errorf("bad %s line %q", key, line)
		}
	}
	if rss < 0 || hwm < 0 {
		return 0, 0, errors.New("no VmRSS or VmHWM (is it a kernel thread or a zombie?)")
	}
	return rss, hwm, nil
}

// statusKiB returns the "key:  N kB" field of /proc/PID/status, or -1.
func statusKiB(b []byte, key string) int64 {
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		k, val, ok := bytes.Cut(line, []byte{':'})
		if !ok || string(k) != key {
			continue
		}
		f := bytes.Fields(val)
		if len(f) != 2 || string(f[1]) != "kB" {
			return -1
		}
		n, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return -1
		}
		return n
	}
	return -1
}

// parseStatCPU returns utime+stime from /proc/PID/stat. The command name in
// field 2 may hold spaces and parentheses, so fields are counted from the
// last ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return 0, errors.New("no command name")
	}
	f := bytes.Fields(b[end+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("only %d fields", len(f)+2)
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// rssSampler polls a process's VmRSS in the background and keeps the peak:
// VmHWM alone would include whatever the server reached before this run.
type rssSampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}

	mu       sync.Mutex // guards peak, peakAnon and err
	peak     int64
	peakAnon int64
	err      error
}

// rssSampleEvery is how often the sampler reads /proc: often enough to catch
// a short peak, rarely enough to cost the machine nothing measurable.
const rssSampleEvery = 50 * time.Millisecond

// startRSSSampler starts sampling pid. The caller must call finish.
func startRSSSampler(pid int) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *rssSampler) loop() {
	defer close(s.done)
	t := time.NewTicker(rssSampleEvery)
	defer t.Stop()
	for {
		s.sample()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func (s *rssSampler) sample() {
	p, err := readProc(s.pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return
	}
	s.peak = max(s.peak, p.RSSKiB)
	s.peakAnon = max(s.peakAnon, p.AnonKiB)
}

// anonPeak returns the highest RssAnon sampled; call it after finish.
func (s *rssSampler) anonPeak() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakAnon
}

// finish stops sampling, takes a last sample and returns the peak VmRSS.
func (s *rssSampler) finish() (int64, error) {
	close(s.stop)
	<-s.done
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.err
}

// raiseFileLimit raises RLIMIT_NOFILE so that need descriptors fit: the soft
// limit up to the hard one, and the hard one too when allowed (as root).
func raiseFileLimit(need uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("getrlimit: %w", err)
	}
	if lim.Cur >= need {
		return nil
	}
	want := lim
	want.Cur = max(need, min(lim.Max, need*2))
	if want.Cur > lim.Max {
		want.Max = want.Cur
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		return fmt.Errorf("open file limit is %d (hard %d) and %d descriptors are needed: %w (raise it with ulimit -n)",
			lim.Cur, lim.Max, need, err)
	}
	return nil
}

// ownCPU returns the user and system CPU time this process has used.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
