package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/internal/lru"
	"github.com/podc-dev/podc/server"
)

// serveCmd is "podc serve": the gRPC service, until ctx is done (SIGTERM
// or SIGINT in the binary). On shutdown it stops taking calls, lets calls in
// flight finish within --grace, then closes what is left.
func serveCmd(ctx context.Context, args []string, stderr io.Writer) int {
	fs := newFlagSet("serve", "serve [flags]", stderr)
	addr := fs.String("addr", ":50051", "the address to listen on")
	policyDir := fs.String("policies", "", "a policy bundle directory, reloaded on change (default: the embedded bundle)")
	poll := fs.Duration("policy-poll", 2*time.Second, "how often to look for changes in --policies")
	maxMsg := fs.Int("max-message-bytes", server.DefaultMaxMessageBytes, "the largest request or response")
	resultCache := fs.Int("result-cache", compiler.DefaultResultCache.Entries, "how many compile answers to remember for identical requests; 0 turns the cache off")
	resultBytes := bytesFlag(compiler.DefaultResultCache.Bytes)
	fs.Var(&resultBytes, "result-cache-bytes", "the most memory the remembered compile answers take (bytes, or a quantity like 32Mi)")
	ruleCache := fs.Int("policy-cache", policy.DefaultCache.Entries, "how many policy rule outcomes to remember, each keyed on the part of the input its rule reads")
	ruleBytes := bytesFlag(policy.DefaultCache.Bytes)
	fs.Var(&ruleBytes, "policy-cache-bytes", "the most memory the remembered rule outcomes take (bytes, or a quantity like 64Mi)")
	evalsPerGen := fs.Int("policy-evals-per-generation", policy.DefaultEvalsPerGeneration, "how many rule evaluations one CUE context serves before the rules are compiled into a fresh one (about 7.5 KB of memory each)")
	grace := fs.Duration("grace", 10*time.Second, "how long calls in flight may take to finish on shutdown")
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
	eng := compiler.New(compiler.Options{Policies: policies, NodePorts: nodePorts, Logger: log, ResultCache: results})
	srv := server.New(server.Options{Compiler: eng, Policies: policies, Logger: log, MaxMessageBytes: *maxMsg})

	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("cannot listen", "addr", *addr, "error", err)
		return exitUsage
	}
	if *policyDir != "" {
		go policies.Watch(ctx, *policyDir, *poll, log)
		go srv.WatchPolicyHealth(ctx, *poll)
	}

	served := make(chan error, 1)
	go func() { served <- srv.GRPC.Serve(lis) }()
	log.Info("podc serving", "version", version, "addr", lis.Addr().String(),
		"policies", bundle.Source(), "digest", bundle.Digest(), "node_ports", portRangeFlag{&nodePorts}.String())

	select {
	case err := <-served:
		log.Error("server stopped", "error", err)
		return exitUsage
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace.String())
	srv.Shutdown()
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
