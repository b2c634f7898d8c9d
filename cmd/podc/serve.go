package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"time"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/internal/lru"
	"github.com/podc-dev/podc/internal/memlimit"
	"github.com/podc-dev/podc/server"
	"github.com/podc-dev/podc/server/metrics"
)

// serveCmd is "podc serve": the gRPC service, until stop.drain closes
// (SIGTERM or SIGINT in the binary). Then health turns NOT_SERVING while the
// server keeps serving for --drain-delay (cut short when stop.now closes);
// then it stops taking calls, lets calls in flight finish within --grace,
// and closes what is left.
func serveCmd(stop stops, args []string, stderr io.Writer) int {
	fs := newFlagSet("serve", "serve [flags]", stderr)
	addr := fs.String("addr", ":50051", "the address to listen on")
	policyDir := fs.String("policies", "", "a policy bundle directory, reloaded on change (default: the embedded bundle)")
	poll := fs.Duration("policy-poll", 2*time.Second, "how often to look for changes in --policies")
	maxMsg := fs.Int("max-message-bytes", server.DefaultMaxMessageBytes, "the largest request or response")
	resultCache := fs.Int("result-cache", compiler.DefaultResultCache.Entries, "how many compile answers to remember for identical requests; 0 turns the cache off")
	resultBytes := bytesFlag(compiler.DefaultResultCache.Bytes)
	fs.Var(&resultBytes, "result-cache-bytes", "the most memory the remembered compile answers take (bytes, or a quantity like 32Mi)")
	resultAdmit := fs.String("result-cache-admit", compiler.AdmitRepeats.String(), "which compile answers to remember: repeats (those of requests compiled before, so one-off requests do not fill the cache) or all")
	ruleCache := fs.Int("policy-cache", policy.DefaultCache.Entries, "how many policy rule outcomes to remember, each keyed on the part of the input its rule reads")
	ruleBytes := bytesFlag(policy.DefaultCache.Bytes)
	fs.Var(&ruleBytes, "policy-cache-bytes", "the most memory the remembered rule outcomes take (bytes, or a quantity like 64Mi)")
	evalsPerGen := fs.Int("policy-evals-per-generation", policy.DefaultEvalsPerGeneration, "how many rule evaluations one CUE context serves before the rules are compiled into a fresh one (about 7.5 KB of memory each)")
	grace := fs.Duration("grace", 10*time.Second, "how long calls in flight may take to finish on shutdown, after the drain delay")
	drainDelay := fs.Duration("drain-delay", 5*time.Second, "on shutdown, how long to keep serving with health NOT_SERVING, so load balancers stop routing here first; 0 stops at once")
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics at /metrics on this address (plaintext HTTP, no tokens); off when empty")
	healthAddr := fs.String("health-addr", "", "also serve grpc.health.v1 alone, plaintext and without tokens, on this address: for probes that cannot speak TLS (the kubelet's grpc probe)")
	var sec securityFlags
	sec.register(fs)
	var rt runtimeFlags
	rt.register(fs)
	maxCompiles := fs.Int("max-concurrent-compiles", server.DefaultMaxConcurrentCompiles(), "the most compiles running at once (16 x GOMAXPROCS); more are refused at once with RESOURCE_EXHAUSTED; -1: no bound")
	streamWorkers := fs.Int("stream-workers", server.DefaultStreamWorkers(), "how many goroutines to keep serving calls, their stacks grown by earlier compiles (16 x GOMAXPROCS); 0: a new goroutine for every call")
	maxBatch := fs.Int("max-batch", server.DefaultMaxBatch, "the most intents one CompileBatch stream takes; the next ends the stream with INVALID_ARGUMENT")
	maxAge := fs.Duration("max-connection-age", server.DefaultMaxConnectionAge, "close connections after this long (with GOAWAY), so clients re-resolve and spread over new replicas; 0: never")
	maxAgeGrace := fs.Duration("max-connection-age-grace", server.DefaultMaxConnectionAgeGrace, "how long calls in flight on a connection past its age may take to finish; 0: as long as they need")
	keepaliveMin := fs.Duration("keepalive-min-time", server.DefaultKeepaliveMinTime, "the shortest interval between client keepalive pings tolerated; clients pinging more often are disconnected")
	maxStreams := fs.Uint("max-concurrent-streams", server.DefaultMaxConcurrentStreams, "the most calls in flight on one connection; 0: no bound")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	nodePorts := intent.DefaultNodePorts
	fs.Var(portRangeFlag{&nodePorts}, "node-port-range", "the platform's node port range, MIN-MAX")
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "podc serve: %v\n", err)
		return exitUsage
	}
	grpcLogs.SetOutput(log)
	// The collector is set before the bundle is loaded: the load is the
	// first burst of allocation.
	cg, err := memlimit.Read(os.DirFS("/"))
	if err != nil {
		log.Warn("cannot read the container's memory limit; going on as if it had none", "error", err)
		cg = memlimit.Limit{}
	}
	caches := int64(resultBytes) + int64(ruleBytes)
	if caches < 0 { // both positive: the sum overflowed
		caches = math.MaxInt64
	}
	gc, err := chooseGC(rt, os.Getenv, cg, caches)
	if err != nil {
		fmt.Fprintf(stderr, "podc serve: %v\n", err)
		return exitUsage
	}
	gc.apply()
	gc.log(log)
	if err := checkLimits(*drainDelay, *grace, *maxCompiles, *maxBatch, *streamWorkers, *keepaliveMin, *maxStreams); err != nil {
		fmt.Fprintf(stderr, "podc serve: %v\n", err)
		return exitUsage
	}
	admission, err := compiler.ParseResultAdmission(*resultAdmit)
	if err != nil {
		fmt.Fprintf(stderr, "podc serve: --result-cache-admit: %v\n", err)
		return exitUsage
	}
	security, err := sec.load()
	if err != nil {
		log.Error("cannot set up security", "error", err)
		return exitUsage
	}
	popts := policy.Options{Cache: lru.Bounds{Entries: *ruleCache, Bytes: int64(ruleBytes)}, EvalsPerGeneration: *evalsPerGen}
	bundle, err := loadBundle(*policyDir, popts, nodePorts)
	if err != nil {
		log.Error("cannot load policies", "dir", *policyDir, "error", err)
		return exitUsage
	}
	policies := store.New(bundle, func(dir string) (*policy.Bundle, error) { return compiler.LoadBundle(dir, popts, nodePorts) })
	results := lru.Bounds{Entries: *resultCache, Bytes: int64(resultBytes)}
	if results.Entries <= 0 {
		results.Entries = -1
	}
	obs, err := setUpObservability(context.Background(), *metricsAddr, os.Getenv, log)
	if err != nil {
		log.Error("cannot set up metrics or tracing", "metrics_addr", *metricsAddr, "error", err)
		return exitUsage
	}
	defer obs.shutdown(log) // last: metrics and spans cover the drain
	eopts := compiler.Options{Policies: policies, NodePorts: nodePorts, Logger: log, ResultCache: results, ResultAdmission: admission}
	obs.engine(&eopts)
	eng := compiler.New(eopts)
	opts := server.Options{
		Compiler: eng, Policies: policies, Logger: log, MaxMessageBytes: *maxMsg,
		MaxConcurrentCompiles: *maxCompiles, MaxBatch: *maxBatch, StreamWorkers: streamWorkersOption(*streamWorkers),
		Conn: server.ConnLimits{
			MaxConnectionAge:      *maxAge,
			MaxConnectionAgeGrace: *maxAgeGrace,
			KeepaliveMinTime:      *keepaliveMin,
			MaxConcurrentStreams:  uint32(*maxStreams),
		},
	}
	security.options(&opts)
	obs.server(&opts)
	srv := server.New(opts)
	obs.serve(srv, metrics.Sources{Engine: eng, Policies: policies, CompileSlots: *maxCompiles}, log)

	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("cannot listen", "addr", *addr, "error", err)
		return exitUsage
	}
	if *healthAddr != "" {
		hl, err := net.Listen("tcp", *healthAddr)
		if err != nil {
			lis.Close()
			log.Error("cannot listen", "health_addr", *healthAddr, "error", err)
			return exitUsage
		}
		hs := srv.HealthServer()
		defer hs.Stop() // after the API: probes see NOT_SERVING to the end
		go hs.Serve(hl)
		log.Info("health serving", "health_addr", hl.Addr().String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if *policyDir != "" {
		go policies.Watch(ctx, *policyDir, *poll, log)
		go srv.WatchPolicyHealth(ctx, *poll)
	}
	security.watch(ctx, sec.poll, log)

	served := make(chan error, 1)
	go func() { served <- srv.GRPC.Serve(lis) }()
	security.report(log, lis.Addr())
	serving := []any{"version", version, "addr", lis.Addr().String(),
		"policies", bundle.Source(), "digest", bundle.Digest(), "node_ports", portRangeFlag{&nodePorts}.String()}
	if a := obs.metricsAddr(); a != "" {
		serving = append(serving, "metrics_addr", a)
	}
	log.Info("podc serving", serving...)

	select {
	case err := <-served:
		log.Error("server stopped", "error", err)
		return exitUsage
	case <-stop.drain:
	}
	// Health first: load balancers see NOT_SERVING and stop routing here
	// while the server still answers what they send meanwhile.
	srv.Shutdown()
	if *drainDelay > 0 {
		log.Info("draining: health is NOT_SERVING; serving on for the drain delay", "drain_delay", drainDelay.String())
		t := time.NewTimer(*drainDelay)
		select {
		case <-t.C:
		case <-stop.now:
			t.Stop()
			log.Info("drain cut short")
		}
	}
	log.Info("shutting down", "grace", grace.String())
	done := make(chan struct{})
	go func() { srv.GRPC.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(*grace):
		log.Warn("grace period over; closing remaining calls")
		srv.GRPC.Stop()
	}
	if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
		log.Error("server stopped", "error", err)
	}
	log.Info("stopped")
	return exitOK
}

// streamWorkersOption is server.Options.StreamWorkers for --stream-workers
// n: 0 there turns the workers off, where Options' zero is the default.
func streamWorkersOption(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// checkLimits refuses limit flags that make no sense.
func checkLimits(drainDelay, grace time.Duration, maxCompiles, maxBatch, streamWorkers int, keepaliveMin time.Duration, maxStreams uint) error {
	switch {
	case drainDelay < 0 || grace < 0:
		return errors.New("--drain-delay and --grace cannot be negative")
	case maxCompiles == 0 || maxCompiles < -1:
		return errors.New("--max-concurrent-compiles: want a positive number, or -1 for no bound")
	case maxBatch <= 0:
		return errors.New("--max-batch: want a positive number")
	case streamWorkers < 0 || streamWorkers > math.MaxUint32:
		return errors.New("--stream-workers: want 0 (a new goroutine for every call) or a positive number")
	case keepaliveMin <= 0:
		return errors.New("--keepalive-min-time: want a positive duration")
	case maxStreams > math.MaxUint32:
		return errors.New("--max-concurrent-streams: too large")
	}
	return nil
}
