package server

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func tokenFile(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens")
	writeFile(t, path, []byte(strings.Join(lines, "\n")))
	return path
}

func bearer(tok string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

func TestParseTokens(t *testing.T) {
	path := tokenFile(t, "# the CI job", "  ci-0123456789abcdef  ", "", "\r", "# the portal", "portal-fedcba9876543210\r", "")
	tokens, err := LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Len() != 2 {
		t.Errorf("%d tokens, want 2", tokens.Len())
	}
	for tok, want := range map[string]bool{
		"ci-0123456789abcdef":       true,
		"portal-fedcba9876543210":   true,
		"ci-0123456789abcde":        false,
		"ci-0123456789abcdef0":      false,
		"# the CI job":              false,
		"":                          false,
		" ci-0123456789abcdef":      false,
		"portal-fedcba9876543210\r": false,
	} {
		if got := tokens.Valid(tok); got != want {
			t.Errorf("Valid(%q) = %v, want %v", tok, got, want)
		}
	}
}

func TestLoadTokensRefuses(t *testing.T) {
	for name, path := range map[string]string{
		"no tokens":    tokenFile(t, "# only a comment", ""),
		"inner space":  tokenFile(t, "two words"),
		"control char": tokenFile(t, "a\x00b"),
		"missing file": filepath.Join(t.TempDir(), "nope"),
	} {
		_, err := LoadTokens(path)
		if err == nil {
			t.Errorf("%s: loaded", name)
			continue
		}
		if strings.Contains(err.Error(), "two words") || strings.Contains(err.Error(), "a\x00b") {
			t.Errorf("%s: the error shows the file's contents: %v", name, err)
		}
	}
}

func TestAuth(t *testing.T) {
	tokens, err := LoadTokens(tokenFile(t, "right-token"))
	if err != nil {
		t.Fatal(err)
	}
	e := startWith(t, Options{Tokens: tokens})
	hello := &podcv1.CompileRequest{Intent: example(t, "hello.json")}

	for name, ctx := range map[string]context.Context{
		"no token":    context.Background(),
		"wrong token": bearer("wrong-token"),
		"no scheme":   metadata.AppendToOutgoingContext(context.Background(), "authorization", "right-token"),
		"basic":       metadata.AppendToOutgoingContext(context.Background(), "authorization", "Basic right-token"),
		"two values":  metadata.AppendToOutgoingContext(bearer("right-token"), "authorization", "Bearer wrong"),
	} {
		if _, err := e.compiler.Compile(ctx, hello); status.Code(err) != codes.Unauthenticated {
			t.Errorf("Compile with %s: %v, want Unauthenticated", name, err)
		}
	}
	if _, err := e.compiler.Compile(bearer("right-token"), hello); err != nil {
		t.Errorf("Compile with the right token: %v", err)
	}
	lower := metadata.AppendToOutgoingContext(context.Background(), "authorization", "bearer right-token")
	if _, err := e.policy.ListPolicies(lower, &podcv1.ListPoliciesRequest{}); err != nil {
		t.Errorf("the scheme is case-insensitive: %v", err)
	}
	if _, err := e.policy.ListPolicies(context.Background(), &podcv1.ListPoliciesRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("ListPolicies without a token: %v", err)
	}

	// Streams too.
	stream, err := e.compiler.CompileBatch(context.Background())
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("CompileBatch without a token: %v", err)
	}

	// Health answers without a token.
	hc := healthpb.NewHealthClient(e.conn)
	if r, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil || r.Status != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health without a token: %v %v", r, err)
	}

	// Reflection needs the token.
	listServices := func(ctx context.Context) error {
		rs, err := rpb.NewServerReflectionClient(e.conn).ServerReflectionInfo(ctx)
		if err != nil {
			return err
		}
		// A Send on a stream the server already ended says io.EOF; Recv
		// tells the status.
		if err := rs.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		_, err = rs.Recv()
		return err
	}
	if err := listServices(context.Background()); status.Code(err) != codes.Unauthenticated {
		t.Errorf("reflection without a token: %v", err)
	}
	if err := listServices(bearer("right-token")); err != nil {
		t.Errorf("reflection with the token: %v", err)
	}
}

// TestTokenFileReload changes the token file while serving: the new token
// works and the removed one stops; an emptied file refuses everyone; a
// file that cannot be read keeps the tokens loaded before.
func TestTokenFileReload(t *testing.T) {
	path := tokenFile(t, "first-token")
	tokens, err := LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tokens.Watch(ctx, 10*time.Millisecond, slogTo(logs))
	e := startWith(t, Options{Tokens: tokens})
	call := func(tok string) error {
		_, err := e.policy.ListPolicies(bearer(tok), &podcv1.ListPoliciesRequest{})
		return err
	}
	if err := call("first-token"); err != nil {
		t.Fatal(err)
	}

	writeFile(t, path, []byte("# rotated\nsecond-token\n"))
	eventually(t, "the new token is accepted", func() bool { return call("second-token") == nil })
	if err := call("first-token"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("the removed token: %v, want Unauthenticated", err)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the missing file is logged", func() bool { return strings.Contains(logs.String(), "cannot read") })
	if err := call("second-token"); err != nil {
		t.Errorf("a missing file dropped the loaded tokens: %v", err)
	}

	writeFile(t, path, []byte("# everyone is out\n"))
	eventually(t, "an emptied file refuses everyone", func() bool { return status.Code(call("second-token")) == codes.Unauthenticated })
	if !strings.Contains(logs.String(), "no tokens") {
		t.Errorf("an emptied token file is not logged:\n%s", logs)
	}
}
