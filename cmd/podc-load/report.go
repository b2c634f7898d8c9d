package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// report is the outcome of a run; -json prints it as it is.
type report struct {
	Mode    string `json:"mode"`
	Vary    string `json:"vary"`
	Streams int    `json:"streams"`
	// Rate is the units a second offered (-rate); 0 when unpaced.
	Rate float64 `json:"rate_per_second,omitempty"`
	// Batch is the intents of a round (batch and unary-sequential modes).
	Batch int `json:"batch,omitempty"`
	// Unit is what a latency measures: "call", or "round" (of Batch
	// intents, one CompileBatch stream or Batch calls one after another).
	Unit        string  `json:"unit"`
	Seconds     float64 `json:"elapsed_seconds"`
	UnitsOK     int64   `json:"units_ok"`
	UnitsFailed int64   `json:"units_failed"`
	// IntentsOK and IntentsFailed count compiles: a unary call is one
	// (in health mode, a health check is one).
	IntentsOK        int64   `json:"intents_ok"`
	IntentsFailed    int64   `json:"intents_failed"`
	UnitsPerSecond   float64 `json:"units_per_second"`
	IntentsPerSecond float64 `json:"intents_per_second"`
	// Latency is of the completed units, in milliseconds.
	Latency latencies `json:"latency_ms"`
	// WokeLate, paced, is how late a stream that was free woke for a unit
	// due: the driver's own delay, counted in Latency too. Much of it
	// means the driver, not the server, was short of a processor.
	WokeLate *latencies `json:"driver_woke_late_ms,omitempty"`
	// Failures are the failed intents by gRPC code.
	Failures map[string]int64 `json:"failures,omitempty"`
	// ResponseBytes is the mean size of a unary Compile response.
	ResponseBytes int64       `json:"response_bytes,omitempty"`
	RSS           *rssSummary `json:"rss,omitempty"`
	ServerCPU     *cpuSummary `json:"server_cpu,omitempty"`
	Intervals     []interval  `json:"intervals,omitempty"`
}

