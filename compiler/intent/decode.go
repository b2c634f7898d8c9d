// Package intent decodes workload intents and runs the structural checks
// that come before policy and compile: every problem the cluster would reject
// because of what the user wrote is found here, with its intent field path.
package intent

import (
	"bytes"
	"regexp"

	"google.golang.org/protobuf/encoding/protojson"
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
		return nil, invalid(fieldOf(err.Error()), cleanProtoError(err.Error()))
	}
	return wi, nil
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
