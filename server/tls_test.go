package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/testpki"
)

// lockedBuffer is a log sink safe for the server and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// eventually polls cond, at most for a bound that only a hung test reaches.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: never happened", what)
}

func newCA(t *testing.T, name string) *testpki.CA {
	t.Helper()
	ca, err := testpki.NewCA(name)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// issue calls mk(name) and fails the test on error.
func issue(t *testing.T, mk func(string) (testpki.Pair, error), name string) testpki.Pair {
	t.Helper()
	p, err := mk(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeFile replaces path's contents the way a secret rotation does: a new
// file renamed over the old one.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// serveTCP serves a real engine with opts on 127.0.0.1 and returns the
// address.
func serveTCP(t *testing.T, opts Options) string {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	store := store.New(b, nil)
	opts.Policies = store
	opts.Compiler = compiler.New(compiler.Options{Policies: store})
	srv := New(opts)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.GRPC.Serve(lis)
	t.Cleanup(srv.GRPC.Stop)
	return lis.Addr().String()
}

// tlsClient is a client trusting roots, presenting cert when it has one.
func tlsClient(t *testing.T, addr string, roots []byte, cert *testpki.Pair) *grpc.ClientConn {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(roots)
	cfg := &tls.Config{RootCAs: pool}
	if cert != nil {
		c, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
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

func compileHello(t *testing.T, conn *grpc.ClientConn) error {
	t.Helper()
	_, err := podcv1.NewCompilerServiceClient(conn).Compile(context.Background(), &podcv1.CompileRequest{Intent: example(t, "hello.json")})
	return err
}

// servedSerial is the serial number of the certificate the server at addr
// presents to a client trusting roots, or "" when the handshake fails.
func servedSerial(addr string, roots []byte) string {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(roots)
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}, ServerName: "localhost"})
	if err != nil {
		return ""
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

func serialOf(t *testing.T, p testpki.Pair) string {
	t.Helper()
	c, err := tls.X509KeyPair(p.CertPEM, p.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c.Leaf.SerialNumber.String()
}

func TestTLSServesAndPlaintextFails(t *testing.T) {
	ca := newCA(t, "ca")
	certFile, keyFile, err := issue(t, ca.Server, "server").Write(t.TempDir(), "server")
	if err != nil {
		t.Fatal(err)
	}
	src, err := LoadTLS(TLSFiles{Cert: certFile, Key: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTCP(t, Options{Credentials: src.Credentials()})

	if err := compileHello(t, tlsClient(t, addr, ca.PEM, nil)); err != nil {
		t.Fatalf("TLS client: %v", err)
	}
	plain, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if err := compileHello(t, plain); status.Code(err) != codes.Unavailable {
		t.Errorf("plaintext client: %v, want Unavailable", err)
	}
	if err := compileHello(t, tlsClient(t, addr, newCA(t, "stranger").PEM, nil)); status.Code(err) != codes.Unavailable {
		t.Errorf("client not trusting the server's CA: %v, want Unavailable", err)
	}
}

func TestLoadTLSRefusesBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "ca")
	certFile, keyFile, err := issue(t, ca.Server, "a").Write(dir, "a")
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, err := issue(t, ca.Server, "b").Write(dir, "b")
	if err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.pem")
	writeFile(t, garbage, []byte("not PEM"))
	for name, files := range map[string]TLSFiles{
		"no key":            {Cert: certFile},
		"mismatched key":    {Cert: certFile, Key: otherKey},
		"missing cert":      {Cert: filepath.Join(dir, "nope.pem"), Key: keyFile},
		"client CA garbage": {Cert: certFile, Key: keyFile, ClientCA: garbage},
	} {
		if _, err := LoadTLS(files); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// TestTLSRotation replaces the certificate on disk while serving: new
// handshakes get the new one without a restart; a broken pair that follows
// is refused and the good one keeps serving.
func TestTLSRotation(t *testing.T) {
	dir := t.TempDir()
	oldCA, newCAuth := newCA(t, "old"), newCA(t, "new")
	first := issue(t, oldCA.Server, "first")
	certFile, keyFile, err := first.Write(dir, "server")
	if err != nil {
		t.Fatal(err)
	}
	src, err := LoadTLS(TLSFiles{Cert: certFile, Key: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go src.Watch(ctx, 10*time.Millisecond, slog.New(slog.NewTextHandler(logs, nil)))
	addr := serveTCP(t, Options{Credentials: src.Credentials()})
	oldClient := tlsClient(t, addr, oldCA.PEM, nil)
	if err := compileHello(t, oldClient); err != nil {
		t.Fatal(err)
	}

	second := issue(t, newCAuth.Server, "second")
	writeFile(t, keyFile, second.KeyPEM)
	writeFile(t, certFile, second.CertPEM)
	eventually(t, "the new certificate is served", func() bool { return servedSerial(addr, newCAuth.PEM) == serialOf(t, second) })
	if err := compileHello(t, tlsClient(t, addr, newCAuth.PEM, nil)); err != nil {
		t.Errorf("client of the new CA: %v", err)
	}
	if err := compileHello(t, oldClient); err != nil {
		t.Errorf("a connection opened before the rotation broke: %v", err)
	}

	// A certificate whose key is not there yet: refused, the second pair
	// stays.
	third := issue(t, newCAuth.Server, "third")
	writeFile(t, certFile, third.CertPEM)
	eventually(t, "the broken pair is refused", func() bool { return strings.Contains(logs.String(), "reload failed") })
	if got := servedSerial(addr, newCAuth.PEM); got != serialOf(t, second) {
		t.Errorf("after a broken pair the server presents %q, want the second certificate", got)
	}
	// The key arrives: the third pair is served.
	writeFile(t, keyFile, third.KeyPEM)
	eventually(t, "the third certificate is served", func() bool { return servedSerial(addr, newCAuth.PEM) == serialOf(t, third) })
}

// TestMutualTLS requires client certificates from the client CA; the CA
// file is reloaded on change too.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, other := newCA(t, "ca"), newCA(t, "other")
	certFile, keyFile, err := issue(t, ca.Server, "server").Write(dir, "server")
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "client-ca.pem")
	writeFile(t, caFile, ca.PEM)
	src, err := LoadTLS(TLSFiles{Cert: certFile, Key: keyFile, ClientCA: caFile})
	if err != nil {
		t.Fatal(err)
	}
	if !src.MutualTLS() {
		t.Error("MutualTLS() = false with a client CA")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go src.Watch(ctx, 10*time.Millisecond, nil)
	addr := serveTCP(t, Options{Credentials: src.Credentials()})

	good := issue(t, ca.Client, "good")
	stranger := issue(t, other.Client, "stranger")
	if err := compileHello(t, tlsClient(t, addr, ca.PEM, &good)); err != nil {
		t.Fatalf("client with a certificate from the client CA: %v", err)
	}
	if err := compileHello(t, tlsClient(t, addr, ca.PEM, nil)); status.Code(err) != codes.Unavailable {
		t.Errorf("client without a certificate: %v, want Unavailable", err)
	}
	if err := compileHello(t, tlsClient(t, addr, ca.PEM, &stranger)); status.Code(err) != codes.Unavailable {
		t.Errorf("client with a certificate from another CA: %v, want Unavailable", err)
	}
	// Health needs the client certificate too: mutual TLS is the connection's.
	hc := healthpb.NewHealthClient(tlsClient(t, addr, ca.PEM, nil))
	if _, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{}); err == nil {
		t.Error("health answered a client without a certificate")
	}

	// The client CA file now names the other CA.
	writeFile(t, caFile, other.PEM)
	eventually(t, "the new client CA is used", func() bool {
		return compileHello(t, tlsClient(t, addr, ca.PEM, &stranger)) == nil
	})
	if err := compileHello(t, tlsClient(t, addr, ca.PEM, &good)); err == nil {
		t.Error("a client of the replaced CA still gets in")
	}
}

func slogTo(w *lockedBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
