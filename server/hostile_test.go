package server

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/hostile"
)

// rawCodec sends and receives messages as the bytes they are, to put
// arbitrary bytes on the wire. Its name is "proto": the server decodes
// with its own codec.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, errors.New("rawCodec: want *[]byte")
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return errors.New("rawCodec: want *[]byte")
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// startTCP serves a real engine on the embedded policies on 127.0.0.1.
func startTCP(t *testing.T) *grpc.ClientConn {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(b, nil)
	srv := New(Options{Compiler: compiler.New(compiler.Options{Policies: st}), Policies: st})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.GRPC.Serve(lis)
	t.Cleanup(srv.GRPC.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestHostileCorpus sends every case of the hostile corpus that has a gRPC
// form to a real server: each gets its status code and, for a refused
// intent, a field violation at its path; the server is SERVING after each.
func TestHostileCorpus(t *testing.T) {
	cases := hostile.Cases()
	if len(cases) < 60 {
		t.Fatalf("the corpus has %d cases, want at least 60", len(cases))
	}
	conn := startTCP(t)
	client := podcv1.NewCompilerServiceClient(conn)
	health := healthpb.NewHealthClient(conn)
	ran := 0
	for _, c := range cases {
		if c.Code == codes.OK {
			continue // no gRPC form
		}
		ran++
		t.Run(c.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var err error
			if c.Wire != nil {
				in, out := c.Wire, []byte(nil)
				err = conn.Invoke(ctx, "/podc.v1.CompilerService/Compile", &in, &out, grpc.ForceCodec(rawCodec{}))
			} else {
				req, ok := c.Request()
				if !ok {
					t.Fatal("the case's input does not decode")
				}
				_, err = client.Compile(ctx, req)
			}
			st := status.Convert(err)
			if st.Code() != c.Code {
				t.Fatalf("code %s, want %s: %s", st.Code(), c.Code, st.Message()[:min(len(st.Message()), 300)])
			}
			if len(st.Message()) > 2000 {
				t.Errorf("a %d-byte status message", len(st.Message()))
			}
			if c.Code == codes.InvalidArgument {
				wantViolation(t, st, c.Field, c.Message)
			}
			for _, svc := range []string{"", podcv1.CompilerService_ServiceDesc.ServiceName} {
				resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
				if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
					t.Fatalf("health %q after the case: %v %v", svc, resp.GetStatus(), err)
				}
			}
		})
	}
	if ran < 40 {
		t.Errorf("only %d cases ran over gRPC", ran)
	}
	// And a good intent still compiles.
	if _, err := client.Compile(context.Background(), &podcv1.CompileRequest{Intent: example(t, "checkout.json")}); err != nil {
		t.Errorf("checkout after the corpus: %v", err)
	}
}

// wantViolation asserts a google.rpc.BadRequest violation at field whose
// description contains msg.
func wantViolation(t *testing.T, st *status.Status, field, msg string) {
	t.Helper()
	var got []string
	for _, d := range st.Details() {
		br, ok := d.(*errdetails.BadRequest)
		if !ok {
			continue
		}
		for _, v := range br.GetFieldViolations() {
			if v.GetField() == field && strings.Contains(v.GetDescription(), msg) {
				return
			}
			got = append(got, v.GetField()+": "+v.GetDescription()[:min(len(v.GetDescription()), 200)])
		}
	}
	t.Errorf("no violation at %q mentioning %q; got %q", field, msg, got)
}
