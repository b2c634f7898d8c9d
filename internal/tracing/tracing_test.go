package tracing_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/internal/tracing"
)

func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    tracing.Config
		wantErr string
	}{
		{name: "nothing set: off", env: nil, want: tracing.Config{}},
		{name: "an endpoint: on, over HTTP", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
			want: tracing.Config{Enabled: true, Protocol: tracing.ProtocolHTTP}},
		{name: "a traces endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"},
			want: tracing.Config{Enabled: true, Protocol: tracing.ProtocolHTTP}},
		{name: "otlp exporter alone", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"},
			want: tracing.Config{Enabled: true, Protocol: tracing.ProtocolHTTP}},
		{name: "grpc", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
			want: tracing.Config{Enabled: true, Protocol: tracing.ProtocolGRPC}},
		{name: "the traces protocol wins", env: map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT": "x", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"},
			want: tracing.Config{Enabled: true, Protocol: tracing.ProtocolHTTP}},
		{name: "none wins over an endpoint", env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "x"},
			want: tracing.Config{}},
		{name: "disabled SDK", env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"},
			want: tracing.Config{}},
		{name: "another exporter", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: "OTLP only"},
		{name: "http/json", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"},
			wantErr: "http/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tracing.ConfigFromEnv(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ConfigFromEnv = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// received collects the spans an OTLP receiver was sent, by name, and the
// service.name of their resource.
type received struct {
	mu       sync.Mutex
	spans    []string
	services []string
}

func (r *received) add(req *coltracepb.ExportTraceServiceRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, a := range rs.GetResource().GetAttributes() {
			if a.GetKey() == "service.name" {
				r.services = append(r.services, a.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				r.spans = append(r.spans, s.GetName())
			}
		}
	}
}

// export makes one span through a provider the environment configures,
// and shuts the provider down, which sends it.
func export(t *testing.T, env map[string]string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := tracing.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || !cfg.Enabled {
		t.Fatalf("config %+v, %v", cfg, err)
	}
	ctx := context.Background()
	tp, err := tracing.NewProvider(ctx, cfg, "v-test")
	if err != nil {
		t.Fatal(err)
	}
	_, span := tp.Tracer("test").Start(ctx, "exported")
	span.End()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func (r *received) check(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.spans) != 1 || r.spans[0] != "exported" {
		t.Errorf("spans received %v, want [exported]", r.spans)
	}
	if len(r.services) != 1 || r.services[0] != tracing.ServiceName {
		t.Errorf("service.name %v, want %s", r.services, tracing.ServiceName)
	}
}

func TestExportsOverOTLPHTTP(t *testing.T) {
	var got received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, req) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		got.add(req)
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Write(out)
	}))
	defer srv.Close()
	export(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL})
	got.check(t)
}

// traceService is an OTLP gRPC receiver.
type traceService struct {
	coltracepb.UnimplementedTraceServiceServer
	got *received
}

func (s traceService) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	s.got.add(req)
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

func TestExportsOverOTLPGRPC(t *testing.T) {
	var got received
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(gs, traceService{got: &got})
	go gs.Serve(lis)
	defer gs.Stop()
	export(t, map[string]string{
		"OTEL_TRACES_EXPORTER":        "otlp",
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + lis.Addr().String(),
		"OTEL_SERVICE_NAME":           "",
	})
	got.check(t)
}

func TestServiceNameFromEnv(t *testing.T) {
	var got received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if proto.Unmarshal(body, req) == nil {
			got.add(req)
		}
	}))
	defer srv.Close()
	export(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL, "OTEL_SERVICE_NAME": "podc-eu1"})
	got.mu.Lock()
	defer got.mu.Unlock()
	if len(got.services) != 1 || got.services[0] != "podc-eu1" {
		t.Errorf("service.name %v, want podc-eu1 from OTEL_SERVICE_NAME", got.services)
	}
}
