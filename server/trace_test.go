package server

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/tracing"
)

// TestCompileTrace serves with the tracing stats handler and an engine
// that traces its stages into an in-memory exporter, and calls Compile
// from a traced client: the call's server span is a child of the client's,
// each stage a child of the server span, and no span carries a value of
// the intent, whether it compiles or is refused.
func TestCompileTrace(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := serveEnv(t, b, Options{
		Compiler:     compiler.New(compiler.Options{Policies: store.New(b, nil), TracerProvider: tp}),
		StatsHandler: tracing.ServerHandler(tp),
	})
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return e.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(tp), otelgrpc.WithPropagators(tracing.Propagator()))))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := podcv1.NewCompilerServiceClient(conn)

	wi := example(t, "hello.json")
	wi.Name = "traced-name-7f3a"
	wi.Containers[0].Image = "registry.example.com/traced-image:7f3a"
	if _, err := client.Compile(context.Background(), &podcv1.CompileRequest{Intent: wi}); err != nil {
		t.Fatal(err)
	}

	// The server ends its span after the answer is sent, so it may be
	// recorded a moment after the client has the answer.
	spans := exp.GetSpans()
	for deadline := time.Now().Add(10 * time.Second); findSpan(spans, trace.SpanKindServer) == nil && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		spans = exp.GetSpans()
	}
	client_, server := findSpan(spans, trace.SpanKindClient), findSpan(spans, trace.SpanKindServer)
	if client_ == nil || server == nil {
		t.Fatalf("no client or server span in %v", spanNames(spans))
	}
	if server.Name != "podc.v1.CompilerService/Compile" || server.Parent.SpanID() != client_.SpanContext.SpanID() {
		t.Errorf("server span %q is not the Compile call under the client's span", server.Name)
	}
	var stages []compiler.Stage
	for _, s := range spans {
		if s.SpanKind == trace.SpanKindInternal {
			stages = append(stages, compiler.Stage(s.Name))
			if s.Parent.SpanID() != server.SpanContext.SpanID() || s.SpanContext.TraceID() != server.SpanContext.TraceID() {
				t.Errorf("stage span %s is not a child of the server span", s.Name)
			}
		}
	}
	want := []compiler.Stage{
		compiler.StageIntentCheck, compiler.StageIntentPolicy, compiler.StageCompile,
		compiler.StageManifestPolicy, compiler.StageValidation, compiler.StageRender,
	}
	if !slices.Equal(stages, want) {
		t.Errorf("stage spans %v, want %v", stages, want)
	}

	// A refused intent: its status message quotes the name, the server's
	// spans do not.
	exp.Reset()
	wi.Name = "Refused_Name_7f3a"
	_, err = client.Compile(context.Background(), &podcv1.CompileRequest{Intent: wi})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(status.Convert(err).Message(), "Refused_Name_7f3a") {
		t.Fatalf("refused intent: %v (want InvalidArgument quoting the name)", err)
	}
	spans = append(spans, exp.GetSpans()...)
	if len(spans) <= 2+len(want) {
		t.Fatalf("no spans for the refused call: %v", spanNames(spans))
	}
	assertNoValues(t, spans, "7f3a")

	// Health checks are not traced.
	exp.Reset()
	if _, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range exp.GetSpans() {
		if s.SpanKind == trace.SpanKindServer {
			t.Errorf("a health check was traced: %s", s.Name)
		}
	}
}

func findSpan(spans tracetest.SpanStubs, kind trace.SpanKind) *tracetest.SpanStub {
	for i := range spans {
		if spans[i].SpanKind == kind {
			return &spans[i]
		}
	}
	return nil
}

func spanNames(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.SpanKind.String()+":"+s.Name)
	}
	return out
}

// assertNoValues fails when the name, attributes, events or status of a
// span the server made carry value. (The client's span is the client's:
// grpc-go's otelgrpc client puts the status message in it.)
func assertNoValues(t *testing.T, spans tracetest.SpanStubs, value string) {
	t.Helper()
	for _, s := range spans {
		if s.SpanKind == trace.SpanKindClient {
			continue
		}
		texts := []string{s.Name, s.Status.Description}
		for _, a := range s.Attributes {
			texts = append(texts, a.Value.Emit())
		}
		for _, ev := range s.Events {
			texts = append(texts, ev.Name)
			for _, a := range ev.Attributes {
				texts = append(texts, a.Value.Emit())
			}
		}
		for _, text := range texts {
			if strings.Contains(text, value) {
				t.Errorf("%s span %s carries a value of the intent: %q", s.SpanKind, s.Name, text)
			}
		}
	}
}
