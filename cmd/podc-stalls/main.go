// Command podc-stalls measures how often the machine itself stops a
// running thread: one locked thread per processor reads the clock in a
// loop and counts every gap between two reads longer than -min. On an
// idle machine a gap is time the thread was not running: the kernel or
// the hypervisor ran something else. Load runs on the same machine
// (scripts/load.sh) see every such gap in their latencies; this puts a
// number on that floor.
//
//	podc-stalls -d 10s -min 1ms
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
)

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// Main runs the probe and prints what each thread saw; 2 for a usage
// error.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("podc-stalls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	d := fs.Duration("d", 10*time.Second, "how long each thread reads the clock")
	least := fs.Duration("min", time.Millisecond, "the shortest gap between two reads that counts as a stall")
	threads := fs.Int("threads", runtime.NumCPU(), "threads, each locked to its own OS thread (default: one per processor)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *d <= 0 || *least <= 0 || *threads < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "podc-stalls: want -d and -min positive, -threads at least 1, no arguments")
		return 2
	}
	runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), *threads))
	results := make([]stalls, *threads)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			results[i] = probe(time.Now, *d, *least)
		})
	}
	wg.Wait()
	for i, s := range results {
		fmt.Fprintf(stdout, "thread %d: %s\n", i, s)
	}
	return 0
}

// stalls is what one thread saw: every gap of at least the minimum, in
// the order seen, over a span of time.
type stalls struct {
	gaps []time.Duration
	span time.Duration
}

// probe reads now in a loop for d and returns every gap between two
// reads of at least least.
func probe(now func() time.Time, d, least time.Duration) stalls {
	start := now()
	last := start
	var s stalls
	for {
		t := now()
		if g := t.Sub(last); g >= least {
			s.gaps = append(s.gaps, g)
		}
		last = t
		if s.span = t.Sub(start); s.span >= d {
			return s
		}
	}
}

// String gives the count, the time stalled and its share of the span,
// and the longest gaps.
func (s stalls) String() string {
	var total time.Duration
	for _, g := range s.gaps {
		total += g
	}
	longest := slices.Clone(s.gaps)
	slices.SortFunc(longest, func(a, b time.Duration) int { return int(b - a) })
	longest = longest[:min(len(longest), 5)]
	share := 0.0
	if s.span > 0 {
		share = 100 * float64(total) / float64(s.span)
	}
	return fmt.Sprintf("%d stalls in %s, %s stalled (%.2f%%), longest %v",
		len(s.gaps), s.span.Round(time.Millisecond), total.Round(10*time.Microsecond), share, roundAll(longest))
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(10 * time.Microsecond)
	}
	return out
}
