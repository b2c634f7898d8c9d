package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step on every read, and by jump instead on every
// every-th read.
func fakeClock(step, jump time.Duration, every int) func() time.Time {
	t := time.Unix(0, 0)
	n := 0
	return func() time.Time {
		n++
		if n%every == 0 {
			t = t.Add(jump)
		} else {
			t = t.Add(step)
		}
		return t
	}
}

// Every jump of the clock at least the minimum is a stall, no shorter
// gap is, and the probe stops once the span is covered.
func TestProbeCountsGapsOfAtLeastTheMinimum(t *testing.T) {
	// 1 µs a read, 3 ms every 1,000th: about 4 ms per 1,000 reads.
	s := probe(fakeClock(time.Microsecond, 3*time.Millisecond, 1000), 400*time.Millisecond, time.Millisecond)
	if s.span < 400*time.Millisecond || s.span > 405*time.Millisecond {
		t.Errorf("span %v, want 400 ms and at most one read more", s.span)
	}
	if len(s.gaps) < 99 || len(s.gaps) > 101 {
		t.Errorf("%d stalls, want about 100", len(s.gaps))
	}
	for _, g := range s.gaps {
		if g != 3*time.Millisecond {
			t.Fatalf("a gap of %v counted", g)
		}
	}
	text := s.String()
	if !strings.Contains(text, "stalls in 40") || !strings.Contains(text, "longest [3ms 3ms 3ms 3ms 3ms]") {
		t.Errorf("report %q", text)
	}
	if n := len(probe(fakeClock(time.Microsecond, 900*time.Microsecond, 1000), 100*time.Millisecond, time.Millisecond).gaps); n != 0 {
		t.Errorf("%d gaps under the minimum counted", n)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"-d", "0"}, {"-min", "-1ms"}, {"-threads", "0"}, {"extra"}, {"-nope"}} {
		var out, errs bytes.Buffer
		if code := Main(args, &out, &errs); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	var out, errs bytes.Buffer
	if code := Main([]string{"-d", "20ms", "-threads", "2"}, &out, &errs); code != 0 || strings.Count(out.String(), "thread ") != 2 {
		t.Errorf("exit %d: %s%s", code, out.String(), errs.String())
	}
}
