package main

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
	for _, tc := range []struct {
		stat string
		want time.Duration
	}{
		{"4242 (podc) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 9 0\n", 3 * time.Second},
		{"7 (my (odd) name) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0\n", 30 * time.Millisecond},
	} {
		got, err := parseStatCPU([]byte(tc.stat))
		if err != nil || got != tc.want {
			t.Errorf("%q: got %v, %v; want %v", tc.stat, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "4242 podc S 1", "4242 (podc) S 1 2 3\n", "4242 (podc) S 1 4242 4242 0 -1 0 0 0 0 0 x 50 0\n", "1 (a) S 1 1 1 0 -1 0 0 0 0 0 -5 1 0\n"} {
		if _, err := parseStatCPU([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// startCPU measures a real process: this one, after some work.
func TestCPUOfThisProcess(t *testing.T) {
	w, err := startCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for before := w.start; ; {
		for i := range 1 << 22 {
			x += i % 7
		}
		if now, err := readCPU(os.Getpid()); err != nil || now-before >= 20*time.Millisecond {
			break
		}
	}
	s := w.summary(4)
	if s.Error != "" || s.Seconds < 0.02 || math.Abs(s.PerIntent-s.Seconds*1e6/4) > 1 {
		t.Errorf("summary %+v after %d", s, x)
	}
	if w, err := startCPU(0); w != nil || err != nil || w.summary(1) != nil {
		t.Errorf("pid 0: %v, %v; want no watch", w, err)
	}
	if _, err := startCPU(1 << 30); err == nil || !strings.Contains(err.Error(), "-pid 1073741824") {
		t.Errorf("a missing process: %v", err)
	}
}
