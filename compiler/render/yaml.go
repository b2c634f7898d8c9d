package render

import (
	"bytes"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// The emitters below write the pruned tree of nodes directly: keys sorted, two-space indentation, block
// sequences at their key's indentation as kubectl writes them. Writing the
// tree directly is several times faster than converting through a generic
// YAML library, and the output is the same for the same input.

// writeYAML writes a mapping at the top level.
func writeYAML(b *bytes.Buffer, m object) {
	writeMapping(b, m, 0)
}

func writeMapping(b *bytes.Buffer, m object, indent int) {
	for _, e := range m {
		writeIndent(b, indent)
		writeKey(b, e.key)
		writeValueAfterKey(b, e.val, indent)
	}
}

// writeValueAfterKey writes ":" and the value of a mapping entry.
func writeValueAfterKey(b *bytes.Buffer, v node, indent int) {
	switch v.kind {
	case kindObject:
		if len(v.obj) == 0 {
			b.WriteString(": {}\n")
			return
		}
		b.WriteString(":\n")
		writeMapping(b, v.obj, indent+2)
	case kindArray:
		if len(v.arr) == 0 {
			b.WriteString(": []\n")
			return
		}
		b.WriteString(":\n")
		writeSequence(b, v.arr, indent)
	default:
		b.WriteString(": ")
		writeScalar(b, v)
		b.WriteByte('\n')
	}
}

func writeSequence(b *bytes.Buffer, s []node, indent int) {
	for _, e := range s {
		writeIndent(b, indent)
		b.WriteString("- ")
		switch e.kind {
		case kindObject:
			t := e.obj
			if len(t) == 0 {
				b.WriteString("{}\n")
				continue
			}
			// The first entry shares the "- " line; the rest align with it.
			for i, m := range t {
				if i > 0 {
					writeIndent(b, indent+2)
				}
				writeKey(b, m.key)
				writeValueAfterKey(b, m.val, indent+2)
			}
		case kindArray:
			if len(e.arr) == 0 {
				b.WriteString("[]\n")
				continue
			}
			b.WriteByte('\n')
			writeSequence(b, e.arr, indent+2)
		default:
			writeScalar(b, e)
			b.WriteByte('\n')
		}
	}
}

func writeIndent(b *bytes.Buffer, n int) {
	for n > len(spaces) {
		b.WriteString(spaces)
		n -= len(spaces)
	}
	b.WriteString(spaces[:n])
}

// spaces is a run of indentation written at once.
const spaces = "                                                                "

func writeKey(b *bytes.Buffer, k string) { writeString(b, k) }

func writeScalar(b *bytes.Buffer, v node) {
	switch v.kind {
	case kindString:
		writeString(b, v.text)
	case kindNumber:
		b.WriteString(v.text)
	case kindBool:
		b.WriteString(strconv.FormatBool(v.b))
	default:
		b.WriteString("null")
	}
}

// writeString writes s plain when a YAML 1.1 or 1.2 reader reads it back as
// the same string, and double-quoted otherwise.
func writeString(b *bytes.Buffer, s string) {
	if plainSafe(s) {
		b.WriteString(s)
		return
	}
	b.WriteString(strconv.Quote(s))
}

// notString matches plain scalars that YAML readers resolve to something
// other than a string: numbers in YAML 1.1 and 1.2 forms (with _, hex,
// octal, binary, sexagesimal), infinities, NaN and timestamps.
var notString = regexp.MustCompile(`^(` +
	`[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?` +
	`|[-+]?0x[0-9a-fA-F_]+|[-+]?0o?[0-7_]+|[-+]?0b[01_]+` +
	`|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?` +
	`|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)` +
	`|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*` +
	`)$`)

// isReserved reports whether YAML 1.1 resolves the plain word s to a
// boolean or null.
func isReserved(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF",
		"null", "Null", "NULL", "~":
		return true
	}
	return false
}

// simpleWord reports whether s starts with a letter and holds only letters,
// digits, '.', '_', '/' and '-': most keys and values, which need no more
// thought than the reserved words.
func simpleWord(s string) bool {
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '/' || c == '-') {
			return false
		}
	}
	return true
}

func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	if simpleWord(s) {
		return !isReserved(s)
	}
	if !utf8.ValidString(s) {
		return false
	}
	switch s[0] {
	case ' ', '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		if s[0] != '-' || len(s) == 1 || s[1] == ' ' {
			return false
		}
	}
	if s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			return false // control characters and non-ASCII: quote, to be safe
		}
		if c == '#' && i > 0 && s[i-1] == ' ' {
			return false
		}
		if c == ':' && i+1 < len(s) && s[i+1] == ' ' {
			return false
		}
		if c == '\\' || c == '"' || c == '\'' && i == 0 {
			return false
		}
	}
	if isReserved(s) {
		return false
	}
	if first := s[0]; (first >= '0' && first <= '9') || first == '+' || first == '-' || first == '.' {
		return !mayNotBeString(s) || !notString.MatchString(s)
	}
	return true
}

// mayNotBeString is a quick test before notString: false means notString
// cannot match s. Every form notString matches, but a timestamp, is made
// only of digits, hex letters and "_.:+-xoinIN"; a timestamp starts with a
// year and '-'. So a quantity such as 100m or 128Mi, the most common
// string starting with a digit, never reaches the regular expression.
func mayNotBeString(s string) bool {
	if len(s) >= 5 && s[4] == '-' && isDigits(s[:4]) {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c == '_', c == '.', c == ':', c == '+', c == '-', c == 'x', c == 'o', c == 'i', c == 'n', c == 'I', c == 'N':
		default:
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// writeJSON writes the tree as indented JSON with sorted keys.
func writeJSON(b *bytes.Buffer, v node, indent int) {
	switch v.kind {
	case kindObject:
		t := v.obj
		if len(t) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, m := range t {
			if i > 0 {
				b.WriteString(",\n")
			}
			writeIndent(b, indent+2)
			writeJSONString(b, m.key)
			b.WriteString(": ")
			writeJSON(b, m.val, indent+2)
		}
		b.WriteByte('\n')
		writeIndent(b, indent)
		b.WriteByte('}')
	case kindArray:
		if len(v.arr) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range v.arr {
			if i > 0 {
				b.WriteString(",\n")
			}
			writeIndent(b, indent+2)
			writeJSON(b, e, indent+2)
		}
		b.WriteByte('\n')
		writeIndent(b, indent)
		b.WriteByte(']')
	case kindString:
		writeJSONString(b, v.text)
	case kindNumber:
		b.WriteString(v.text)
	case kindBool:
		b.WriteString(strconv.FormatBool(v.b))
	default:
		b.WriteString("null")
	}
}

// writeJSONString writes s as a JSON string.
func writeJSONString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
