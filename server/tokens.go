package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// maxTokenFileBytes bounds a token file.
const maxTokenFileBytes = 1 << 20

// Tokens are the bearer tokens a caller may present, read from a file with
// one token per line (blank lines and lines starting with # are skipped) and
// reloaded when the file changes. Only their SHA-256 digests are kept. It is
// safe for concurrent use.
type Tokens struct {
	path string
	cur  atomic.Pointer[[][sha256.Size]byte]
	// loaded is the stamp of the file taken just before LoadTokens read it.
	loaded string
}

// LoadTokens reads the token file at path. A file without any token is an
// error here: a server nobody can call is a configuration mistake.
func LoadTokens(path string) (*Tokens, error) {
	t := &Tokens{path: path}
	t.loaded, _ = filesStamp([]string{path}) // an error shows in Reload
	n, err := t.Reload()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("token file %s: no tokens", path)
	}
	return t, nil
}

// Reload reads the file again and, if it parses, makes its tokens the only
// valid ones; it returns how many there are. A file emptied of tokens is
// taken at its word: every call is then refused, so deleting a leaked token
// always revokes it.
func (t *Tokens) Reload() (int, error) {
	f, err := os.Open(t.path)
	if err != nil {
		return 0, fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFileBytes+1))
	if err != nil {
		return 0, fmt.Errorf("token file: %w", err)
	}
	if len(data) > maxTokenFileBytes {
		return 0, fmt.Errorf("token file %s: larger than %d bytes", t.path, maxTokenFileBytes)
	}
	digests, err := parseTokens(data)
	if err != nil {
		return 0, fmt.Errorf("token file %s: %w", t.path, err)
	}
	t.cur.Store(&digests)
	return len(digests), nil
}

// parseTokens returns the digests of the tokens in a token file. Errors name
// the line, never its contents.
func parseTokens(data []byte) ([][sha256.Size]byte, error) {
	var out [][sha256.Size]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxTokenFileBytes)
	for line := 1; sc.Scan(); line++ {
		tok := strings.TrimSpace(sc.Text())
		if tok == "" || strings.HasPrefix(tok, "#") {
			continue
		}
		if strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return nil, fmt.Errorf("line %d: a token has no spaces or control characters", line)
		}
		out = append(out, sha256.Sum256([]byte(tok)))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Valid reports whether tok is one of the tokens. It compares the digest of
// tok with every token's in constant time and without stopping at a match,
// so the time taken tells nothing of which token matched or how much of it.
func (t *Tokens) Valid(tok string) bool {
	d := sha256.Sum256([]byte(tok))
	match := 0
	for _, want := range *t.cur.Load() {
		match |= subtle.ConstantTimeCompare(d[:], want[:])
	}
	return match == 1
}

// Len is how many tokens are valid.
func (t *Tokens) Len() int { return len(*t.cur.Load()) }

// Watch reloads the file whenever its contents change, looking every
// interval, until ctx is done. Failures go to log and keep the tokens
// loaded before.
func (t *Tokens) Watch(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	watchFiles(ctx, "token file", []string{t.path}, t.loaded, interval, log, func() error {
		n, err := t.Reload()
		if err != nil {
			return err
		}
		if n == 0 {
			log.Warn("token file has no tokens: every call but health checks is refused", "file", t.path)
		}
		return nil
	})
}
