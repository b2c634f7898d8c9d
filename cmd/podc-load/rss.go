package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// readRSS returns the resident set size of process pid in bytes, from
// the VmRSS line of /proc/PID/status (Linux).
func readRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(data)
}

// parseVmRSS reads the VmRSS line of a /proc/PID/status file, given in kB,
// and returns bytes.
func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return 0, fmt.Errorf("VmRSS: want \"N kB\", got %q", bytes.TrimSpace(rest))
		}
		kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("VmRSS: %q is not a size in kB", fields[0])
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no VmRSS line (a kernel thread, or not Linux)")
}

// rssWatch samples a process's RSS at a fixed period and keeps the first,
// the largest and the last sample, and the largest since the last interval
// was taken: a fixed amount of memory however long the run. It is safe for
// concurrent use.
type rssWatch struct {
	pid int

	mu                         sync.Mutex
	start, max, last, interval int64
	err                        error
}

// watchRSS takes a first sample of pid and then one every period until
// stop closes; it returns nil when pid is 0. The first sample's error is
// returned: the process is not there to be watched.
func watchRSS(pid int, period time.Duration, stop <-chan struct{}) (*rssWatch, error) {
	if pid == 0 {
		return nil, nil
	}
	rss, err := readRSS(pid)
	if err != nil {
		return nil, fmt.Errorf("-pid %d: %w", pid, err)
	}
	w := &rssWatch{pid: pid, start: rss, max: rss, last: rss, interval: rss}
	go func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				w.sample()
			}
		}
	}()
	return w, nil
}

// sample reads the RSS once more. A process that has gone keeps its last
// sample and the error is remembered.
func (w *rssWatch) sample() {
	rss, err := readRSS(w.pid)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.err = err
		return
	}
	w.last = rss
	w.max = max(w.max, rss)
	w.interval = max(w.interval, rss)
}

// takeInterval returns the last sample and the largest since the previous
// call, and starts a new interval.
func (w *rssWatch) takeInterval() (last, largest int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	last, largest = w.last, w.interval
	w.interval = w.last
	return last, largest
}

// summary takes a last sample and returns the run's RSS record.
func (w *rssWatch) summary() *rssSummary {
	w.sample()
	w.mu.Lock()
	defer w.mu.Unlock()
	s := &rssSummary{Start: w.start, Max: w.max, End: w.last}
	if w.err != nil {
		s.Error = w.err.Error()
	}
	return s
}

// rssSummary is the server's RSS over a run, in bytes.
type rssSummary struct {
	Start int64 `json:"start_bytes"`
	Max   int64 `json:"max_bytes"`
	End   int64 `json:"end_bytes"`
	// Error is the last sample that failed (the process went away).
	Error string `json:"error,omitempty"`
}
