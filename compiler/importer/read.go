package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"

	"github.com/podc-dev/podc/internal/yamlnode"
)

// Format is the text format of the manifests.
type Format int

const (
	// Detect reads JSON when the text starts with '{' or '[', YAML
	// otherwise.
	Detect Format = iota
	// YAML is a stream of one or more YAML documents.
	YAML
	// JSON is one JSON value: an object, a List or an array of objects.
	JSON
)

// position is a line and column in the input, both from 1.
type position struct{ line, col int }

// document is one object of the input as a JSON-like tree (maps, lists,
// strings, json.Numbers, booleans and nil), with where each of its nodes
// starts in the input.
type document struct {
	tree map[string]any
	at   position
	pos  map[string]position // by fieldPath.id()
}

// position returns where the node at p starts, or where the object starts
// when p is not in the input.
func (d *document) position(p fieldPath) position {
	for q := p; ; q = q[:len(q)-1] {
		if at, ok := d.pos[q.id()]; ok {
			return at
		}
		if len(q) == 0 {
			return d.at
		}
	}
}

// Bounds of the reader, beyond Limits.
const (
	// maxDepth is how deep mappings and sequences may nest.
	maxDepth = 64
	// aliasFactor and aliasSlack bound YAML alias expansion: the expanded
	// stream holds at most aliasFactor × the values written plus
	// aliasSlack values.
	aliasFactor = 10
	aliasSlack  = 10000
)

// read parses the input into its objects: every non-empty YAML document,
// or the JSON value, with the items of Lists and of JSON arrays taken one
// by one.
func read(data []byte, format Format, lim Limits) ([]*document, error) {
	if int64(len(data)) > lim.Bytes {
		return nil, &InputError{Problems: []Problem{{Message: fmt.Sprintf("%d bytes: more than the %d an import reads", len(data), lim.Bytes)}}}
	}
	if !utf8.Valid(data) {
		line, col := invalidUTF8At(data)
		return nil, &InputError{Problems: []Problem{{Line: line, Column: col, Message: "not valid UTF-8"}}}
	}
	trimmed := bytes.TrimSpace(data)
	isJSON := len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
	switch format {
	case Detect:
		format = YAML
		if isJSON {
			format = JSON
		}
	case JSON:
		if !isJSON {
			line, col := 1, 1
			if len(trimmed) > 0 {
				line, col = positionOf(data, len(data)-len(bytes.TrimLeft(data, " \t\r\n")))
			}
			return nil, &InputError{Problems: []Problem{{Line: line, Column: col, Message: "not JSON: want an object, a List or an array of objects"}}}
		}
	}
	var nodes []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError(err, format)
		}
		if len(doc.Content) == 0 || yamlnode.IsNull(doc.Content[0]) {
			continue
		}
		nodes = append(nodes, doc.Content[0])
	}
	if format == JSON && len(nodes) > 1 {
		return nil, &InputError{Problems: []Problem{{Line: nodes[1].Line, Column: nodes[1].Column, Message: "a second JSON value: give one object, a List or an array"}}}
	}
	budget := aliasSlack
	for _, n := range nodes {
		budget += aliasFactor * yamlnode.Count(n)
	}
	c := &converter{budget: budget}
	var docs []*document
	for _, n := range nodes {
		if format == JSON && n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				d, err := c.document(item)
				if err != nil {
					return nil, err
				}
				docs = append(docs, d)
			}
		} else {
			d, err := c.document(n)
			if err != nil {
				return nil, err
			}
			docs = append(docs, d)
		}
		if len(docs) > lim.Objects {
			return nil, &InputError{Problems: []Problem{{Line: n.Line, Column: n.Column, Message: fmt.Sprintf("more than %d objects", lim.Objects)}}}
		}
	}
	docs, err := expandLists(docs)
	if err != nil {
		return nil, err
	}
	if len(docs) > lim.Objects {
		return nil, &InputError{Problems: []Problem{{Message: fmt.Sprintf("more than %d objects", lim.Objects)}}}
	}
	return docs, nil
}

// expandLists replaces each v1 List (kind List, as kubectl get writes)
// by its items.
func expandLists(docs []*document) ([]*document, error) {
	var out []*document
	for _, d := range docs {
		if d.tree["kind"] != "List" || d.tree["apiVersion"] != "v1" {
			out = append(out, d)
			continue
		}
		items, ok := d.tree["items"].([]any)
		if !ok && d.tree["items"] != nil {
			return nil, inputErr("List", fieldPath{}.f("items"), d.position(fieldPath{}.f("items")), "want a list of objects")
		}
		for i, it := range items {
			p := fieldPath{}.f("items").i(i)
			m, ok := it.(map[string]any)
			if !ok {
				return nil, inputErr("List", p, d.position(p), "want an object")
			}
			sub := &document{tree: m, at: d.position(p), pos: map[string]position{}}
			prefix := p.id()
			for k, v := range d.pos {
				if strings.HasPrefix(k, prefix) {
					sub.pos[k[len(prefix):]] = v
				}
			}
			out = append(out, sub)
		}
	}
	return out, nil
}

