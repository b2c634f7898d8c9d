package podc_test

import (
	"crypto/x509"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
	"github.com/podc-dev/podc/clients/go/podc"
)

// The client's TLS, mutual TLS and token options against the real podc
// serve with --tls-cert, --tls-key, --client-ca and --auth-token-file.
func TestRealServerWithTLSClientCertificatesAndTokens(t *testing.T) {
	dir := t.TempDir()
	ca, clients := newAuthority(t, "podc test CA"), newAuthority(t, "podc test clients CA")
	srvCert, srvKey := ca.issue(t, "podc", x509.ExtKeyUsageServerAuth)
	cliCert, cliKey := clients.issue(t, "platform-backend", x509.ExtKeyUsageClientAuth)
	writeFile(t, dir, "server.pem", srvCert)
	writeFile(t, dir, "server-key.pem", srvKey)
	writeFile(t, dir, "clients-ca.pem", clients.pem)
	writeFile(t, dir, "tokens", []byte("# tokens\nfirst-token\nsecond-token\n"))
	caFile := writeFile(t, dir, "ca.pem", ca.pem)
	certFile, keyFile := writeFile(t, dir, "client.pem", cliCert), writeFile(t, dir, "client-key.pem", cliKey)

	tlsAddr, stop, err := startServer(dir, "--tls-cert", "server.pem", "--tls-key", "server-key.pem",
		"--client-ca", "clients-ca.pem", "--auth-token-file", "tokens")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	secure := []podc.Option{podc.WithServerCA(caFile), podc.WithClientCertificate(certFile, keyFile)}
	target := "dns:///" + strings.Replace(tlsAddr, "127.0.0.1:", "localhost:", 1)

	c, err := podc.Dial(target, append(secure, podc.WithBearerToken("second-token"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.Compile(testContext(t), &podcv1.CompileRequest{Intent: example(t, "hello")})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(resp.GetManifests()); got != "Pod/hello Service/hello" {
		t.Errorf("manifests %s", got)
	}
	_, err = c.Compile(testContext(t), &podcv1.CompileRequest{Intent: intent(t, malformed)})
	if r, ok := podc.AsRefusal(err); !ok || r.Reason != podc.ReasonInvalidIntent || !hasField(r.Denials(), "name") {
		t.Errorf("refusal over TLS: %v", err)
	}

	// No token, or a wrong one: UNAUTHENTICATED, and no refusal to read.
	for _, opts := range [][]podc.Option{secure, append(secure, podc.WithBearerToken("nope"))} {
		_, err := listPolicies(t, target, opts...)
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("without a valid token: %v, want Unauthenticated", err)
		}
		if _, ok := podc.AsRefusal(err); ok {
			t.Errorf("AsRefusal(%v) = true", err)
		}
	}
	// No client certificate: the handshake fails.
	if _, err := listPolicies(t, target, podc.WithServerCA(caFile), podc.WithBearerToken("first-token")); err == nil {
		t.Error("a call without a client certificate went through")
	}
	// Not trusting the server's CA: the handshake fails.
	if _, err := listPolicies(t, target, podc.WithClientCertificate(certFile, keyFile), podc.WithBearerToken("first-token")); status.Code(err) != codes.Unavailable {
		t.Errorf("without the server's CA: %v, want Unavailable", err)
	}
	// A token file read on every call: rotating it takes effect at once.
	tokFile := writeFile(t, t.TempDir(), "token", []byte("revoked\n"))
	rot, err := podc.Dial(target, append(secure, podc.WithBearerTokenFile(tokFile))...)
	if err != nil {
		t.Fatal(err)
	}
	defer rot.Close()
	if _, err := rot.ListPolicies(testContext(t), nil); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("a revoked token: %v", err)
	}
	writeFile(t, tokFile[:strings.LastIndex(tokFile, "/")], "token", []byte("first-token\n"))
	if _, err := rot.ListPolicies(testContext(t), nil); err != nil {
		t.Fatalf("the rotated token: %v", err)
	}
}
