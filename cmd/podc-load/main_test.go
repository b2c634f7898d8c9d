package main

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/server"
)

func TestLoadRunReportsEveryCall(t *testing.T) {
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	store := store.New(b, nil)
	srv := server.New(server.Options{Compiler: compiler.New(compiler.Options{Policies: store}), Policies: store})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.GRPC.Serve(lis)
	defer srv.GRPC.Stop()

	var out, errb bytes.Buffer
	code := Main([]string{"-addr", lis.Addr().String(), "-f", "../../examples/hello.json", "-c", "2", "-n", "40", "-d", "60s"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	if !strings.HasPrefix(out.String(), "calls 40 ok, 0 failed") || !strings.Contains(out.String(), "latency p50 ") {
		t.Errorf("output:\n%s", out.String())
	}
	if code := Main([]string{"-f", "does-not-exist.json"}, &out, &errb); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}
