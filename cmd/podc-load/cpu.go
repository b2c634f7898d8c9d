package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/PID/stat: USER_HZ,
// 100 a second on every Linux system.
const clockTicks = 100

// readCPU returns the CPU time process pid has used, user and system,
// from /proc/PID/stat (Linux).
func readCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(data)
}

// parseStatCPU reads utime and stime (fields 14 and 15) of a
// /proc/PID/stat line. The command name (field 2) is in parentheses and
// may hold spaces or parentheses itself, so the fields are counted from
// the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("stat: no command name")
	}
	fields := bytes.Fields(stat[end+1:]) // from field 3, the state
	if len(fields) < 13 {
		return 0, fmt.Errorf("stat: %d fields after the command name, want at least 13", len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("stat: %q is not a count of clock ticks", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// cpuWatch measures the CPU time a process uses during a run.
type cpuWatch struct {
	pid   int
	start time.Duration
}

// startCPU starts measuring pid; nil when pid is 0.
func startCPU(pid int) (*cpuWatch, error) {
	if pid == 0 {
		return nil, nil
	}
	start, err := readCPU(pid)
	if err != nil {
		return nil, fmt.Errorf("-pid %d: %w", pid, err)
	}
	return &cpuWatch{pid: pid, start: start}, nil
}

// cpuSummary is the CPU time the server used over a run: what each
// intent cost it, whatever the driver beside it cost.
type cpuSummary struct {
	Seconds float64 `json:"seconds"`
	// PerIntent is in microseconds; zero when no intent completed.
	PerIntent float64 `json:"per_intent_us"`
	// Error is why the last reading failed (the process went away).
	Error string `json:"error,omitempty"`
}

// summary reads the CPU time once more; nil without a watch.
func (w *cpuWatch) summary(intents int64) *cpuSummary {
	if w == nil {
		return nil
	}
	now, err := readCPU(w.pid)
	if err != nil {
		return &cpuSummary{Error: err.Error()}
	}
	s := &cpuSummary{Seconds: (now - w.start).Seconds()}
	if intents > 0 {
		s.PerIntent = float64((now - w.start).Microseconds()) / float64(intents)
	}
	return s
}
