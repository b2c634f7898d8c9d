package grpclogs_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"google.golang.org/grpc/grpclog"

	"github.com/podc-dev/podc/internal/grpclogs"
)

var _ grpclog.LoggerV2 = (*grpclogs.Logger)(nil)

func TestEverythingGoesToDebug(t *testing.T) {
	var buf bytes.Buffer
	l := new(grpclogs.Logger)
	l.Warningf("grpc: Server.Serve failed to complete security handshake from %q: %v", "10.0.0.7:5555", "tls: first record does not look like a TLS handshake")
	if buf.Len() != 0 || l.V(0) {
		t.Fatal("a logger without output wrote, or wants verbose logs")
	}

	l.SetOutput(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l.Infoln("[core] [Server #1] Server created")
	l.Warningf("failed handshake from %q", "10.0.0.7:5555")
	l.Error("unexpected error")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), buf.String())
	}
	for i, sev := range []string{"info", "warning", "error"} {
		if !strings.Contains(lines[i], "level=DEBUG") || !strings.Contains(lines[i], "grpc_severity="+sev) {
			t.Errorf("line %d is not at debug with grpc_severity=%s: %s", i, sev, lines[i])
		}
	}
	if !strings.Contains(lines[0], `msg="[core] [Server #1] Server created"`) || !strings.Contains(lines[1], `10.0.0.7:5555`) {
		t.Errorf("messages lost:\n%s", buf.String())
	}
	if !l.V(0) || l.V(2) {
		t.Error("V: want level 0 only at debug")
	}

	// At info level, grpc-go's logs are not even formatted.
	buf.Reset()
	l.SetOutput(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	l.Errorf("refused: %v", "bogus greeting")
	l.Warning("stream error")
	if buf.Len() != 0 || l.V(0) {
		t.Errorf("at info level: %q", buf.String())
	}
}
