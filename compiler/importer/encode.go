package importer

import (
	"bytes"
	"encoding/json"
	"fmt"

	yaml "go.yaml.in/yaml/v4"
	"google.golang.org/protobuf/encoding/protojson"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Encode writes an intent as podc compile reads it: protojson (lower camel
// case, enum values by their full names) indented by two spaces, or the
// same document as YAML (JSON or YAML for format; Detect means JSON). The
// fields come in the order of intent.proto, map keys sorted; the output is
// the same on every run.
func Encode(wi *podcv1.WorkloadIntent, format Format) ([]byte, error) {
	compact, err := protojson.Marshal(wi)
	if err != nil {
		return nil, err
	}
	// protojson varies its whitespace between runs on purpose; compact
	// and indent it again for output that is stable.
	var buf bytes.Buffer
	if err := json.Compact(&buf, compact); err != nil {
		return nil, err
	}
	if format != YAML {
		var out bytes.Buffer
		if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
			return nil, err
		}
		out.WriteByte('\n')
		return out.Bytes(), nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &doc); err != nil {
		return nil, fmt.Errorf("importer: the intent as YAML: %w", err)
	}
	blockStyle(&doc)
	out, err := yaml.Dump(&doc, yaml.WithV4Defaults(), yaml.WithCompactSeqIndent(false), yaml.WithLineWidth(-1))
	if err != nil {
		return nil, fmt.Errorf("importer: the intent as YAML: %w", err)
	}
	return out, nil
}

// blockStyle writes every mapping and sequence of n in block style, and
// quotes only the strings that need it.
func blockStyle(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		n.Style &^= yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}
