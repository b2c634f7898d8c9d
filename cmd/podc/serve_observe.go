package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/grpclog"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/internal/grpclogs"
	"github.com/podc-dev/podc/internal/tracing"
	"github.com/podc-dev/podc/server"
	"github.com/podc-dev/podc/server/metrics"
)

// grpcLogs receives grpc-go's own logs, at debug level; serve points it at
// its logger. grpclog wants its logger before gRPC runs.
var grpcLogs = new(grpclogs.Logger)

func init() { grpclog.SetLoggerV2(grpcLogs) }

// observability is what --metrics-addr and the OTEL_* variables set up:
// Prometheus metrics on their own HTTP listener, and tracing.
type observability struct {
	metrics *metrics.Metrics         // nil without --metrics-addr
	tracer  *sdktrace.TracerProvider // nil when the environment asks for no tracing
	lis     net.Listener             // the metrics listener
	http    *http.Server
}

// setUpObservability listens on metricsAddr (none when empty) and sets up
// tracing as getenv's OTEL_* variables ask. Errors are usage errors.
func setUpObservability(ctx context.Context, metricsAddr string, getenv func(string) string, log *slog.Logger) (*observability, error) {
	o := &observability{}
	cfg, err := tracing.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	if cfg.Enabled {
		if o.tracer, err = tracing.NewProvider(ctx, cfg, version); err != nil {
			return nil, err
		}
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			log.Warn("tracing", "error", err)
		}))
		log.Info("tracing", "exporter", "otlp", "protocol", cfg.Protocol)
	}
	if metricsAddr != "" {
		if o.lis, err = net.Listen("tcp", metricsAddr); err != nil {
			o.shutdown(log)
			return nil, err
		}
		o.metrics = metrics.New(metrics.Options{Reasons: server.RefusalReasons})
	}
	return o, nil
}

// engine sets the engine's observer and tracer.
func (o *observability) engine(opts *compiler.Options) {
	if o.metrics != nil {
		opts.Observer = o.metrics
	}
	if o.tracer != nil {
		opts.TracerProvider = o.tracer
	}
}

// server sets the server's observer, metrics interceptors and tracing
// handler.
func (o *observability) server(opts *server.Options) {
	if o.metrics != nil {
		opts.Observer = o.metrics
		opts.Unary = append(opts.Unary, o.metrics.UnaryInterceptor())
		opts.Stream = append(opts.Stream, o.metrics.StreamInterceptor())
	}
	if o.tracer != nil {
		opts.StatsHandler = tracing.ServerHandler(o.tracer)
	}
}

// serve starts serving /metrics, reading src at every scrape.
func (o *observability) serve(srv *server.Server, src metrics.Sources, log *slog.Logger) {
	if o.metrics == nil {
		return
	}
	o.metrics.InitGRPC(srv.GRPC)
	o.metrics.Track(src)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", o.metrics.Handler())
	o.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go func() {
		if err := o.http.Serve(o.lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "error", err)
		}
	}()
}

// metricsAddr is the address /metrics is served on; "" when it is not.
func (o *observability) metricsAddr() string {
	if o.lis == nil {
		return ""
	}
	return o.lis.Addr().String()
}

// shutdown stops serving metrics and sends the spans still buffered,
// waiting a few seconds at most.
func (o *observability) shutdown(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if o.http != nil {
		o.http.Shutdown(ctx)
	} else if o.lis != nil {
		o.lis.Close()
	}
	if o.tracer != nil {
		if err := o.tracer.Shutdown(ctx); err != nil {
			log.Warn("tracing: spans not sent on shutdown", "error", err)
		}
	}
}
