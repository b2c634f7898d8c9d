package server

import (
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// ConnLimits configure the server's connections. A zero field leaves gRPC's
// own default (no age limit, pings no more often than every 5 minutes,
// unlimited streams).
type ConnLimits struct {
	// MaxConnectionAge closes a connection, with a GOAWAY, after this long.
	// Clients then reconnect and re-resolve the service name, so a
	// round_robin client (dns:///) spreads over replicas added since it
	// connected.
	MaxConnectionAge time.Duration
	// MaxConnectionAgeGrace is how long calls in flight on a connection past
	// MaxConnectionAge may take to finish before it is closed.
	MaxConnectionAgeGrace time.Duration
	// KeepaliveMinTime is the shortest interval between client keepalive
	// pings the server tolerates; a client pinging more often is sent a
	// GOAWAY (too_many_pings). Pings without calls in flight are allowed.
	KeepaliveMinTime time.Duration
	// MaxConcurrentStreams bounds the calls in flight on one connection;
	// a client opens more only as earlier ones finish.
	MaxConcurrentStreams uint32
}

// Defaults of ConnLimits that podc serve uses.
const (
	DefaultMaxConnectionAge      = 5 * time.Minute
	DefaultMaxConnectionAgeGrace = time.Minute
	DefaultKeepaliveMinTime      = 10 * time.Second
	DefaultMaxConcurrentStreams  = 100
)

// serverOptions are the gRPC options for c.
func (c ConnLimits) serverOptions() []grpc.ServerOption {
	var opts []grpc.ServerOption
	if c.MaxConnectionAge > 0 {
		opts = append(opts, grpc.KeepaliveParams(keepalive.ServerParameters{
			MaxConnectionAge:      c.MaxConnectionAge,
			MaxConnectionAgeGrace: c.MaxConnectionAgeGrace,
		}))
	}
	if c.KeepaliveMinTime > 0 {
		opts = append(opts, grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime:             c.KeepaliveMinTime,
			PermitWithoutStream: true,
		}))
	}
	if c.MaxConcurrentStreams > 0 {
		opts = append(opts, grpc.MaxConcurrentStreams(c.MaxConcurrentStreams))
	}
	return opts
}
