// Command podc-load drives a running podc server and reports throughput,
// latency percentiles, failures by gRPC code and, given the server's
// process id, its resident memory over the run. Every run is bounded by
// both a count of units and a duration, and it only talks to the address
// it is given (a loopback address in the benchmarks).
//
//	podc-load -addr 127.0.0.1:50051 -f examples/checkout.json -mode distinct -c 16 -d 30s -pid 1234
//	podc-load -addr 127.0.0.1:50051 -mode batch -batch 1000 -c 1 -d 30s
//	podc-load -addr 127.0.0.1:50051 -mode distinct -c 16 -rate 3000 -d 30s
//
// Unpaced, each stream makes its next call as soon as its last one is
// answered; with -rate the calls are offered at that rate across the
// streams, each latency counted from the moment its call was due.
//
// Modes: distinct (unary calls, every intent new: a new workload name by
// default, see -vary), identical (the same request every call), batch
// (CompileBatch streams of -batch new intents) and unary-sequential
// (rounds of -batch unary calls of new intents, one after another: the
// same work as a batch, without CompileBatch) and health (grpc.health.v1
// Check calls, no compile: the ceiling of a call through the same server).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/podc-dev/podc/compiler/intent"
)

func main() {
	leanCollector()
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// driverGOGC is the driver's own collector setting when GOGC is not set.
// The driver shares the cores with the server it measures, and its
// garbage is a response's transport buffers, received and let go: at
// GOGC 400 it collects a quarter as often as at Go's default of 100 (in
// a batch its collector took a sixth of its CPU at 100), for a few more
// megabytes of its own memory.
const driverGOGC = 400

// leanCollector sets the driver's collector to driverGOGC unless the
// environment sets GOGC.
func leanCollector() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(driverGOGC)
	}
}

// config is a run's settings, from the flags.
type config struct {
	addr, file, profile string
	mode                mode
	vary                variation
	streams             int
	total               int64 // the most units: calls, or rounds
	duration            time.Duration
	batch               int
	every               time.Duration
	pid                 int
	wait                time.Duration
	json                bool
	decode              bool
	// rate paces the units: this many a second across all streams, each
	// unit's latency counted from the moment it was due (0: unpaced, each
	// stream starts its next unit when its last one completes).
	rate float64
}

// rssPeriod is how often the server's RSS is sampled with -pid.
const rssPeriod = 250 * time.Millisecond

