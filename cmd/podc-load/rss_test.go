package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tpodc\nVmPeak:\t 1234 kB\nVmRSS:\t   81920 kB\nThreads:\t9\n"
	got, err := parseVmRSS([]byte(status))
	if err != nil || got != 81920*1024 {
		t.Errorf("got %d, %v; want %d", got, err, 81920*1024)
	}
	for _, bad := range []string{"Name:\tkthreadd\n", "VmRSS:\t12 MB\n", "VmRSS:\tlots kB\n", "VmRSS:\n"} {
		if _, err := parseVmRSS([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestWatchRSSOfThisProcess: the watch reads a real process's RSS, keeps
// start <= max and end <= max, and an interval's largest sample.
func TestWatchRSSOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Fatalf("this test reads /proc (Linux): %v", err)
	}
	stop := make(chan struct{})
	defer close(stop)
	w, err := watchRSS(os.Getpid(), time.Millisecond, stop)
	if err != nil {
		t.Fatal(err)
	}
	ballast := make([]byte, 64<<20)
	for i := range ballast {
		ballast[i] = 1 // touch every page so that it is resident
	}
	w.sample()
	last, largest := w.takeInterval()
	s := w.summary()
	if s.Start <= 0 || s.Max < s.Start || s.Max < s.End || s.Error != "" {
		t.Errorf("summary %+v", s)
	}
	if s.Max-s.Start < 32<<20 {
		t.Errorf("64 MB touched, but max %d is only %d above start %d", s.Max, s.Max-s.Start, s.Start)
	}
	if last <= 0 || largest < last {
		t.Errorf("interval: last %d, largest %d", last, largest)
	}
	_ = ballast[len(ballast)-1]
	if w, err := watchRSS(0, time.Second, stop); w != nil || err != nil {
		t.Errorf("pid 0: %v, %v; want no watch", w, err)
	}
	if _, err := watchRSS(1<<30, time.Second, stop); err == nil || !strings.Contains(err.Error(), "-pid 1073741824") {
		t.Errorf("a missing process: %v", err)
	}
}
