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

// serveForTest runs serveCmd until cancel is called; it returns the
// address, the log and the exit code channel.
func serveForTest(t *testing.T, args ...string) (addr string, log *syncBuffer, cancel func(), exit chan int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log = &syncBuffer{}
	exit = make(chan int, 1)
	go func() { exit <- serveCmd(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), log) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingAddr.FindStringSubmatch(log.String()); m != nil {
			return m[1], log, cancel, exit
		}
		select {
		case code := <-exit:
			t.Fatalf("serve exited %d:\n%s", code, log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not start:\n%s", log.String())
	return
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
	addr, log, cancel, exit := serveForTest(t, "--grace", "30s")
	stream := batchClient(t, addr)
	if err := stream.Send(hello(t)); err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || r.GetResponse() == nil {
		t.Fatalf("first result: %v %v", r, err)
	}
	cancel()
	time.Sleep(200 * time.Millisecond) // the server is now draining
	if err := stream.Send(hello(t)); err != nil {
		t.Fatalf("the call in flight was cut: %v", err)
	}
	if r, err := stream.Recv(); err != nil || r.GetResponse() == nil || r.Index != 1 {
		t.Fatalf("second result during shutdown: %v %v", r, err)
	}
	select {
	case code := <-exit:
		t.Fatalf("server exited (%d) with a call in flight", code)
	default:
	}
	stream.CloseSend()
	if _, err := stream.Recv(); err == nil {
		t.Fatal("stream did not end")
	}
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, log.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not exit after the last call finished")
	}
}

// TestShutdownGraceIsBounded keeps a call open past the grace period: the
// server closes it and still exits 0.
func TestShutdownGraceIsBounded(t *testing.T) {
	addr, log, cancel, exit := serveForTest(t, "--grace", "300ms")
	stream := batchClient(t, addr)
	if err := stream.Send(hello(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, log.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server waited past its grace period")
	}
	if _, err := stream.Recv(); err == nil {
		t.Error("the stream outlived the server")
	}
}
