package main

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// subBucketBits sets the histogram's precision: each power of two of
// nanoseconds is split into 2^subBucketBits buckets, so a bucket is at most
// 1/128 of its values wide and a percentile read from its middle is within
// 0.4% of the recorded value.
const subBucketBits = 7

// bucketCount covers every non-negative int64 of nanoseconds.
const bucketCount = (64 - subBucketBits) << subBucketBits

// Histogram counts durations in log-linear buckets, as HdrHistogram does:
// its memory is fixed (about 58 KB) however many values it records and
// however long the run. It is safe for concurrent use.
type Histogram struct {
	counts [bucketCount]atomic.Uint64
	max    atomic.Int64
}

// Record counts one duration; a negative one counts as zero.
func (h *Histogram) Record(d time.Duration) {
	v := max(int64(d), 0)
	h.counts[bucketOf(v)].Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// Snapshot copies the counts recorded so far.
func (h *Histogram) Snapshot() Snapshot {
	s := Snapshot{counts: make([]uint64, bucketCount), max: time.Duration(h.max.Load())}
	for i := range h.counts {
		n := h.counts[i].Load()
		s.counts[i] = n
		s.total += n
	}
	return s
}

// A Snapshot is a histogram's counts at one moment.
type Snapshot struct {
	counts []uint64
	total  uint64
	max    time.Duration
}

// Count returns how many values the snapshot holds.
func (s Snapshot) Count() uint64 { return s.total }

// Max returns the largest value recorded up to the snapshot, exactly. A
// snapshot made by Since keeps its later snapshot's maximum.
func (s Snapshot) Max() time.Duration { return s.max }

// Since returns the values recorded between prev, an earlier snapshot of
// the same histogram, and s.
func (s Snapshot) Since(prev Snapshot) Snapshot {
	d := Snapshot{counts: make([]uint64, len(s.counts)), max: s.max}
	for i := range s.counts {
		var p uint64
		if i < len(prev.counts) {
			p = prev.counts[i]
		}
		d.counts[i] = s.counts[i] - p
		d.total += d.counts[i]
	}
	return d
}

// Quantile returns the value below or at which a share q (0 to 1) of the
// values fall: the middle of the bucket holding the value of rank
// ceil(q*count), never more than the exact maximum. It is 0 for an empty
// snapshot.
func (s Snapshot) Quantile(q float64) time.Duration {
	if s.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(s.total)))
	rank = min(max(rank, 1), s.total)
	var seen uint64
	for i, n := range s.counts {
		seen += n
		if seen >= rank {
			lo, width := bucketRange(i)
			return min(time.Duration(lo+width/2), s.max)
		}
	}
	return s.max
}

// bucketOf is the bucket of v: values below 2^(subBucketBits+1) have a
// bucket each; above, each power of two has 2^subBucketBits buckets.
func bucketOf(v int64) int {
	shift := bits.Len64(uint64(v)) - subBucketBits - 1
	if shift <= 0 {
		return int(v)
	}
	return (shift+1)<<subBucketBits + int(v>>shift) - 1<<subBucketBits
}

// bucketRange returns the lowest value of bucket i and how many values it
// holds.
func bucketRange(i int) (lo, width int64) {
	if i < 2<<subBucketBits {
		return int64(i), 1
	}
	shift := i>>subBucketBits - 1
	mantissa := int64(i - (shift+1)<<subBucketBits + 1<<subBucketBits)
	return mantissa << shift, 1 << shift
}
