package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/credentials"
)

// TLSFiles name the PEM files of a TLS set-up.
type TLSFiles struct {
	// Cert and Key are the server's certificate chain and private key.
	Cert, Key string
	// ClientCA, when set, holds the CA certificates that client certificates
	// must chain to: clients must present one (mutual TLS).
	ClientCA string
}

// TLSSource serves the certificate and client CAs of its files and reloads
// them when the files change, without a restart: new handshakes use the new
// files, connections already open keep theirs. A new set that does not load
// (a key that does not match its certificate, a file half written) is
// refused and the one loaded before stays in use. It is safe for concurrent
// use.
type TLSSource struct {
	files TLSFiles
	cur   atomic.Pointer[tls.Config]
	// loaded is the stamp of the files taken just before LoadTLS read them.
	loaded string
}

// LoadTLS loads files; it fails if they do not make a valid set-up.
func LoadTLS(files TLSFiles) (*TLSSource, error) {
	if files.Cert == "" || files.Key == "" {
		return nil, errors.New("TLS needs both a certificate and a key")
	}
	s := &TLSSource{files: files}
	s.loaded, _ = filesStamp(s.paths()) // an error shows in Reload
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload loads the files again and, if they make a valid set-up, uses them
// for new handshakes.
func (s *TLSSource) Reload() error {
	cert, err := tls.LoadX509KeyPair(s.files.Cert, s.files.Key)
	if err != nil {
		return fmt.Errorf("certificate %s, key %s: %w", s.files.Cert, s.files.Key, err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if s.files.ClientCA != "" {
		data, err := os.ReadFile(s.files.ClientCA)
		if err != nil {
			return fmt.Errorf("client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return fmt.Errorf("client CA %s: no PEM certificates", s.files.ClientCA)
		}
		cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, pool
	}
	s.cur.Store(cfg)
	return nil
}

// NotAfter is when the certificate in use expires.
func (s *TLSSource) NotAfter() time.Time {
	if c := s.cur.Load().Certificates[0].Leaf; c != nil {
		return c.NotAfter
	}
	return time.Time{}
}

// MutualTLS reports whether clients must present a certificate.
func (s *TLSSource) MutualTLS() bool { return s.files.ClientCA != "" }

// Credentials are gRPC server credentials that always use the newest
// loaded files.
func (s *TLSSource) Credentials() credentials.TransportCredentials {
	return credentials.NewTLS(&tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return s.cur.Load(), nil
		},
	})
}

// Watch reloads the files whenever their contents change, looking every
// interval, until ctx is done. Failures go to log.
func (s *TLSSource) Watch(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	watchFiles(ctx, "TLS files", s.paths(), s.loaded, interval, log, func() error {
		if err := s.Reload(); err != nil {
			return err
		}
		log.Info("TLS certificate in use", "not_after", s.NotAfter())
		return nil
	})
}

func (s *TLSSource) paths() []string {
	paths := []string{s.files.Cert, s.files.Key}
	if s.files.ClientCA != "" {
		paths = append(paths, s.files.ClientCA)
	}
	return paths
}
