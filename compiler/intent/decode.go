// Package intent decodes workload intents and runs the structural checks
// that come before policy and compile: every problem the cluster would reject
// because of what the user wrote is found here, with its intent field path.
package intent

import (
	"bytes"
	"regexp"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"sigs.k8s.io/yaml"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

var unmarshal = protojson.UnmarshalOptions{}

// Decode reads a WorkloadIntent from its protojson form (lower camel case
// field names, enum values by their full names) or the same document as
// YAML. A malformed document is an *diag.Error of kind Invalid.
func Decode(data []byte) (*podcv1.WorkloadIntent, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, invalid("", "the intent is empty")
	}
	js := trimmed
	if trimmed[0] != '{' {
		var err error
		js, err = yaml.YAMLToJSON(trimmed)
		if err != nil {
			return nil, invalid("", "not JSON or YAML: "+err.Error())
		}
		if !bytes.HasPrefix(bytes.TrimSpace(js), []byte("{")) {
			return nil, invalid("", "the intent must be an object")
		}
	}
	wi := &podcv1.WorkloadIntent{}
	if err := unmarshal.Unmarshal(js, wi); err != nil {
		field := fieldOf(err.Error())
		msg := cleanProtoError(err.Error())
		if strings.Contains(msg, "invalid value for enum") {
			if names := enumValues(wi.ProtoReflect().Descriptor(), field, map[protoreflect.FullName]bool{}); len(names) > 0 {
				hint := "; want one of " + strings.Join(names, ", ")
				if at := strings.LastIndex(msg, " (at "); at >= 0 {
					msg = msg[:at] + hint + msg[at:]
				} else {
					msg += hint
				}
			}
		}
		return nil, invalid(field, msg)
	}
	return wi, nil
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
	quotedField = regexp.MustCompile(`(?:unknown field|parsing|field) "?([A-Za-z_][A-Za-z0-9_]*)"?`)
	protoPrefix = regexp.MustCompile(`^proto:\s*(\(line \d+:\d+\):\s*)?`)
)

// fieldOf finds the field name protojson complains about, if it names one.
func fieldOf(msg string) string {
	if m := quotedField.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

// cleanProtoError drops protojson's "proto: (line 1:2):" prefix; the line
// and column are kept in the message when present.
func cleanProtoError(msg string) string {
	loc := ""
	if m := regexp.MustCompile(`\(line (\d+:\d+)\)`).FindStringSubmatch(msg); m != nil {
		loc = " (at " + m[1] + ")"
	}
	// protojson messages contain non-breaking spaces in some versions.
	msg = string(bytes.ReplaceAll([]byte(msg), []byte("\u00a0"), []byte(" ")))
	return protoPrefix.ReplaceAllString(msg, "") + loc
}
