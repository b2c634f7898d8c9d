package server

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds on the text a status or an error entry echoes back. An intent may
// carry megabytes in one field; its findings quote the value. A status travels
// in the HTTP/2 trailers, and a client that refuses a trailer larger than its
// header list limit (8 KiB by default in gRPC C-core, 16 MiB in grpc-go)
// drops the whole connection, failing every other call on it.
const (
	// maxEchoedValue bounds one quoted value inside a message; a longer
	// value keeps its first echoedPrefix bytes and says how long it was.
	maxEchoedValue = 128
	echoedPrefix   = 64
	// maxText bounds one description or finding message.
	maxText = 512
	// maxFieldPath bounds one field path.
	maxFieldPath = 256
	// maxRuleID bounds a rule id.
	maxRuleID = 128
)

// clip makes s safe to echo to a caller: every quoted value longer than
// maxEchoedValue bytes is cut to its first bytes followed by "…(N bytes)";
// control characters, other non-printing runes and invalid UTF-8 are escaped
// (\n, \x01, \u202e); and the result is at most limit bytes, cut with
// "…(N bytes)" naming the length of s. It runs in time linear in len(s).
func clip(s string, limit int) string {
	if len(s) <= limit && plain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), limit) + 16)
	rest := s
	for rest != "" && b.Len() <= limit {
		i := strings.IndexByte(rest, '"')
		if i < 0 {
			escapeTo(&b, rest, limit)
			rest = ""
			break
		}
		escapeTo(&b, rest[:i], limit)
		rest = rest[i:]
		end := quotedEnd(rest)
		if end < 0 {
			// An unterminated quote: the rest is text. Scanning on from the
			// next quote could make the whole pass quadratic.
			escapeTo(&b, rest, limit)
			rest = ""
			break
		}
		writeQuoted(&b, rest[:end], limit)
		rest = rest[end:]
	}
	out := b.String()
	if len(out) <= limit && rest == "" {
		return out
	}
	suffix := fmt.Sprintf("…(%d bytes)", len(s))
	return cutRunes(out, max(0, limit-len(suffix))) + suffix
}

// plain reports whether s needs no escaping and holds no quoted value that
// could be too long.
func plain(s string) bool {
	if len(s) > maxEchoedValue && strings.IndexByte(s, '"') >= 0 {
		return false
	}
	for _, r := range s {
		if r == utf8.RuneError || !printable(r) {
			return false
		}
	}
	return true
}

func printable(r rune) bool { return r == ' ' || strconv.IsPrint(r) }

// quotedEnd returns the length of the Go-quoted string literal s starts
// with (s[0] is '"'), or -1 when it has no closing quote.
func quotedEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// writeQuoted writes the Go-quoted literal lit to b, its value cut when it
// is longer than maxEchoedValue bytes. A literal that does not unquote is
// written as text.
func writeQuoted(b *strings.Builder, lit string, limit int) {
	v, err := strconv.Unquote(lit)
	if err != nil || len(v) <= maxEchoedValue {
		escapeTo(b, lit, limit)
		return
	}
	q := strconv.Quote(cutRunes(v, echoedPrefix))
	fmt.Fprintf(b, "%s…(%d bytes)\"", q[:len(q)-1], len(v))
}

// escapeTo writes s to b with non-printing runes and invalid UTF-8 escaped,
// stopping once b holds more than limit bytes.
func escapeTo(b *strings.Builder, s string, limit int) {
	for i := 0; i < len(s); {
		if b.Len() > limit {
			return
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(b, `\x%02x`, s[i])
		case printable(r):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			fmt.Fprintf(b, `\U%08x`, r)
		}
		i += size
	}
}

// cutRunes returns the longest prefix of s of at most n bytes that does not
// split a rune.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