// latencies are percentiles of a histogram, in milliseconds.
type latencies struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func latenciesOf(s Snapshot) latencies {
	return latencies{P50: ms(s.Quantile(0.50)), P95: ms(s.Quantile(0.95)), P99: ms(s.Quantile(0.99)), Max: ms(s.Max())}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// interval is one -every line: what completed in the interval that ended
// at T seconds into the run.
type interval struct {
	T                float64   `json:"t_seconds"`
	UnitsOK          int64     `json:"units_ok"`
	IntentsOK        int64     `json:"intents_ok"`
	IntentsFailed    int64     `json:"intents_failed"`
	IntentsPerSecond float64   `json:"intents_per_second"`
	Latency          latencies `json:"latency_ms"`
	// RSSBytes is the server's RSS at the interval's end, RSSMaxBytes the
	// largest sampled in it; zero without -pid.
	RSSBytes    int64 `json:"rss_bytes,omitempty"`
	RSSMaxBytes int64 `json:"rss_max_bytes,omitempty"`
}

// intervals turns the counters of a running run into intervals, one per
// take. Not safe for concurrent use: one goroutine takes them.
type intervals struct {
	r         *runner
	rss       *rssWatch // nil without -pid
	start     time.Time
	last      time.Time
	hist      Snapshot
	units     int64
	intents   int64
	intentsKO int64
}

func newIntervals(r *runner, rss *rssWatch, start time.Time) *intervals {
	return &intervals{r: r, rss: rss, start: start, last: start, hist: r.hist.Snapshot()}
}

// take returns the interval since the previous take.
func (iv *intervals) take(now time.Time) interval {
	hist := iv.r.hist.Snapshot()
	units, intents, failed := iv.r.tally.units.Load(), iv.r.tally.intents.Load(), iv.r.tally.intentsFailed.Load()
	out := interval{
		T:             now.Sub(iv.start).Seconds(),
		UnitsOK:       units - iv.units,
		IntentsOK:     intents - iv.intents,
		IntentsFailed: failed - iv.intentsKO,
		Latency:       latenciesOf(hist.Since(iv.hist)),
	}
	if secs := now.Sub(iv.last).Seconds(); secs > 0 {
		out.IntentsPerSecond = float64(out.IntentsOK) / secs
	}
	// The maximum is the run's so far, not the interval's: leave it out.
	out.Latency.Max = 0
	if iv.rss != nil {
		out.RSSBytes, out.RSSMaxBytes = iv.rss.takeInterval()
	}
	iv.last, iv.hist, iv.units, iv.intents, iv.intentsKO = now, hist, units, intents, failed
	return out
}

// summarize makes the run's report.
func summarize(cfg config, r *runner, elapsed time.Duration, rss *rssWatch, ivs []interval) report {
	rep := report{
		Mode:          string(cfg.mode),
		Vary:          cfg.vary.String(),
		Streams:       cfg.streams,
		Rate:          cfg.rate,
		Unit:          "call",
		Seconds:       elapsed.Seconds(),
		UnitsOK:       r.tally.units.Load(),
		UnitsFailed:   r.tally.unitsFailed.Load(),
		IntentsOK:     r.tally.intents.Load(),
		IntentsFailed: r.tally.intentsFailed.Load(),
		Latency:       latenciesOf(r.hist.Snapshot()),
		Failures:      r.tally.failures(),
		Intervals:     ivs,
	}
	if !cfg.mode.varies() {
		rep.Vary = "none"
	}
	if cfg.mode.rounds() {
		rep.Batch, rep.Unit = cfg.batch, "round"
	}
	if s := elapsed.Seconds(); s > 0 {
		rep.UnitsPerSecond = float64(rep.UnitsOK) / s
		rep.IntentsPerSecond = float64(rep.IntentsOK) / s
	}
	if len(rep.Failures) == 0 {
		rep.Failures = nil
	}
	if n := rep.IntentsOK; n > 0 && !cfg.mode.rounds() {
		rep.ResponseBytes = r.tally.responseBytes.Load() / n
	}
	if rss != nil {
		rep.RSS = rss.summary()
	}
	if cfg.rate > 0 {
		late := latenciesOf(r.wokeLate.Snapshot())
		rep.WokeLate = &late
	}
	return rep
}

// writeText prints the report for people.
func (rep report) writeText(w io.Writer) {
	what := fmt.Sprintf("%s (vary %s)", rep.Mode, rep.Vary)
	if !mode(rep.Mode).varies() {
		what = rep.Mode
	}
	if rep.Batch > 0 {
		what = fmt.Sprintf("%s, rounds of %d", what, rep.Batch)
	}
	paced := ""
	if rep.Rate > 0 {
		paced = fmt.Sprintf(", paced at %g %ss a second", rep.Rate, rep.Unit)
	}
	fmt.Fprintf(w, "%s, %d streams%s, %s\n", what, rep.Streams, paced, time.Duration(rep.Seconds*float64(time.Second)).Round(time.Millisecond))
	if rep.Unit == "call" {
		fmt.Fprintf(w, "calls %d ok, %d failed: %.0f calls/s\n", rep.IntentsOK, rep.IntentsFailed, rep.IntentsPerSecond)
	} else {
		fmt.Fprintf(w, "rounds %d completed, %d failed; intents %d ok, %d failed: %.0f intents/s\n",
			rep.UnitsOK, rep.UnitsFailed, rep.IntentsOK, rep.IntentsFailed, rep.IntentsPerSecond)
	}
	fmt.Fprintf(w, "latency per %s p50 %s  p95 %s  p99 %s  max %s\n", rep.Unit,
		fmtMS(rep.Latency.P50), fmtMS(rep.Latency.P95), fmtMS(rep.Latency.P99), fmtMS(rep.Latency.Max))
	if l := rep.WokeLate; l != nil {
		fmt.Fprintf(w, "the driver woke late for a unit due  p50 %s  p99 %s  max %s\n", fmtMS(l.P50), fmtMS(l.P99), fmtMS(l.Max))
	}
	if rep.RSS != nil {
		fmt.Fprintf(w, "server RSS start %s  max %s  end %s\n", mb(rep.RSS.Start), mb(rep.RSS.Max), mb(rep.RSS.End))
		if rep.RSS.Error != "" {
			fmt.Fprintf(w, "server RSS: %s\n", rep.RSS.Error)
		}
	}
	if c := rep.ServerCPU; c != nil {
		if c.Error != "" {
			fmt.Fprintf(w, "server CPU: %s\n", c.Error)
		} else {
			fmt.Fprintf(w, "server CPU %.1f s, %.0f µs per intent\n", c.Seconds, c.PerIntent)
		}
	}
	if rep.ResponseBytes > 0 {
		fmt.Fprintf(w, "response %d bytes on average\n", rep.ResponseBytes)
	}
	if len(rep.Failures) > 0 {
		var parts []string
		for _, code := range slices.Sorted(maps.Keys(rep.Failures)) {
			parts = append(parts, fmt.Sprintf("%s %d", code, rep.Failures[code]))
		}
		fmt.Fprintf(w, "failures by code: %s\n", strings.Join(parts, ", "))
	}
}

// writeJSON prints the report as one JSON object.
func (rep report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// writeText prints an interval as one line.
func (iv interval) writeText(w io.Writer) {
	fmt.Fprintf(w, "t=%s ok %d failed %d (%.0f intents/s) p50 %s p99 %s",
		(time.Duration(iv.T * float64(time.Second))).Round(time.Second), iv.IntentsOK, iv.IntentsFailed, iv.IntentsPerSecond,
		fmtMS(iv.Latency.P50), fmtMS(iv.Latency.P99))
	if iv.RSSBytes > 0 {
		fmt.Fprintf(w, " rss %s (max %s)", mb(iv.RSSBytes), mb(iv.RSSMaxBytes))
	}
	fmt.Fprintln(w)
}

func fmtMS(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }
