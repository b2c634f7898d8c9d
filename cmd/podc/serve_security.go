package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"time"

	"github.com/podc-dev/podc/server"
)

// securityFlags are serve's TLS and bearer token flags.
type securityFlags struct {
	cert, key, clientCA, tokenFile string
	poll                           time.Duration
}

func (f *securityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.cert, "tls-cert", "", "serve TLS with this PEM certificate chain (with --tls-key); reloaded on change")
	fs.StringVar(&f.key, "tls-key", "", "the PEM private key of --tls-cert; reloaded on change")
	fs.StringVar(&f.clientCA, "client-ca", "", "require client certificates signed by a CA in this PEM file (mutual TLS; needs --tls-cert); reloaded on change")
	fs.StringVar(&f.tokenFile, "auth-token-file", "", "require \"authorization: Bearer <token>\" with a token from this file, one per line (# comments); health checks are exempt; reloaded on change")
	fs.DurationVar(&f.poll, "reload-poll", server.DefaultReloadPoll, "how often to look for changes in the TLS and token files")
}

// security is what the flags loaded.
type security struct {
	tls    *server.TLSSource
	tokens *server.Tokens
}

// load loads the files the flags name. Errors are usage errors.
func (f *securityFlags) load() (security, error) {
	var sec security
	switch {
	case (f.cert == "") != (f.key == ""):
		return sec, errors.New("--tls-cert and --tls-key go together")
	case f.clientCA != "" && f.cert == "":
		return sec, errors.New("--client-ca needs --tls-cert and --tls-key")
	}
	if f.cert != "" {
		src, err := server.LoadTLS(server.TLSFiles{Cert: f.cert, Key: f.key, ClientCA: f.clientCA})
		if err != nil {
			return sec, err
		}
		sec.tls = src
	}
	if f.tokenFile != "" {
		tokens, err := server.LoadTokens(f.tokenFile)
		if err != nil {
			return sec, err
		}
		sec.tokens = tokens
	}
	return sec, nil
}

// options sets the server options of sec.
func (sec security) options(opts *server.Options) {
	if sec.tls != nil {
		opts.Credentials = sec.tls.Credentials()
	}
	opts.Tokens = sec.tokens
}

// watch reloads the files on change until ctx is done.
func (sec security) watch(ctx context.Context, poll time.Duration, log *slog.Logger) {
	if sec.tls != nil {
		go sec.tls.Watch(ctx, poll, log)
	}
	if sec.tokens != nil {
		go sec.tokens.Watch(ctx, poll, log)
	}
}

// report logs how the server is secured, and warns when it serves
// plaintext beyond the loopback interface.
func (sec security) report(log *slog.Logger, addr net.Addr) {
	attrs := []any{"tls", sec.tls != nil, "mutual_tls", sec.tls != nil && sec.tls.MutualTLS(), "bearer_tokens", 0}
	if sec.tokens != nil {
		attrs[5] = sec.tokens.Len()
	}
	if sec.tls != nil {
		attrs = append(attrs, "cert_not_after", sec.tls.NotAfter())
	}
	log.Info("security", attrs...)
	if sec.tls == nil && !loopback(addr) {
		log.Warn("serving plaintext on a non-loopback address: requests, answers and bearer tokens cross the network unencrypted; use --tls-cert and --tls-key", "addr", addr.String())
	}
}

// loopback reports whether addr only accepts connections from this host.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
