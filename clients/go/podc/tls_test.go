package podc_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
	"github.com/podc-dev/podc/clients/go/podc"
)

// gateway is a grpc-go server in the test with TLS (and, if asked, client
// certificates and a bearer token check) in front of the real podc: it
// forwards ListPolicies and Compile, so a call through it gets the real
// server's answer.
type gateway struct {
	podcv1.UnimplementedPolicyServiceServer
	podcv1.UnimplementedCompilerServiceServer
	backend *podc.Client
	token   string // the only token accepted; empty means no check

	mu   sync.Mutex
	seen []string // the authorization metadata of each call
}

func (g *gateway) ListPolicies(ctx context.Context, req *podcv1.ListPoliciesRequest) (*podcv1.ListPoliciesResponse, error) {
	return g.backend.ListPolicies(ctx, req)
}

func (g *gateway) Compile(ctx context.Context, req *podcv1.CompileRequest) (*podcv1.CompileResponse, error) {
	return g.backend.Compile(ctx, req)
}

func (g *gateway) authorize(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	auth := strings.Join(md.Get("authorization"), ",")
	g.mu.Lock()
	g.seen = append(g.seen, auth)
	g.mu.Unlock()
	if g.token != "" && auth != "Bearer "+g.token {
		return nil, status.Error(codes.Unauthenticated, "invalid bearer token")
	}
	return next(ctx, req)
}

// startGateway serves a gateway with cfg on a free loopback port and
// returns its address.
func startGateway(t *testing.T, cfg *tls.Config, g *gateway) string {
	t.Helper()
	g.backend = dial(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.Creds(credentials.NewTLS(cfg)), grpc.UnaryInterceptor(g.authorize))
	podcv1.RegisterPolicyServiceServer(s, g)
	podcv1.RegisterCompilerServiceServer(s, g)
	go func() { _ = s.Serve(lis) }()
	t.Cleanup(s.Stop)
	return lis.Addr().String()
}

func listPolicies(t *testing.T, target string, opts ...podc.Option) (*podcv1.ListPoliciesResponse, error) {
	t.Helper()
	c, err := podc.Dial(target, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.ListPolicies(testContext(t), nil)
}

func TestTLS(t *testing.T) {
	ca := newAuthority(t, "podc test CA")
	gw := startGateway(t, ca.serverTLS(t), &gateway{})
	caFile := writeFile(t, t.TempDir(), "ca.pem", ca.pem)

	resp, err := listPolicies(t, gw, podc.WithServerCA(caFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.GetDigest(), "sha256:") {
		t.Errorf("digest %q", resp.GetDigest())
	}
	// The same through a caller's TLS configuration.
	if _, err := listPolicies(t, gw, podc.WithTLSConfig(&tls.Config{RootCAs: ca.pool()})); err != nil {
		t.Fatal(err)
	}
	// The system's roots do not know the test CA: the handshake fails.
	if _, err := listPolicies(t, gw); status.Code(err) != codes.Unavailable {
		t.Fatalf("without the CA: %v, want Unavailable", err)
	}
	// Nor does plaintext reach a TLS server.
	if _, err := listPolicies(t, gw, podc.WithPlaintext()); status.Code(err) != codes.Unavailable {
		t.Fatalf("plaintext to TLS: %v, want Unavailable", err)
	}
}

func TestMutualTLS(t *testing.T) {
	ca, clients := newAuthority(t, "podc test CA"), newAuthority(t, "podc test clients CA")
	cfg := ca.serverTLS(t)
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = clients.pool()
	gw := startGateway(t, cfg, &gateway{})

	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.pem", ca.pem)
	certPEM, keyPEM := clients.issue(t, "platform-backend", x509.ExtKeyUsageClientAuth)
	certFile, keyFile := writeFile(t, dir, "client.pem", certPEM), writeFile(t, dir, "client-key.pem", keyPEM)

	if _, err := listPolicies(t, gw, podc.WithServerCA(caFile), podc.WithClientCertificate(certFile, keyFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := listPolicies(t, gw, podc.WithServerCA(caFile)); err == nil {
		t.Fatal("a call without a client certificate went through")
	}
	// A certificate from a CA the server does not trust is refused.
	otherCert, otherKey := newAuthority(t, "other").issue(t, "intruder", x509.ExtKeyUsageClientAuth)
	otherCertFile, otherKeyFile := writeFile(t, dir, "other.pem", otherCert), writeFile(t, dir, "other-key.pem", otherKey)
	if _, err := listPolicies(t, gw, podc.WithServerCA(caFile), podc.WithClientCertificate(otherCertFile, otherKeyFile)); err == nil {
		t.Fatal("a certificate of an unknown CA went through")
	}
}

func TestBearerToken(t *testing.T) {
	ca := newAuthority(t, "podc test CA")
	g := &gateway{token: "s3cret"}
	gw := startGateway(t, ca.serverTLS(t), g)
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.pem", ca.pem)

	if _, err := listPolicies(t, gw, podc.WithServerCA(caFile), podc.WithBearerToken("s3cret")); err != nil {
		t.Fatal(err)
	}
	if _, err := listPolicies(t, gw, podc.WithServerCA(caFile), podc.WithBearerToken("wrong")); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("a wrong token: %v, want Unauthenticated", err)
	}
	if _, err := listPolicies(t, gw, podc.WithServerCA(caFile)); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("no token: %v, want Unauthenticated", err)
	}

	// A token file is read on every call: a rotated token is sent at once.
	tokFile := writeFile(t, dir, "token", []byte("old\n"))
	c, err := podc.Dial(gw, podc.WithServerCA(caFile), podc.WithBearerTokenFile(tokFile))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ListPolicies(testContext(t), nil); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("the old token: %v, want Unauthenticated", err)
	}
	writeFile(t, dir, "token", []byte("  s3cret\n"))
	if _, err := c.Compile(testContext(t), &podcv1.CompileRequest{Intent: example(t, "hello")}); err != nil {
		t.Fatalf("the rotated token: %v", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if got := strings.Join(g.seen, "|"); got != "Bearer s3cret|Bearer wrong||Bearer old|Bearer s3cret" {
		t.Errorf("authorization sent: %s", got)
	}
}

func TestDialRefusesUnsafeOrContradictoryOptions(t *testing.T) {
	dir := t.TempDir()
	for name, opts := range map[string][]podc.Option{
		"token in plaintext":      {podc.WithPlaintext(), podc.WithBearerToken("t")},
		"token file in plaintext": {podc.WithPlaintext(), podc.WithBearerTokenFile("token")},
		"plaintext and a CA":      {podc.WithPlaintext(), podc.WithServerCA("ca.pem")},
		"a missing CA file":       {podc.WithServerCA(dir + "/missing.pem")},
		"a CA file without PEM":   {podc.WithServerCA(writeFile(t, dir, "empty.pem", []byte("nothing")))},
		"a certificate alone":     {podc.WithClientCertificate("client.pem", "")},
		"a missing certificate":   {podc.WithClientCertificate(dir+"/c.pem", dir+"/k.pem")},
	} {
		if c, err := podc.Dial("127.0.0.1:1", opts...); err == nil {
			c.Close()
			t.Errorf("%s: Dial succeeded", name)
		}
	}
}
