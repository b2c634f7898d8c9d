package main

import (
	"bytes"
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// syncBuffer is a bytes.Buffer safe for the server's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingAddr = regexp.MustCompile(`msg="podc serving".* addr=(\S+)`)

// testServer is a serveCmd running in the test.
type testServer struct {
	addr string
	log  *syncBuffer
	exit chan int
	// drain starts the shutdown (the first SIGTERM); now cuts the drain
	// delay short (the second).
	drain, now func()
}

// serveForTest runs serveCmd with args on a free loopback port until the
// test stops it.
func serveForTest(t *testing.T, args ...string) *testServer {
	t.Helper()
	drain, now := make(chan struct{}), make(chan struct{})
	s := &testServer{
		log: &syncBuffer{}, exit: make(chan int, 1),
		drain: sync.OnceFunc(func() { close(drain) }),
		now:   sync.OnceFunc(func() { close(now) }),
	}
	t.Cleanup(func() { s.now(); s.drain() })
	go func() {
		s.exit <- serveCmd(stops{drain: drain, now: now}, append([]string{"--addr", "127.0.0.1:0"}, args...), s.log)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingAddr.FindStringSubmatch(s.log.String()); m != nil {
			s.addr = m[1]
			return s
		}
		select {
		case code := <-s.exit:
			t.Fatalf("serve exited %d:\n%s", code, s.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", s.log.String())
	return nil
}

// wait requires serve to exit with code within a bound only a hung server
// reaches.
func (s *testServer) wait(t *testing.T, code int) {
	t.Helper()
	select {
	case got := <-s.exit:
		if got != code {
			t.Fatalf("exit %d, want %d:\n%s", got, code, s.log.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not exit:\n%s", s.log.String())
	}
}

func batchClient(t *testing.T, addr string) podcv1.CompilerService_CompileBatchClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	stream, err := podcv1.NewCompilerServiceClient(conn).CompileBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return stream
}

func hello(t *testing.T) *podcv1.CompileBatchRequest {
	t.Helper()
	wi, err := intent.Decode([]byte(`{"name": "hello", "containers": [{"name": "web", "image": "nginx:1.27.3"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return &podcv1.CompileBatchRequest{Request: &podcv1.CompileRequest{Intent: wi}}
}

// TestShutdownLetsCallsInFlightFinish starts a batch, asks the server to
// stop, and requires the batch to go on until the client ends it; then the
// server exits 0.
func TestShutdownLetsCallsInFlightFinish(t *testing.T) {
	srv := serveForTest(t, "--grace", "30s", "--drain-delay", "0")
	stream := batchClient(t, srv.addr)
	if err := stream.Send(hello(t)); err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || r.GetResponse() == nil {
		t.Fatalf("first result: %v %v", r, err)
	}
	srv.drain()
	time.Sleep(200 * time.Millisecond) // the server is now stopping
	if err := stream.Send(hello(t)); err != nil {
		t.Fatalf("the call in flight was cut: %v", err)
	}
	if r, err := stream.Recv(); err != nil || r.GetResponse() == nil || r.Index != 1 {
		t.Fatalf("second result during shutdown: %v %v", r, err)
	}
	select {
	case code := <-srv.exit:
		t.Fatalf("server exited (%d) with a call in flight", code)
	default:
	}
	stream.CloseSend()
	if _, err := stream.Recv(); err == nil {
		t.Fatal("stream did not end")
	}
	srv.wait(t, 0)
}

// TestShutdownGraceIsBounded keeps a call open past the grace period: the
// server closes it and still exits 0.
func TestShutdownGraceIsBounded(t *testing.T) {
	srv := serveForTest(t, "--grace", "300ms", "--drain-delay", "0")
	stream := batchClient(t, srv.addr)
	if err := stream.Send(hello(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	srv.drain()
	srv.wait(t, 0)
	if _, err := stream.Recv(); err == nil {
		t.Error("the stream outlived the server")
	}
}
