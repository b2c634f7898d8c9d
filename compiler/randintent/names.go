package randintent

import (
	"fmt"
	"strings"
)

const (
	lower    = "abcdefghijklmnopqrstuvwxyz"
	digits   = "0123456789"
	alnum    = lower + digits
	upper    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	anyAlnum = lower + upper + digits
)

func (b *builder) from(set string, n int) string {
	var s strings.Builder
	for range n {
		s.WriteByte(set[b.r.Intn(len(set))])
	}
	return s.String()
}

// dnsLabelLen returns a DNS-1123 label of exactly n characters (1-63):
// lower case alphanumerics and '-', starting and ending alphanumeric.
func (b *builder) dnsLabelLen(n int) string {
	if n == 1 {
		return b.from(alnum, 1)
	}
	mid := []byte(b.from(alnum+"-", n-2))
	return b.from(alnum, 1) + string(mid) + b.from(alnum, 1)
}

// dnsLabel returns a DNS-1123 label of lo to hi characters.
func (b *builder) dnsLabel(lo, hi int) string { return b.dnsLabelLen(b.between(lo, hi)) }

// dns1035 returns a DNS-1035 label of exactly n characters: a DNS-1123
// label that starts with a letter.
func (b *builder) dns1035(n int) string {
	s := b.dnsLabelLen(n)
	return b.from(lower, 1) + s[1:]
}

// unique returns a fresh value of gen, not yet in seen, and records it.
func unique(seen map[string]bool, gen func() string) string {
	for {
		s := gen()
		if !seen[s] {
			seen[s] = true
			return s
		}
	}
}

// dnsSubdomain returns a DNS-1123 subdomain: dot-separated labels.
func (b *builder) dnsSubdomain() string {
	parts := make([]string, b.between(1, 3))
	for i := range parts {
		parts[i] = b.dnsLabel(1, 12)
	}
	return strings.Join(parts, ".")
}

// portName returns an IANA service name: 1-15 lower case alphanumerics and
// '-', at least one letter, no leading, trailing or doubled '-'.
func (b *builder) portName() string {
	n := b.between(1, 15)
	var s strings.Builder
	s.WriteString(b.from(lower, 1))
	for s.Len() < n {
		if s.Len() < n-1 && b.chance(0.15) && !strings.HasSuffix(s.String(), "-") {
			s.WriteByte('-')
			continue
		}
		s.WriteString(b.from(alnum, 1))
	}
	return s.String()
}

// envName returns a C-identifier-like environment variable name: letters,
// digits, '_', '-' and '.', not starting with a digit.
func (b *builder) envName() string {
	first := b.from(upper+lower+"_", 1)
	if b.chance(0.05) {
		first = pick(b, "-", ".")
	}
	rest := b.from(upper+digits+"_", b.between(0, 12))
	if b.chance(0.1) {
		rest += b.from(lower+".-", b.between(1, 4))
	}
	s := first + rest
	if s == "." || strings.HasPrefix(s, "..") {
		s = "_" + s[1:]
	}
	return s
}

// labelValue returns a label value: empty, or up to 63 alphanumerics, '-',
// '_' and '.', starting and ending alphanumeric.
func (b *builder) labelValue() string {
	n := b.between(0, 20)
	if b.chance(0.05) {
		n = 63
	}
	switch n {
	case 0:
		return ""
	case 1:
		return b.from(anyAlnum, 1)
	}
	return b.from(anyAlnum, 1) + b.from(anyAlnum+"-_.", n-2) + b.from(anyAlnum, 1)
}

// labelKey returns a label key: an optional DNS subdomain prefix and '/',
// then a name of alphanumerics, '-', '_' and '.'.
func (b *builder) labelKey() string {
	name := b.from(anyAlnum, 1)
	if n := b.between(0, 20); n > 0 {
		name += b.from(anyAlnum+"-_.", n-1) + b.from(anyAlnum, 1)
	}
	if b.chance(0.4) {
		return b.dnsSubdomain() + "/" + name
	}
	return name
}

// text returns a free-form string: printable ASCII, sometimes unicode and
// white space.
func (b *builder) text() string {
	switch b.r.Intn(6) {
	case 0:
		return ""
	case 1:
		return "héllo wörld ✓ " + b.from(anyAlnum, 3)
	case 2:
		return fmt.Sprintf("--flag=%d", b.r.Intn(1000))
	case 3:
		return "line one\nline two\t" + b.from(anyAlnum, 2)
	}
	var s strings.Builder
	for range b.between(1, 24) {
		s.WriteByte(byte(' ' + b.r.Intn('~'-' '+1)))
	}
	return s.String()
}

// absPath returns an absolute path.
func (b *builder) absPath() string {
	parts := make([]string, b.between(1, 4))
	for i := range parts {
		parts[i] = b.from(alnum+"_-.", b.between(1, 10))
		if parts[i] == "." || parts[i] == ".." {
			parts[i] = "d"
		}
	}
	return "/" + strings.Join(parts, "/")
}

// relPath returns a relative path inside a volume, without "..".
func (b *builder) relPath() string {
	parts := make([]string, b.between(1, 3))
	for i := range parts {
		parts[i] = b.from(alnum+"_-", b.between(1, 8))
	}
	return strings.Join(parts, "/")
}
