package main

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestHistogramQuantilesMatchSortedSamples: on spread-out values the
// percentiles are within the bucket precision (1%) of the exact ones from
// the sorted samples, and never above the maximum.
func TestHistogramQuantilesMatchSortedSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	var exact []time.Duration
	for range 50000 {
		// From tens of microseconds to seconds, most of them short.
		d := time.Duration(float64(50*time.Microsecond) * (1 + rng.ExpFloat64()*rng.ExpFloat64()*200))
		h.Record(d)
		exact = append(exact, d)
	}
	slices.Sort(exact)
	s := h.Snapshot()
	if s.Count() != uint64(len(exact)) {
		t.Fatalf("count %d, want %d", s.Count(), len(exact))
	}
	if s.Max() != exact[len(exact)-1] {
		t.Errorf("max %s, want %s", s.Max(), exact[len(exact)-1])
	}
	for _, q := range []float64{0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1} {
		want := exact[max(0, int(float64(len(exact))*q+0.999999)-1)]
		got := s.Quantile(q)
		if diff := float64(got-want) / float64(want); diff > 0.01 || diff < -0.01 {
			t.Errorf("p%g = %s, exact %s (%.2f%% off)", q*100, got, want, diff*100)
		}
		if got > s.Max() {
			t.Errorf("p%g = %s is above the maximum %s", q*100, got, s.Max())
		}
	}
}

// TestHistogramSmallValuesAreExact: below 256 ns every value has its own
// bucket.
func TestHistogramSmallValuesAreExact(t *testing.T) {
	var h Histogram
	for v := range 100 {
		h.Record(time.Duration(v + 1))
	}
	s := h.Snapshot()
	if got := s.Quantile(0.5); got != 50 {
		t.Errorf("p50 = %d, want 50", got)
	}
	if got := s.Quantile(0.99); got != 99 {
		t.Errorf("p99 = %d, want 99", got)
	}
	if got := s.Quantile(0); got != 1 {
		t.Errorf("p0 = %d, want the smallest, 1", got)
	}
}

func TestHistogramEmptyAndNegative(t *testing.T) {
	var h Histogram
	if s := h.Snapshot(); s.Count() != 0 || s.Quantile(0.5) != 0 || s.Max() != 0 {
		t.Errorf("empty: count %d, p50 %s, max %s", s.Count(), s.Quantile(0.5), s.Max())
	}
	h.Record(-time.Second)
	if s := h.Snapshot(); s.Count() != 1 || s.Quantile(1) != 0 {
		t.Errorf("a negative duration: count %d, p100 %s; want 1 and 0", s.Count(), s.Quantile(1))
	}
}

// TestHistogramBucketsCoverEveryValue: bucketOf and bucketRange agree on
// every power of two and its neighbours, up to the largest duration, and
// the buckets tile the values without gaps.
func TestHistogramBucketsCoverEveryValue(t *testing.T) {
	check := func(v int64) {
		i := bucketOf(v)
		if i < 0 || i >= bucketCount {
			t.Fatalf("bucketOf(%d) = %d, outside [0, %d)", v, i, bucketCount)
		}
		lo, width := bucketRange(i)
		if v < lo || v-lo >= width {
			t.Fatalf("%d is in bucket %d, which holds [%d, %d)", v, i, lo, lo+width)
		}
		if width > 1 && float64(width)/float64(lo) > 1.0/(1<<subBucketBits)+1e-12 {
			t.Fatalf("bucket %d is %d wide at %d: wider than the precision", i, width, lo)
		}
	}
	for shift := range 63 {
		p := int64(1) << shift
		check(p - 1)
		check(p)
		check(p + 1)
	}
	check(1<<63 - 1)
	for i := 1; i < bucketCount; i++ {
		lo, _ := bucketRange(i)
		plo, pw := bucketRange(i - 1)
		if plo+pw != lo {
			t.Fatalf("bucket %d starts at %d, bucket %d ends at %d", i, lo, i-1, plo+pw)
		}
	}
}

// TestHistogramSinceIsTheInterval: a snapshot since an earlier one holds
// only the values recorded in between.
func TestHistogramSinceIsTheInterval(t *testing.T) {
	var h Histogram
	for range 1000 {
		h.Record(time.Millisecond)
	}
	first := h.Snapshot()
	for range 100 {
		h.Record(10 * time.Millisecond)
	}
	d := h.Snapshot().Since(first)
	if d.Count() != 100 {
		t.Fatalf("interval count %d, want 100", d.Count())
	}
	if p := d.Quantile(0.01); p < 9900*time.Microsecond || p > 10100*time.Microsecond {
		t.Errorf("interval p1 = %s, want about 10ms: the earlier values leaked in", p)
	}
}

// TestHistogramConcurrentRecords: records from many goroutines are all
// counted, and the maximum is exact.
func TestHistogramConcurrentRecords(t *testing.T) {
	var h Histogram
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				h.Record(time.Duration(g*1000+i) * time.Microsecond)
			}
		})
	}
	wg.Wait()
	s := h.Snapshot()
	if s.Count() != 8000 || s.Max() != 7999*time.Microsecond {
		t.Errorf("count %d, max %s; want 8000 and 7.999ms", s.Count(), s.Max())
	}
}
