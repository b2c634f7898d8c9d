package podc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// bearer is per-call credentials that send "authorization: Bearer <token>".
type bearer struct {
	token func() (string, error)
}

// GetRequestMetadata returns the authorization metadata for one call.
func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	tok, err := b.token()
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

// RequireTransportSecurity is true: a token never travels in plaintext.
func (bearer) RequireTransportSecurity() bool { return true }

// tokenFile reads the token at path on every call.
func tokenFile(path string) func() (string, error) {
	return func() (string, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("podc: bearer token: %w", err)
		}
		tok := strings.TrimSpace(string(data))
		if tok == "" {
			return "", errors.New("podc: bearer token: " + path + " is empty")
		}
		return tok, nil
	}
}