// syntaxError is a YAML or JSON syntax error with its line and column.
func syntaxError(err error, format Format) error {
	what := "YAML"
	if format == JSON {
		what = "JSON"
	}
	var le *yaml.LoadError
	if errors.As(err, &le) && le.Mark.Line > 0 {
		msg := fmt.Sprintf("not valid %s: %s", what, le.Message)
		if le.ContextMsg != "" && le.ContextMark.Line > 0 {
			msg += fmt.Sprintf(" (%s at %d:%d)", le.ContextMsg, le.ContextMark.Line, max(le.ContextMark.Column, 1))
		}
		return &InputError{Problems: []Problem{{Line: le.Mark.Line, Column: max(le.Mark.Column, 1), Message: msg}}}
	}
	return &InputError{Problems: []Problem{{Message: fmt.Sprintf("not valid %s: %s", what, strings.TrimPrefix(err.Error(), "yaml: "))}}}
}

// converter turns YAML nodes into trees, within an alias expansion budget
// shared by the whole stream.
type converter struct {
	values int
	budget int
}

// document converts one top-level node, which must be a mapping.
func (c *converter) document(n *yaml.Node) (*document, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil, &InputError{Problems: []Problem{{Line: n.Line, Column: n.Column, Message: "not a Kubernetes object: want a mapping with apiVersion and kind"}}}
	}
	d := &document{at: position{n.Line, n.Column}, pos: map[string]position{}}
	v, err := c.value(d, n, fieldPath{}, 0)
	if err != nil {
		return nil, err
	}
	d.tree = v.(map[string]any)
	return d, nil
}

// value converts node n, found at p, nested depth levels deep.
func (c *converter) value(d *document, n *yaml.Node, p fieldPath, depth int) (any, error) {
	c.values++
	if c.values > c.budget {
		return nil, inputErr("", p, position{n.Line, n.Column}, "aliases expand the input beyond %d values", c.budget)
	}
	if depth > maxDepth {
		return nil, inputErr("", p, position{n.Line, n.Column}, "nested more than %d levels deep", maxDepth)
	}
	if n.Kind != yaml.AliasNode {
		d.pos[p.id()] = position{n.Line, n.Column}
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, inputErr("", p, position{n.Line, n.Column}, "an alias to no anchor")
		}
		d.pos[p.id()] = position{n.Line, n.Column}
		return c.value(d, n.Alias, p, depth)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := k
			if key.Kind == yaml.AliasNode && key.Alias != nil {
				key = key.Alias
			}
			if key.Kind != yaml.ScalarNode {
				return nil, inputErr("", p, position{k.Line, k.Column}, "a key must be a string")
			}
			if key.ShortTag() == "!!merge" {
				return nil, inputErr("", p, position{k.Line, k.Column}, "merge keys (<<) are not supported: write the fields out")
			}
			kp := p.f(key.Value)
			if first, dup := seen[key.Value]; dup {
				return nil, inputErr("", kp, position{k.Line, k.Column}, "duplicate key %s: first at %d:%d", short(key.Value), first.Line, first.Column)
			}
			seen[key.Value] = k
			cv, err := c.value(d, v, kp, depth+1)
			if err != nil {
				return nil, err
			}
			d.pos[kp.id()] = position{k.Line, k.Column} // a field is where its key is
			m[key.Value] = cv
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			cv, err := c.value(d, e, p.i(i), depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, cv)
		}
		return l, nil
	case yaml.ScalarNode:
		return scalar(p, n)
	}
	return nil, inputErr("", p, position{n.Line, n.Column}, "unexpected YAML node")
}

// jsonNumber is compiled on first use: only podc import reads YAML here.
var jsonNumber = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
})

// scalar is the value of a YAML scalar, by its YAML 1.2 type: nil, a
// boolean, a json.Number or a string.
func scalar(p fieldPath, n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, inputErr("", p, position{n.Line, n.Column}, "%s is not a boolean", short(n.Value))
		}
		return b, nil
	case "!!int":
		if jsonNumber().MatchString(n.Value) {
			return json.Number(n.Value), nil
		}
		i, ok := new(big.Int).SetString(strings.ReplaceAll(n.Value, "_", ""), 0)
		if !ok {
			return nil, inputErr("", p, position{n.Line, n.Column}, "%s is not a number", short(n.Value))
		}
		return json.Number(i.String()), nil
	case "!!float":
		if jsonNumber().MatchString(n.Value) {
			return json.Number(n.Value), nil
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, inputErr("", p, position{n.Line, n.Column}, "%s is not a finite number", short(n.Value))
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return n.Value, nil
}

// short quotes s for a message, or gives its length when it is long.
func short(s string) string {
	if len(s) > 64 {
		return fmt.Sprintf("(a %d-byte value)", len(s))
	}
	return strconv.Quote(s)
}

// positionOf returns the 1-based line and byte column of offset off.
func positionOf(data []byte, off int) (line, col int) {
	line, start := 1, 0
	for i := 0; i < off && i < len(data); i++ {
		if data[i] == '\n' {
			line, start = line+1, i+1
		}
	}
	return line, off - start + 1
}

// invalidUTF8At returns the 1-based line and byte column of the first
// invalid UTF-8 sequence in data.
func invalidUTF8At(data []byte) (line, col int) {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return positionOf(data, i)
		}
		i += size
	}
	return positionOf(data, len(data))
}
