// Package metrics exports podc's Prometheus metrics: the gRPC server's own
// series (grpc_server_*, from go-grpc-middleware's Prometheus provider),
// and podc's (podc_*): the stage latencies, policy decisions and refusals
// it is told of as the engine's and the server's Observer, and, read at
// every scrape, the bounded caches, the policy bundle and the compiles in
// flight.
//
// Every label takes its values from a bounded set: stage names, the rule
// ids of the active policy bundle, outcomes, refusal reasons, cache names,
// and the gRPC methods the server registers. No label carries a value of a
// request.
//
// The README's "Metrics and tracing" section lists every series.
package metrics

import (
	"net/http"
	"slices"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/reflection"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
)

// Buckets are the bounds, in seconds, of the latency histograms: a stage
// takes from a few microseconds (a cached rule) to tens of milliseconds
// (a large intent's policies), a call up to its deadline.
var Buckets = []float64{
	.00001, .000025, .00005, .0001, .00025, .0005,
	.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10,
}

// ReasonOther counts the refusals for a reason not in Options.Reasons.
const ReasonOther = "OTHER"

// Options configure Metrics.
type Options struct {
	// Reasons are the refusal reasons the server gives (server.RefusalReasons):
	// each is counted from zero, any other as ReasonOther.
	Reasons []string
}

// Metrics holds podc's metrics in a registry of its own. It implements
// the engine's and the server's Observer. It is safe for concurrent use.
type Metrics struct {
	reg       *prometheus.Registry
	grpc      *grpcprom.ServerMetrics
	stages    map[compiler.Stage]prometheus.Observer
	stageVec  *prometheus.HistogramVec
	refusals  map[string]prometheus.Counter
	decisions *decisions
}

// New returns the metrics, with Go runtime and process metrics beside
// podc's.
func New(opts Options) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		grpc: grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(
			grpcprom.WithHistogramBuckets(Buckets))),
		stageVec: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "podc_stage_duration_seconds",
			Help:    "How long one run of a pipeline stage took.",
			Buckets: Buckets,
		}, []string{"stage"}),
		stages:    map[compiler.Stage]prometheus.Observer{},
		refusals:  map[string]prometheus.Counter{},
		decisions: newDecisions(),
	}
	for _, s := range compiler.Stages {
		m.stages[s] = m.stageVec.WithLabelValues(string(s))
	}
	refusals := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "podc_refusals_total",
		Help: "Calls and batch entries refused, by reason: the ErrorInfo reason sent, or UNAUTHENTICATED.",
	}, []string{"reason"})
	for _, r := range append(slices.Clone(opts.Reasons), ReasonOther) {
		m.refusals[r] = refusals.WithLabelValues(r)
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.grpc, m.stageVec, refusals,
	)
	return m
}

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry returns the registry the metrics are in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// UnaryInterceptor counts and times unary calls (grpc_server_*).
func (m *Metrics) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return m.grpc.UnaryServerInterceptor()
}

// StreamInterceptor counts and times streaming calls (grpc_server_*).
func (m *Metrics) StreamInterceptor() grpc.StreamServerInterceptor {
	return m.grpc.StreamServerInterceptor()
}

// InitGRPC makes the grpc_server_* series of every method srv serves
// exist from zero, so rates and ratios are defined before the first call.
// Call it once every service is registered.
func (m *Metrics) InitGRPC(srv reflection.ServiceInfoProvider) {
	m.grpc.InitializeMetrics(srv)
}

// StageDone records one run of a stage (compiler.Observer).
func (m *Metrics) StageDone(stage compiler.Stage, d time.Duration) {
	if o, ok := m.stages[stage]; ok {
		o.Observe(d.Seconds())
	}
}

// Decided counts the decisions of one policy stage (compiler.Observer).
func (m *Metrics) Decided(ds []diag.Decision) { m.decisions.add(ds) }

// Refused counts a refusal (server.Observer).
func (m *Metrics) Refused(reason string) {
	c, ok := m.refusals[reason]
	if !ok {
		c = m.refusals[ReasonOther]
	}
	c.Inc()
}
