package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// The inputs' JSON is written field by field by one appender per in*
// type (intentjson.go, manifestjson.go) with the helpers below: the same
// bytes encoding/json.Marshal gives for the same value (fields in
// declaration order under their tag names, strings escaped as Marshal
// escapes them, including <, > and &, map keys sorted, a nil slice, map or
// pointer as null), without reflection and without allocating beyond the
// writer's buffer. inputwriter_test.go holds them to Marshal's output for
// every field of every type, so a field added to an in* type fails the
// tests until its appender writes it.

// An inputWriter encodes a stage's inputs as JSON into one buffer it
// keeps between evaluations (see inputWriters): the inputs are read only
// while their stage is evaluated, every cache key made of them is a copy.
type inputWriter struct {
	buf []byte
	// keys is room to sort a map's keys in.
	keys []string
	// err is the first value that has no JSON encoding: a json.Number
	// that is not a number.
	err error
}

// begin starts an input at the end of the buffer.
func (w *inputWriter) begin() int {
	w.err = nil
	return len(w.buf)
}

// end returns the input written since begin returned start, whose bytes
// stay valid until w is put back; or w's error, dropping the input.
func (w *inputWriter) end(start int) ([]byte, error) {
	if w.err != nil {
		w.buf = w.buf[:start]
		return nil, w.err
	}
	// A later input may grow the buffer into a new array: these bytes stay
	// where they are, as nothing rewinds the buffer until it is put back.
	return w.buf[start:len(w.buf):len(w.buf)], nil
}

// maxKeptInputs bounds the buffer a pooled inputWriter keeps.
const maxKeptInputs = 1 << 20

var inputWriters = sync.Pool{New: func() any { return &inputWriter{} }}

// getInputWriter returns an empty inputWriter from the pool.
func getInputWriter() *inputWriter {
	w := inputWriters.Get().(*inputWriter)
	w.buf = w.buf[:0]
	w.err = nil
	return w
}

// put returns w to the pool; nothing it returned may be used after.
func (w *inputWriter) put() {
	if cap(w.buf) <= maxKeptInputs {
		inputWriters.Put(w)
	}
}

// raw appends s as it is: punctuation and field names.
func (w *inputWriter) raw(s string) { w.buf = append(w.buf, s...) }

// plainJSON says which ASCII bytes a JSON string holds as they are:
// every one but the control characters, ", \, and <, > and & (which
// encoding/json escapes for HTML).
var plainJSON = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it with HTML escaping on (its default): ", \ and the control
// characters, <, > and &, U+2028 and U+2029; each byte of invalid UTF-8
// becomes U+FFFD.
func (w *inputWriter) appendString(s string) {
	const hex = "0123456789abcdef"
	b := append(w.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if plainJSON[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	w.buf = append(b, '"')
}

// appendNumber appends n as it is, as encoding/json does: "" as 0. A
// string that is not a JSON number is w's error (encoding/json's too), so
// the input is never written with it; podc's own quantities are always
// numbers.
func (w *inputWriter) appendNumber(n json.Number) {
	if n == "" {
		n = "0"
	}
	if !isJSONNumber(string(n)) {
		if w.err == nil {
			w.err = fmt.Errorf("json: invalid number literal %q", string(n))
		}
		w.raw("0")
		return
	}
	w.raw(string(n))
}

// isJSONNumber reports whether s is a number in JSON's grammar (RFC 8259
// section 6), as encoding/json checks a json.Number.
func isJSONNumber(s string) bool {
	digits := func(s string) string {
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
		return s
	}
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	switch {
	case s == "":
		return false
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = digits(s[1:])
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = digits(s[2:])
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		s = digits(s)
	}
	return s == ""
}

func (w *inputWriter) appendBool(b bool) { w.buf = strconv.AppendBool(w.buf, b) }

func (w *inputWriter) appendInt(n int64) { w.buf = strconv.AppendInt(w.buf, n, 10) }

func (w *inputWriter) appendBoolPointer(p *bool) {
	if p == nil {
		w.raw("null")
		return
	}
	w.appendBool(*p)
}

func (w *inputWriter) appendIntPointer(p *int64) {
	if p == nil {
		w.raw("null")
		return
	}
	w.appendInt(*p)
}

func (w *inputWriter) appendStringPointer(p *string) {
	if p == nil {
		w.raw("null")
		return
	}
	w.appendString(*p)
}

func (w *inputWriter) appendStrings(s []string) {
	appendList(w, s, func(w *inputWriter, e *string) { w.appendString(*e) })
}

func (w *inputWriter) appendInts(s []int64) {
	appendList(w, s, func(w *inputWriter, e *int64) { w.appendInt(*e) })
}

// appendStringMap appends m with its keys in byte order, as encoding/json
// sorts them.
func (w *inputWriter) appendStringMap(m map[string]string) {
	if m == nil {
		w.raw("null")
		return
	}
	keys := w.keys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.raw("{")
	for i, k := range keys {
		if i > 0 {
			w.raw(",")
		}
		w.appendString(k)
		w.raw(":")
		w.appendString(m[k])
	}
	w.raw("}")
	clear(keys) // keep no map's keys alive in the pool
	w.keys = keys[:0]
}

// appendPointer appends *p with each, or null for a nil p.
func appendPointer[T any](w *inputWriter, p *T, each func(*inputWriter, *T)) {
	if p == nil {
		w.raw("null")
		return
	}
	each(w, p)
}

// appendList appends the elements of s with each, or null for a nil s.
func appendList[T any](w *inputWriter, s []T, each func(*inputWriter, *T)) {
	if s == nil {
		w.raw("null")
		return
	}
	w.raw("[")
	for i := range s {
		if i > 0 {
			w.raw(",")
		}
		each(w, &s[i])
	}
	w.raw("]")
}
