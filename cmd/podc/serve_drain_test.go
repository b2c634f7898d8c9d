package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// eventually polls cond, at most for a bound only a hung test reaches.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: never happened", what)
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// compiling is a CompileBatch stream that sends intents and checks answers
// one at a time until told to stop.
type compiling struct {
	answered atomic.Int64
	stop     chan struct{}
	failed   atomic.Pointer[error]
}

func (c *compiling) fail(err error) { c.failed.Store(&err) }

// err is the stream's failure, or nil.
func (c *compiling) err() error {
	if p := c.failed.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *compiling) run(t *testing.T, stream podcv1.CompilerService_CompileBatchClient) {
	for i := int64(0); ; i++ {
		select {
		case <-c.stop:
			if err := stream.CloseSend(); err != nil {
				c.fail(err)
				return
			}
			if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
				c.fail(err)
			}
			return
		default:
		}
		if err := stream.Send(hello(t)); err != nil {
			c.fail(err)
			return
		}
		r, err := stream.Recv()
		if err != nil {
			c.fail(err)
			return
		}
		if r.Index != i || r.GetResponse() == nil {
			c.fail(errors.New("a wrong answer: " + r.String()))
			return
		}
		c.answered.Add(1)
	}
}

// TestDrain keeps 16 streams compiling through a shutdown: health turns
// NOT_SERVING at once while every stream and new calls still succeed for the
// drain delay; after it, the streams in flight finish cleanly, none of their
// calls fails, and the server exits 0.
func TestDrain(t *testing.T) {
	// A drain delay no test reaches: the test ends it, as a second SIGTERM
	// does, once it has seen what it must see during the drain.
	// Compile slots for every stream: this test is about the drain, not
	// about refusing the excess (TestConcurrentCompilesAreBounded is).
	srv := serveForTest(t, "--drain-delay", "1h", "--grace", "1m", "--max-concurrent-compiles", "32")
	const n = 16
	streams := make([]*compiling, n)
	var wg sync.WaitGroup
	stopAll := make(chan struct{})
	for i := range streams {
		c := &compiling{stop: stopAll}
		streams[i] = c
		stream, err := podcv1.NewCompilerServiceClient(dial(t, srv.addr)).CompileBatch(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { c.run(t, stream) })
	}
	progressed := func(since []int64) bool {
		done := true
		for i, c := range streams {
			if err := c.err(); err != nil {
				t.Fatalf("stream %d failed after %d answers: %v", i, c.answered.Load(), err)
			}
			done = done && c.answered.Load() > since[i]
		}
		return done
	}
	counts := func() []int64 {
		out := make([]int64, n)
		for i, c := range streams {
			out[i] = c.answered.Load()
		}
		return out
	}
	eventually(t, "every stream compiles", func() bool { return progressed(make([]int64, n)) })

	health := healthpb.NewHealthClient(dial(t, srv.addr))
	srv.drain()
	eventually(t, "health turns NOT_SERVING", func() bool {
		r, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{})
		return err == nil && r.Status == healthpb.HealthCheckResponse_NOT_SERVING
	})
	// During the drain: the streams go on, and a new caller is still served.
	before := counts()
	eventually(t, "every stream compiles during the drain", func() bool { return progressed(before) })
	fresh := podcv1.NewCompilerServiceClient(dial(t, srv.addr))
	if _, err := fresh.Compile(context.Background(), &podcv1.CompileRequest{Intent: hello(t).Request.Intent}); err != nil {
		t.Fatalf("a new call during the drain: %v", err)
	}
	if r, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "podc.v1.CompilerService"}); err != nil || r.Status != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("CompilerService health during the drain: %v %v", r, err)
	}
	select {
	case code := <-srv.exit:
		t.Fatalf("serve exited (%d) during the drain delay", code)
	default:
	}

	// The drain ends: the server stops taking calls, and the streams it
	// took go on until their clients end them.
	srv.now()
	eventually(t, "the server stops taking calls", func() bool { return strings.Contains(srv.log.String(), `msg="shutting down"`) })
	before = counts()
	eventually(t, "every stream compiles while the server stops", func() bool { return progressed(before) })
	close(stopAll)
	wg.Wait()
	for i, c := range streams {
		if err := c.err(); err != nil {
			t.Errorf("stream %d failed after %d answers: %v", i, c.answered.Load(), err)
		}
	}
	srv.wait(t, 0)
	if !strings.Contains(srv.log.String(), "drain cut short") {
		t.Errorf("the log does not show the drain:\n%s", srv.log.String())
	}
}

// TestDrainDelayZero stops at once: no drain, a clean exit.
func TestDrainDelayZero(t *testing.T) {
	srv := serveForTest(t, "--drain-delay", "0")
	srv.drain()
	srv.wait(t, 0)
	if strings.Contains(srv.log.String(), "draining") {
		t.Errorf("drained with --drain-delay 0:\n%s", srv.log.String())
	}
}
