package intent

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

	yaml "go.yaml.in/yaml/v4"

	"github.com/podc-dev/podc/internal/yamlnode"
)

// position is a line and column in the input, both 1-based.
type position struct{ line, col int }

func (p position) String() string { return fmt.Sprintf("%d:%d", p.line, p.col) }

// Bounds of the YAML reader.
const (
	// maxYAMLDepth is how deep mappings and sequences may nest.
	maxYAMLDepth = 64
	// aliasFactor and aliasSlack bound alias expansion: the expanded
	// document holds at most aliasFactor × the values written plus
	// aliasSlack values.
	aliasFactor = 10
	aliasSlack  = 10000
)

// yamlToJSON reads a YAML stream of one document and converts it to JSON
// with every key and value on a line of its own. pos maps each JSON line
// to the YAML position of the node it came from, so that protojson's
// errors can point into the YAML.
func yamlToJSON(data []byte) (js []byte, pos []position, err error) {
	doc, err := oneDocument(data)
	if err != nil {
		return nil, nil, err
	}
	if doc == nil || yamlnode.IsNull(doc) {
		return nil, nil, invalid("", "the intent is empty")
	}
	if doc.Kind != yaml.MappingNode {
		return nil, nil, invalid("", fmt.Sprintf("the intent must be an object (at %d:%d)", doc.Line, doc.Column))
	}
	c := &yamlConv{budget: aliasFactor*yamlnode.Count(doc) + aliasSlack}
	if err := c.value(doc, rootPlace(), 0); err != nil {
		return nil, nil, err
	}
	return c.buf.Bytes(), c.pos, nil
}

// oneDocument returns the content of the stream's only non-empty document.
func oneDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first *yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return first, nil
		}
		if err != nil {
			return nil, yamlError(err)
		}
		if len(doc.Content) == 0 || yamlnode.IsNull(doc.Content[0]) {
			continue
		}
		if first != nil {
			n := doc.Content[0]
			return nil, invalid("", fmt.Sprintf("several YAML documents: an intent is one document, and another starts at %d:%d", n.Line, n.Column))
		}
		first = doc.Content[0]
	}
}

// yamlError turns a YAML syntax error into an Invalid error that names its
// line and column, and the construct it was in when the library says.
func yamlError(err error) error {
	var le *yaml.LoadError
	if errors.As(err, &le) && le.Mark.Line > 0 {
		msg := fmt.Sprintf("not valid YAML: %s (at %d:%d", le.Message, le.Mark.Line, max(le.Mark.Column, 1))
		if le.ContextMsg != "" && le.ContextMark.Line > 0 {
			msg += fmt.Sprintf(", %s at %d:%d", le.ContextMsg, le.ContextMark.Line, max(le.ContextMark.Column, 1))
		}
		return invalid("", msg+")")
	}
	return invalid("", "not valid YAML: "+strings.TrimPrefix(err.Error(), "yaml: "))
}

// yamlConv writes JSON from YAML nodes.
type yamlConv struct {
	buf    bytes.Buffer
	pos    []position
	values int // nodes written, aliases expanded
	budget int
}

// line starts a JSON line for node n.
func (c *yamlConv) line(n *yaml.Node) {
	if len(c.pos) > 0 {
		c.buf.WriteByte('\n')
	}
	c.pos = append(c.pos, position{n.Line, n.Column})
}

// at is an Invalid error at the intent field p, placed at node n.
func at(p place, n *yaml.Node, format string, args ...any) error {
	return invalid(p.path.String(), fmt.Sprintf(format, args...)+fmt.Sprintf(" (at %d:%d)", n.Line, n.Column))
}

// value writes node n, found at place p, nested depth levels deep.
func (c *yamlConv) value(n *yaml.Node, p place, depth int) error {
	c.values++
	if c.values > c.budget {
		return at(p, n, "aliases expand the document beyond %d values", c.budget)
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return at(p, n, "an alias to no anchor")
		}
		return c.value(n.Alias, p, depth)
	case yaml.MappingNode:
		return c.mapping(n, p, depth+1)
	case yaml.SequenceNode:
		if depth+1 > maxYAMLDepth {
			return at(p, n, "nested more than %d levels deep", maxYAMLDepth)
		}
		c.line(n)
		c.buf.WriteByte('[')
		for i, e := range n.Content {
			if i > 0 {
				c.buf.WriteByte(',')
			}
			if err := c.value(e, p.index(i), depth+1); err != nil {
				return err
			}
		}
		c.line(n)
		c.buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		s, err := scalarJSON(p, n)
		if err != nil {
			return err
		}
		c.line(n)
		c.buf.WriteString(s)
		return nil
	}
	return at(p, n, "unexpected YAML node")
}

func (c *yamlConv) mapping(n *yaml.Node, p place, depth int) error {
	if depth > maxYAMLDepth {
		return at(p, n, "nested more than %d levels deep", maxYAMLDepth)
	}
	c.line(n)
	c.buf.WriteByte('{')
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k
		if key.Kind == yaml.AliasNode && key.Alias != nil {
			key = key.Alias
		}
		if key.Kind != yaml.ScalarNode {
			return at(p, k, "a key must be a string")
		}
		if key.ShortTag() == "!!merge" {
			return at(p, k, "merge keys (<<) are not supported: write the fields out")
		}
		name := kubernetesKey(key.Value)
		kp := p.key(name)
		if first, dup := seen[name]; dup {
			return at(kp, k, "duplicate key %s: first at %d:%d", short(key.Value), first.Line, first.Column)
		}
		seen[name] = k
		c.line(k)
		if i > 0 {
			c.buf.WriteByte(',')
		}
		js, _ := json.Marshal(name)
		c.buf.Write(js)
		c.buf.WriteByte(':')
		if err := c.value(v, kp, depth); err != nil {
			return err
		}
	}
	c.line(n)
	c.buf.WriteByte('}')
	return nil
}

// jsonNumber is compiled on the first YAML input.
var jsonNumber = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
})

// scalarJSON is the JSON form of a YAML scalar, by its YAML 1.2 type:
// null, a boolean, a number or a string.
func scalarJSON(p place, n *yaml.Node) (string, error) {
	switch n.ShortTag() {
	case "!!null":
		return "null", nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return "", at(p, n, "%s is not a boolean", short(n.Value))
		}
		return strconv.FormatBool(b), nil
	case "!!int":
		if numericPortField(p.path.String()) {
			s, _ := json.Marshal(n.Value)
			return string(s), nil
		}
		if jsonNumber().MatchString(n.Value) {
			return n.Value, nil
		}
		i, ok := new(big.Int).SetString(n.Value, 0)
		if !ok {
			return "", at(p, n, "%s is not a number", short(n.Value))
		}
		return i.String(), nil
	case "!!float":
		if jsonNumber().MatchString(n.Value) {
			return n.Value, nil
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", at(p, n, "%s is not a finite number", short(n.Value))
		}
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	}
	s, _ := json.Marshal(n.Value)
	return string(s), nil
}

// short quotes s for a message, or gives its length when it is long.
func short(s string) string {
	if len(s) > 64 {
		return fmt.Sprintf("(a %d-byte value)", len(s))
	}
	return strconv.Quote(s)
}
