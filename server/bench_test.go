package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/exampletest"
	"github.com/podc-dev/podc/server/metrics"
)

// benchStreams is how many calls the served benchmarks keep in flight, as
// scripts/load.sh does by default.
const benchStreams = 16

// serveBench serves the real engine on the embedded policies as "podc
// serve --metrics-addr ... --log-level warn" does (metrics interceptors
// and observer, request log at warn) on a 127.0.0.1 port, and returns a
// client connection to it.
func serveBench(b *testing.B) *grpc.ClientConn {
	b.Helper()
	bundle, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	st := store.New(bundle, nil)
	m := metrics.New(metrics.Options{Reasons: RefusalReasons})
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng := compiler.New(compiler.Options{Policies: st, Logger: log, Observer: m})
	srv := New(Options{
		Compiler: eng, Policies: st, Logger: log, Observer: m,
		Unary: []grpc.UnaryServerInterceptor{m.UnaryInterceptor()}, Stream: []grpc.StreamServerInterceptor{m.StreamInterceptor()},
	})
	m.InitGRPC(srv.GRPC)
	m.Track(metrics.Sources{Engine: eng, Policies: st})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.GRPC.Serve(lis)
	b.Cleanup(srv.GRPC.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return conn
}

// BenchmarkServe measures calls through a real server over loopback TCP,
// client and server in this process, benchStreams calls in flight:
// "identical" is Compile of examples/checkout.json every time (a result
// cache hit after the first), "distinct" the same with a new workload
// name every call (a new intent), "health" the standard health check, the
// cost of a call itself. Profile the server side with -cpuprofile.
func BenchmarkServe(b *testing.B) {
	conn := serveBench(b)
	wi := exampletest.Intent(b, "checkout.json")
	ctx := context.Background()
	parallel := func(b *testing.B, call func() error) {
		if err := call(); err != nil { // warm: the first compile, the connection
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.SetParallelism(max(1, benchStreams/runtime.GOMAXPROCS(0)))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := call(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.Run("identical", func(b *testing.B) {
		client := podcv1.NewCompilerServiceClient(conn)
		req := &podcv1.CompileRequest{Intent: wi}
		parallel(b, func() error {
			resp, err := client.Compile(ctx, req)
			if err == nil && len(resp.GetManifests()) == 0 {
				b.Error("no manifests")
			}
			return err
		})
	})
	b.Run("distinct", func(b *testing.B) {
		client := podcv1.NewCompilerServiceClient(conn)
		var n atomic.Int64
		parallel(b, func() error {
			req := &podcv1.CompileRequest{Intent: proto.CloneOf(wi)}
			req.Intent.Name = fmt.Sprintf("checkout-%d", n.Add(1))
			resp, err := client.Compile(ctx, req)
			if err == nil && len(resp.GetManifests()) == 0 {
				b.Error("no manifests")
			}
			return err
		})
	})
	b.Run("health", func(b *testing.B) {
		client := healthpb.NewHealthClient(conn)
		parallel(b, func() error {
			_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
			return err
		})
	})
}
