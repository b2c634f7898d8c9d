package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/testpki"
)

// pki writes a CA, a server pair and a client pair into a directory.
type pki struct {
	dir                           string
	ca                            *testpki.CA
	serverCert, serverKey, caFile string
	clientCert, clientKey         string
	clientPair                    testpki.Pair
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{dir: t.TempDir()}
	var err error
	if p.ca, err = testpki.NewCA("ca"); err != nil {
		t.Fatal(err)
	}
	p.caFile = filepath.Join(p.dir, "ca.pem")
	if err := os.WriteFile(p.caFile, p.ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	server, err := p.ca.Server("server")
	if err != nil {
		t.Fatal(err)
	}
	if p.serverCert, p.serverKey, err = server.Write(p.dir, "server"); err != nil {
		t.Fatal(err)
	}
	if p.clientPair, err = p.ca.Client("client"); err != nil {
		t.Fatal(err)
	}
	if p.clientCert, p.clientKey, err = p.clientPair.Write(p.dir, "client"); err != nil {
		t.Fatal(err)
	}
	return p
}

// client dials addr over TLS trusting the CA, with the client certificate
// when withCert.
func (p *pki) client(t *testing.T, addr string, withCert bool) *grpc.ClientConn {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(p.ca.PEM)
	cfg := &tls.Config{RootCAs: pool}
	if withCert {
		c, err := tls.X509KeyPair(p.clientPair.CertPEM, p.clientPair.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func writeTokens(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeMutualTLSAndToken runs the strictest set-up: TLS, client
// certificates and bearer tokens.
func TestServeMutualTLSAndToken(t *testing.T) {
	p := newPKI(t)
	tokens := writeTokens(t, "# the portal\nportal-token\n")
	srv := serveForTest(t, "--drain-delay", "0", "--tls-cert", p.serverCert, "--tls-key", p.serverKey,
		"--client-ca", p.caFile, "--auth-token-file", tokens)
	if !strings.Contains(srv.log.String(), "tls=true mutual_tls=true bearer_tokens=1") {
		t.Errorf("the log does not describe the set-up:\n%s", srv.log.String())
	}
	if strings.Contains(srv.log.String(), "plaintext") {
		t.Errorf("a plaintext warning with TLS:\n%s", srv.log.String())
	}
	conn := p.client(t, srv.addr, true)
	compiler := podcv1.NewCompilerServiceClient(conn)
	req := &podcv1.CompileRequest{Intent: hello(t).Request.Intent}

	authed := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer portal-token")
	if _, err := compiler.Compile(authed, req); err != nil {
		t.Fatalf("with certificate and token: %v", err)
	}
	if _, err := compiler.Compile(context.Background(), req); status.Code(err) != codes.Unauthenticated {
		t.Errorf("without a token: %v, want Unauthenticated", err)
	}
	wrong := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer guess")
	if _, err := compiler.Compile(wrong, req); status.Code(err) != codes.Unauthenticated {
		t.Errorf("with a wrong token: %v, want Unauthenticated", err)
	}
	if r, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil || r.Status != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health without a token: %v %v", r, err)
	}
	if _, err := podcv1.NewCompilerServiceClient(p.client(t, srv.addr, false)).Compile(authed, req); status.Code(err) != codes.Unavailable {
		t.Errorf("a token without a client certificate: %v, want Unavailable", err)
	}
	srv.drain()
	srv.wait(t, 0)
}

func TestServeSecurityFlagErrors(t *testing.T) {
	p := newPKI(t)
	empty := writeTokens(t, "# nobody\n")
	for name, args := range map[string][]string{
		"cert without key":        {"--tls-cert", p.serverCert},
		"key without cert":        {"--tls-key", p.serverKey},
		"client CA without TLS":   {"--client-ca", p.caFile},
		"mismatched pair":         {"--tls-cert", p.serverCert, "--tls-key", p.clientKey},
		"missing token file":      {"--auth-token-file", filepath.Join(p.dir, "nope")},
		"token file of no tokens": {"--auth-token-file", empty},
		"zero compiles":           {"--max-concurrent-compiles", "0"},
		"negative drain":          {"--drain-delay", "-1s"},
		"zero batch":              {"--max-batch", "0"},
		"negative stream workers": {"--stream-workers", "-1"},
		"zero keepalive":          {"--keepalive-min-time", "0"},
		"unknown admission":       {"--result-cache-admit", "first"},
	} {
		// Stops already closed: a server that starts anyway exits at once.
		closed := make(chan struct{})
		close(closed)
		var log bytes.Buffer
		if code := serveCmd(stops{drain: closed, now: closed}, append([]string{"--addr", "127.0.0.1:0"}, args...), &log); code != exitUsage {
			t.Errorf("%s: exit %d, want %d:\n%s", name, code, exitUsage, log.String())
		}
	}
}

func TestPlaintextWarning(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		sec  security
		warn bool
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, security{}, false},
		{&net.TCPAddr{IP: net.IPv6loopback}, security{}, false},
		{&net.TCPAddr{IP: net.IPv4zero}, security{}, true},
		{&net.TCPAddr{IP: net.IPv6unspecified}, security{}, true},
		{&net.TCPAddr{IP: net.IPv4(10, 0, 0, 7)}, security{}, true},
	} {
		var log bytes.Buffer
		tc.sec.report(slog.New(slog.NewTextHandler(&log, nil)), tc.addr)
		if got := strings.Contains(log.String(), "level=WARN") && strings.Contains(log.String(), "plaintext"); got != tc.warn {
			t.Errorf("%v: warned %v, want %v:\n%s", tc.addr, got, tc.warn, log.String())
		}
	}
}

// TestServeLimitFlags checks that the limit flags reach the server.
func TestServeLimitFlags(t *testing.T) {
	srv := serveForTest(t, "--drain-delay", "0", "--max-batch", "2")
	stream := batchClient(t, srv.addr)
	for range 3 {
		if err := stream.Send(hello(t)); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if r, err := stream.Recv(); err != nil || r.GetResponse() == nil {
			t.Fatalf("%v %v", r, err)
		}
	}
	if _, err := stream.Recv(); status.Code(err) != codes.InvalidArgument {
		t.Errorf("the third intent of a --max-batch 2 stream: %v, want InvalidArgument", err)
	}
}

var healthAddr = regexp.MustCompile(`msg="health serving" health_addr=(\S+)`)

// TestHealthAddr serves the API with TLS and tokens and health alone on a
// plaintext port, as the kubelet's grpc probe needs: the probe port answers
// health without TLS or token, follows the drain, and serves nothing else.
func TestHealthAddr(t *testing.T) {
	p := newPKI(t)
	srv := serveForTest(t, "--drain-delay", "1h", "--tls-cert", p.serverCert, "--tls-key", p.serverKey,
		"--auth-token-file", writeTokens(t, "a-token\n"), "--health-addr", "127.0.0.1:0")
	m := healthAddr.FindStringSubmatch(srv.log.String())
	if m == nil {
		t.Fatalf("no health address in the log:\n%s", srv.log.String())
	}
	probe := dial(t, m[1])
	health := healthpb.NewHealthClient(probe)
	if r, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil || r.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health on the probe port: %v %v", r, err)
	}
	authed := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer a-token")
	if _, err := podcv1.NewCompilerServiceClient(probe).Compile(authed, &podcv1.CompileRequest{Intent: hello(t).Request.Intent}); status.Code(err) != codes.Unimplemented {
		t.Errorf("Compile on the probe port: %v, want Unimplemented", err)
	}
	srv.drain()
	eventually(t, "the probe port reports NOT_SERVING", func() bool {
		r, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{})
		return err == nil && r.Status == healthpb.HealthCheckResponse_NOT_SERVING
	})
	srv.now()
	srv.wait(t, 0)
}
