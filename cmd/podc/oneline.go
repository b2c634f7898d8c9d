package main

import (
	"fmt"
	"strings"
)

// oneLine escapes the control characters and line separators of s, so
// that a message quoting the intent's values stays on one line of the
// CLI's output: "a\nb" becomes `a\x0ab`.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, breaksLine) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		case breaksLine(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// breaksLine reports whether r is a control character (tab aside) or a
// Unicode line or paragraph separator.
func breaksLine(r rune) bool {
	return (r < 0x20 && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
}