// Main runs the load and returns the exit code: 0 when every intent
// compiled, 1 when any failed, 2 for a usage error or a server that could
// not be reached.
func Main(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "podc-load: %v\n", err)
		return 2
	}
	data, err := os.ReadFile(cfg.file)
	if err != nil {
		fmt.Fprintf(stderr, "podc-load: %v\n", err)
		return 2
	}
	base, err := intent.Decode(data)
	if err != nil {
		fmt.Fprintf(stderr, "podc-load: %s: %v\n", cfg.file, err)
		return 2
	}
	conn, err := grpc.NewClient(cfg.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintf(stderr, "podc-load: %v\n", err)
		return 2
	}
	defer conn.Close()
	if cfg.wait > 0 {
		if err := waitServing(conn, cfg.wait); err != nil {
			fmt.Fprintf(stderr, "podc-load: %s: %v\n", cfg.addr, err)
			return 2
		}
	}
	stop := make(chan struct{})
	defer close(stop)
	rss, err := watchRSS(cfg.pid, rssPeriod, stop)
	if err != nil {
		fmt.Fprintf(stderr, "podc-load: %v\n", err)
		return 2
	}

	r, err := newRunner(cfg, conn, base)
	if err != nil {
		fmt.Fprintf(stderr, "podc-load: %s: %v\n", cfg.file, err)
		return 2
	}
	cpu, err := startCPU(cfg.pid)
	if err != nil {
		fmt.Fprintf(stderr, "podc-load: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.duration)
	defer cancel()
	start := time.Now()
	ivs := make(chan []interval, 1)
	go func() { ivs <- reportIntervals(ctx, cfg, r, rss, start, stdout) }()
	r.run(ctx)
	elapsed := time.Since(start)
	cancel()
	rep := summarize(cfg, r, elapsed, rss, <-ivs)
	rep.ServerCPU = cpu.summary(rep.IntentsOK)
	if cfg.json {
		if err := rep.writeJSON(stdout); err != nil {
			fmt.Fprintf(stderr, "podc-load: %v\n", err)
			return 2
		}
	} else {
		rep.writeText(stdout)
	}
	if rep.UnitsOK == 0 {
		fmt.Fprintf(stderr, "podc-load: nothing completed (%d intents failed)\n", rep.IntentsFailed)
		return 1
	}
	if rep.IntentsFailed > 0 {
		return 1
	}
	return 0
}

// parseFlags reads and checks the flags.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("podc-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:50051", "the podc server")
	fs.StringVar(&cfg.file, "f", "examples/checkout.json", "the intent to send (each intent is made from it)")
	modeName := fs.String("mode", string(modeDistinct), "distinct, identical, batch, unary-sequential or health")
	varyList := fs.String("vary", "name", "what changes between the intents of distinct, batch and unary-sequential: a list of name, label and image")
	fs.IntVar(&cfg.streams, "c", 4, "concurrent streams: callers, each making one call or round at a time")
	fs.Int64Var(&cfg.total, "n", 10000, "the most units of work: calls, or rounds in batch and unary-sequential modes")
	fs.DurationVar(&cfg.duration, "d", 30*time.Second, "the longest the run may take; units in flight then complete")
	fs.IntVar(&cfg.batch, "batch", 1000, "the intents of one round: one CompileBatch stream, or that many unary calls in turn")
	fs.StringVar(&cfg.profile, "profile", "", "the policy profile (default: the intent's)")
	fs.DurationVar(&cfg.every, "every", 0, "also report each interval this long (0: only the total)")
	fs.IntVar(&cfg.pid, "pid", 0, "the server's process id: sample its RSS from /proc/PID/status (Linux)")
	fs.DurationVar(&cfg.wait, "wait", 0, "first wait up to this long for the server's health to be SERVING")
	fs.BoolVar(&cfg.json, "json", false, "print the report as one JSON object (intervals included)")
	fs.BoolVar(&cfg.decode, "decode", false, "decode every Compile response, unary or in a batch, as a client that reads them would (by default a unary one is received whole and a batch answer read only for its outcome, not decoded: the driver's own cost stays low)")
	fs.Float64Var(&cfg.rate, "rate", 0, "units (calls or rounds) a second to offer across all streams, each due at its own moment and its latency counted from then, so that a unit no stream was free to start on time counts its wait; 0 sends unpaced, each stream's next unit as its last one completes")
	fresh := fs.Bool("fresh", true, "older form of -mode: true is distinct with -vary label, false is identical")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	if cfg.mode, err = parseMode(*modeName); err != nil {
		return cfg, err
	}
	if cfg.vary, err = parseVariation(*varyList); err != nil {
		return cfg, err
	}
	if set["fresh"] {
		if set["mode"] || set["vary"] {
			return cfg, errors.New("-fresh: give -mode and -vary instead")
		}
		cfg.mode, cfg.vary = modeIdentical, variation{}
		if *fresh {
			cfg.mode, cfg.vary = modeDistinct, variation{label: true}
		}
	}
	if !cfg.mode.varies() {
		cfg.vary = variation{}
	} else if !cfg.vary.any() {
		return cfg, fmt.Errorf("-mode %s: -vary none makes every intent the same; use -mode identical", cfg.mode)
	}
	cfg.vary.run = runTag()
	switch {
	case cfg.streams < 1:
		return cfg, errors.New("-c: want at least 1")
	case cfg.total < 1:
		return cfg, errors.New("-n: want at least 1")
	case cfg.duration <= 0:
		return cfg, errors.New("-d: want a positive duration")
	case cfg.batch < 1:
		return cfg, errors.New("-batch: want at least 1")
	case cfg.every < 0 || cfg.wait < 0:
		return cfg, errors.New("-every and -wait cannot be negative")
	case cfg.pid < 0:
		return cfg, errors.New("-pid: want a process id")
	case cfg.rate < 0 || math.IsNaN(cfg.rate) || math.IsInf(cfg.rate, 0):
		return cfg, errors.New("-rate: want a number of units a second, or 0 for unpaced")
	}
	return cfg, nil
}

// waitServing waits up to limit for the server's health to be SERVING.
func waitServing(conn *grpc.ClientConn, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	health := healthpb.NewHealthClient(conn)
	for {
		callCtx, cancelCall := context.WithTimeout(ctx, time.Second)
		resp, err := health.Check(callCtx, &healthpb.HealthCheckRequest{})
		cancelCall()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("health is %s", resp.GetStatus())
			}
			return fmt.Errorf("not serving after %s: %w", limit, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// reportIntervals takes an interval every cfg.every until ctx ends,
// printing each as a line unless the report is JSON, and returns them.
func reportIntervals(ctx context.Context, cfg config, r *runner, rss *rssWatch, start time.Time, stdout io.Writer) []interval {
	if cfg.every <= 0 {
		<-ctx.Done()
		return nil
	}
	var out []interval
	iv := newIntervals(r, rss, start)
	t := time.NewTicker(cfg.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case now := <-t.C:
			one := iv.take(now)
			if !cfg.json {
				one.writeText(stdout)
			}
			out = append(out, one)
		}
	}
}
