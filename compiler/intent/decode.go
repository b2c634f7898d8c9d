// Package intent decodes workload intents and runs the structural checks
// that come before policy and compile: every problem the cluster would reject
// because of what the user wrote is found here, with its intent field path.
package intent

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

var unmarshal = protojson.UnmarshalOptions{}

// Decode reads a WorkloadIntent from its protojson form (lower camel case
// field names, enum values by their full names) or the same document as
// YAML. A malformed document is an *diag.Error of kind Invalid with one
// finding: its field path when the problem is inside a field, and its line
// and column in the input.
//
// Both forms refuse duplicate keys, and input that is not valid UTF-8. A
// YAML stream must hold one document (empty documents aside); merge keys
// (<<) are refused; aliases may expand the document to at most ten times
// the values written, plus 10,000; YAML nests at most 64 levels deep.
// Scalars follow YAML 1.2: yes and no are strings, not booleans. Decode
// reads whatever size it is given: bound the input before calling it.
func Decode(data []byte) (*podcv1.WorkloadIntent, error) {
	if !utf8.Valid(data) {
		line, col := invalidUTF8At(data)
		return nil, invalid("", fmt.Sprintf("not valid UTF-8 (at %d:%d)", line, col))
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, invalid("", "the intent is empty")
	}
	if trimmed[0] == '{' {
		return decodeJSON(asIntentJSON(data), nil)
	}
	js, pos, err := yamlToJSON(data)
	if err != nil {
		return nil, err
	}
	return decodeJSON(js, pos)
}

// decodeJSON unmarshals a protojson document. pos, when set, maps each line
// of data to the YAML position it was converted from.
func decodeJSON(data []byte, pos []position) (*podcv1.WorkloadIntent, error) {
	wi := &podcv1.WorkloadIntent{}
	err := unmarshal.Unmarshal(data, wi)
	if err == nil {
		return wi, nil
	}
	msg := strings.ReplaceAll(err.Error(), "\u00a0", " ") // protojson uses non-breaking spaces in some versions
	var (
		field string
		at    string
	)
	m := protoPosition().FindStringSubmatch(msg)
	if m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		field = jsonPathAt(data, offsetOf(data, line, col))
		at = fmt.Sprintf(" (at %d:%d)", line, col)
		if pos != nil && line >= 1 && line <= len(pos) {
			at = " (at " + pos[line-1].String() + ")"
		}
	}
	msg = cleanProtoError(msg)
	if m == nil {
		field = fieldOf(msg)
	}
	if strings.Contains(msg, "invalid value for enum") {
		if names := enumValues(wi.ProtoReflect().Descriptor(), fieldOf(msg), map[protoreflect.FullName]bool{}); len(names) > 0 {
			msg += "; want one of " + strings.Join(names, ", ")
		}
	}
	return nil, invalid(field, elide(msg)+at)
}

// The regular expressions of error messages are compiled on first use:
// most runs never need them.
var quoted = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"(?:[^"\\]|\\.)*"`) })

// elide keeps the values a message quotes short: a quoted string longer
// than 64 bytes becomes its length, and a message still longer than 300
// bytes is cut.
func elide(msg string) string {
	msg = quoted().ReplaceAllStringFunc(msg, func(q string) string {
		if len(q) > 66 {
			return fmt.Sprintf("(a %d-byte string)", len(q)-2)
		}
		return q
	})
	if len(msg) > 300 {
		cut := 240
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = fmt.Sprintf("%s… (%d bytes cut)", msg[:cut], len(msg)-cut)
	}
	return msg
}

// enumValues returns the value names of the enum field with JSON name
// field, found anywhere in the message md, without the UNSPECIFIED value.
func enumValues(md protoreflect.MessageDescriptor, field string, seen map[protoreflect.FullName]bool) []string {
	if seen[md.FullName()] {
		return nil
	}
	seen[md.FullName()] = true
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Kind() == protoreflect.EnumKind && (fd.JSONName() == field || string(fd.Name()) == field) {
			var names []string
			vals := fd.Enum().Values()
			for j := 0; j < vals.Len(); j++ {
				if v := vals.Get(j); v.Number() != 0 {
					names = append(names, string(v.Name()))
				}
			}
			return names
		}
	}
	for i := 0; i < fields.Len(); i++ {
		if fd := fields.Get(i); fd.Message() != nil {
			if names := enumValues(fd.Message(), field, seen); names != nil {
				return names
			}
		}
	}
	return nil
}

func invalid(field, msg string) error {
	return &diag.Error{Kind: diag.Invalid, Findings: []diag.Finding{diag.Denyf(diag.StageIntent, field, "%s", msg)}}
}

var (
	quotedField = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:unknown field|duplicate field|field) "?([A-Za-z_][A-Za-z0-9_]*)"?`)
	})
	protoPrefix = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^proto:\s*(syntax error)?\s*(\(line \d+:\d+\))?:?\s*`)
	})
	protoPosition = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\(line (\d+):(\d+)\)`) })
)

// fieldOf finds the field name protojson complains about, if it names one.
func fieldOf(msg string) string {
	if m := quotedField().FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

// cleanProtoError drops protojson's "proto: (line 1:2):" prefix; the caller
// places the position.
func cleanProtoError(msg string) string {
	m := protoPrefix().FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	rest := msg[len(m[0]):]
	if m[1] != "" {
		return "syntax error: " + rest
	}
	return rest
}

// offsetOf turns protojson's 1-based line and column (in runes) into a
// byte offset in data.
func offsetOf(data []byte, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return len(data)
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(data); c++ {
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off
}

// invalidUTF8At returns the 1-based line and byte column of the first
// invalid UTF-8 sequence in data.
func invalidUTF8At(data []byte) (line, col int) {
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, i - start + 1
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return line, len(data) - start + 1
}
