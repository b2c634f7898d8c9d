package podc

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// roundRobin is the default service config: every address a target
// resolves to (each replica behind a dns:/// name) gets a connection and
// calls take turns over them.
const roundRobin = `{"loadBalancingConfig": [{"round_robin": {}}]}`

// Option configures Dial.
type Option func(*config)

type config struct {
	plaintext bool
	tls       *tls.Config
	caFile    string
	certFile  string
	keyFile   string
	creds     credentials.PerRPCCredentials
	extra     []grpc.DialOption
}

// WithPlaintext dials without transport security: for a server on the same
// machine or in a test. A bearer token is refused over it.
func WithPlaintext() Option {
	return func(c *config) { c.plaintext = true }
}

// WithTLSConfig dials with TLS configured by cfg (cloned; a nil cfg means
// the system's roots). The CA and certificate options below add to it.
func WithTLSConfig(cfg *tls.Config) Option {
	return func(c *config) {
		if cfg != nil {
			c.tls = cfg.Clone()
		}
	}
}

// WithServerCA verifies the server's certificate against the CA
// certificates in the PEM file at path instead of the system's roots.
func WithServerCA(path string) Option {
	return func(c *config) { c.caFile = path }
}

// WithClientCertificate presents the certificate and key in the PEM files
// for mutual TLS (podc serve --client-ca). The files are read again on
// every new connection, so a renewed certificate is picked up without a
// restart.
func WithClientCertificate(certFile, keyFile string) Option {
	return func(c *config) { c.certFile, c.keyFile = certFile, keyFile }
}

// WithBearerToken sends "authorization: Bearer <token>" with every call
// (podc serve --auth-token-file). It needs TLS.
func WithBearerToken(token string) Option {
	return func(c *config) { c.creds = bearer{token: func() (string, error) { return token, nil }} }
}

// WithBearerTokenFile sends the token in the file at path, read on every
// call, so a rotated token is picked up without a restart. Surrounding
// white space is dropped. It needs TLS.
func WithBearerTokenFile(path string) Option {
	return func(c *config) { c.creds = bearer{token: tokenFile(path)} }
}

// WithDialOptions adds gRPC dial options, applied after the ones this
// package sets.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *config) { c.extra = append(c.extra, opts...) }
}

// dialOptions turns options into gRPC dial options.
func dialOptions(opts []Option) ([]grpc.DialOption, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	tlsSet := c.tls != nil || c.caFile != "" || c.certFile != "" || c.keyFile != ""
	if c.plaintext && tlsSet {
		return nil, errors.New("podc: WithPlaintext cannot be combined with TLS options")
	}
	if c.plaintext && c.creds != nil {
		return nil, errors.New("podc: a bearer token needs TLS; it is never sent in plaintext")
	}
	out := []grpc.DialOption{grpc.WithDefaultServiceConfig(roundRobin)}
	if c.plaintext {
		out = append(out, grpc.WithTransportCredentials(insecure.NewCredentials()))
	} else {
		cfg, err := c.tlsConfig()
		if err != nil {
			return nil, err
		}
		out = append(out, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	}
	if c.creds != nil {
		out = append(out, grpc.WithPerRPCCredentials(c.creds))
	}
	return append(out, c.extra...), nil
}

// tlsConfig builds the TLS configuration from the options.
func (c *config) tlsConfig() (*tls.Config, error) {
	cfg := c.tls
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if c.caFile != "" {
		pem, err := os.ReadFile(c.caFile)
		if err != nil {
			return nil, fmt.Errorf("podc: server CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("podc: server CA %s: no PEM certificate in it", c.caFile)
		}
		cfg.RootCAs = pool
	}
	if (c.certFile == "") != (c.keyFile == "") {
		return nil, errors.New("podc: a client certificate needs both its certificate and key files")
	}
	if c.certFile != "" {
		certFile, keyFile := c.certFile, c.keyFile
		// Fail at Dial on unreadable files rather than on the first call.
		if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
			return nil, fmt.Errorf("podc: client certificate: %w", err)
		}
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				return nil, fmt.Errorf("podc: client certificate: %w", err)
			}
			return &cert, nil
		}
	}
	return cfg, nil
}
