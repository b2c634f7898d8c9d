// Package server serves the podc pipeline over gRPC: the CompilerService and
// PolicyService handlers, the standard health and reflection services, panic
// recovery, request logging and the mapping of pipeline errors to bounded
// gRPC statuses with machine-readable details. It secures the service (TLS
// and mutual TLS from files reloaded on change, bearer tokens) and bounds it
// (concurrent compiles, batch size, connection age, keepalive, streams). An
// Observer is told of refusals and request decoding, and metrics and
// tracing attach through Options (interceptors, a stats handler); package
// server/metrics provides them with Prometheus. It knows nothing of
// Kubernetes rules; the compiler package does the work.
package server

import (
	"context"
	"log/slog"
	"math"
	"slices"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/stats"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Compiler is the pipeline the server serves; *compiler.Engine implements it.
type Compiler interface {
	Compile(ctx context.Context, req compiler.Request) (*compiler.Result, error)
	Validate(ctx context.Context, req compiler.Request) (*compiler.Result, error)
}

// Policies tells which policy bundle is active and how its loading went;
// *store.Store implements it.
type Policies interface {
	Bundle() *policy.Bundle
	Status() store.Status
}

// PolicyHealthService is the health check name that reports whether the
// newest policy files are active: NOT_SERVING while the last reload failed
// (the previous bundle keeps serving requests meanwhile).
const PolicyHealthService = "podc.v1.PolicyService/bundle"

// DefaultMaxMessageBytes is the default largest request or response.
const DefaultMaxMessageBytes = 4 << 20

// Options configure a server.
type Options struct {
	Compiler Compiler
	Policies Policies
	// Logger receives request logs and faults; nil discards them.
	Logger *slog.Logger
	// MaxMessageBytes bounds requests and responses; zero means
	// DefaultMaxMessageBytes.
	MaxMessageBytes int
	// MaxConcurrentCompiles bounds the compiles running at once (Compile,
	// Validate and each intent of a batch); a compile past the bound is
	// refused at once with RESOURCE_EXHAUSTED. Zero means
	// DefaultMaxConcurrentCompiles(); negative means no bound.
	MaxConcurrentCompiles int
	// MaxBatch bounds the intents of one CompileBatch stream; the one past
	// the bound ends the stream with INVALID_ARGUMENT. Zero means
	// DefaultMaxBatch.
	MaxBatch int
	// StreamWorkers is how many goroutines serve calls, each kept from one
	// call to the next so that its stack, grown by a compile, stays grown
	// (gRPC's stream workers); a call that finds them all busy gets a
	// goroutine of its own. Zero means DefaultStreamWorkers(); negative
	// means none: a new goroutine for every call.
	StreamWorkers int
	// Conn configures connections: age, keepalive, streams per connection.
	Conn ConnLimits
	// Credentials secure the connections (TLSSource.Credentials); nil
	// serves plaintext.
	Credentials credentials.TransportCredentials
	// Tokens, when set, are the bearer tokens every call but health checks
	// must present; a call without a valid one is UNAUTHENTICATED.
	Tokens *Tokens
	// Observer, when set, is told how long decoding each podc request took
	// and of every refusal, for metrics.
	Observer Observer
	// Unary and Stream interceptors run outside the server's own (logging,
	// panic recovery, tokens), so they see every call, refused or not: the
	// metrics interceptors.
	Unary  []grpc.UnaryServerInterceptor
	Stream []grpc.StreamServerInterceptor
	// StatsHandler, when set, sees every call from its first byte: the
	// tracing handler.
	StatsHandler stats.Handler
}

// Server is a configured gRPC server with every podc service registered.
type Server struct {
	GRPC   *grpc.Server
	health *health.Server
	opts   Options
}

// New builds the gRPC server: CompilerService, PolicyService, grpc.health.v1
// and server reflection, behind request logging, panic recovery and, with
// Tokens, bearer token checks.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if opts.MaxConcurrentCompiles == 0 {
		opts.MaxConcurrentCompiles = DefaultMaxConcurrentCompiles()
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.StreamWorkers == 0 {
		opts.StreamWorkers = DefaultStreamWorkers()
	}
	unary := append(slices.Clip(opts.Unary), logUnary(opts.Logger), recoverUnary(opts.Logger))
	stream := append(slices.Clip(opts.Stream), logStream(opts.Logger), recoverStream(opts.Logger))
	if opts.Tokens != nil {
		unary = append(unary, authUnary(opts.Tokens, opts.Observer))
		stream = append(stream, authStream(opts.Tokens, opts.Observer))
	}
	gopts := append(opts.Conn.serverOptions(),
		grpc.MaxRecvMsgSize(opts.MaxMessageBytes),
		grpc.MaxSendMsgSize(opts.MaxMessageBytes),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
	)
	if opts.Credentials != nil {
		gopts = append(gopts, grpc.Creds(opts.Credentials))
	}
	gopts = append(gopts, grpc.ForceServerCodecV2(newRequestCodec(opts.Observer)))
	if opts.StatsHandler != nil {
		gopts = append(gopts, grpc.StatsHandler(opts.StatsHandler))
	}
	if opts.StreamWorkers > 0 {
		gopts = append(gopts, grpc.NumStreamWorkers(uint32(min(opts.StreamWorkers, math.MaxUint32))))
	}
	gs := grpc.NewServer(gopts...)
	s := &Server{GRPC: gs, health: health.NewServer(), opts: opts}
	gs.RegisterService(callerDecoding(podcv1.CompilerService_ServiceDesc), &compilerService{
		c: opts.Compiler, p: opts.Policies, log: opts.Logger, obs: opts.Observer,
		slots: newSlots(opts.MaxConcurrentCompiles), maxBatch: opts.MaxBatch, responses: newResponses(),
	})
	gs.RegisterService(callerDecoding(podcv1.PolicyService_ServiceDesc), &policyService{p: opts.Policies})
	healthpb.RegisterHealthServer(gs, s.health)
	reflection.Register(gs)
	s.SetServing()
	return s
}

// HealthServer returns a gRPC server with grpc.health.v1 alone, answering
// from this server's health states, without credentials or tokens: for
// probes that speak neither TLS nor tokens (the kubelet's grpc probe), on a
// port only they reach.
func (s *Server) HealthServer() *grpc.Server {
	gs := grpc.NewServer(grpc.MaxRecvMsgSize(64<<10), grpc.ChainUnaryInterceptor(recoverUnary(s.opts.Logger)))
	healthpb.RegisterHealthServer(gs, s.health)
	return gs
}

// SetServing marks every service SERVING and the policy bundle check by the
// state of the last load.
func (s *Server) SetServing() {
	for _, name := range []string{"", podcv1.CompilerService_ServiceDesc.ServiceName, podcv1.PolicyService_ServiceDesc.ServiceName} {
		s.health.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	s.UpdatePolicyHealth()
}

// UpdatePolicyHealth sets PolicyHealthService from the policy store's status.
func (s *Server) UpdatePolicyHealth() {
	st := healthpb.HealthCheckResponse_SERVING
	if s.opts.Policies.Status().LastError != "" {
		st = healthpb.HealthCheckResponse_NOT_SERVING
	}
	s.health.SetServingStatus(PolicyHealthService, st)
}

// WatchPolicyHealth keeps PolicyHealthService in step with the policy
// store until ctx is done.
func (s *Server) WatchPolicyHealth(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.UpdatePolicyHealth()
		}
	}
}

// Shutdown marks every service NOT_SERVING, so load balancers stop sending
// new calls, and then lets calls in flight finish.
func (s *Server) Shutdown() {
	s.health.Shutdown()
}
