package render

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is the JSON type of a node.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
)

// node is one JSON value: its kind and the field that holds it. A typed
// node, not an interface, so that reading a value boxes nothing.
type node struct {
	kind kind
	text string // a string, or a number as written
	b    bool
	obj  object
	arr  []node
}

// member is one key and value of a JSON object.
type member struct {
	key string
	val node
}

// object is a JSON object: its members sorted by key.
type object []member

// parseTree reads one JSON value as written by encoding/json into a tree
// of nodes: objects (members sorted by key), arrays, strings, numbers (as
// written), bools and null. It is a small recursive-descent reader, several
// times faster than decoding into interfaces with encoding/json, which
// matters because every compiled object passes through it.
func parseTree(data []byte) (node, error) {
	p := &treeParser{b: data, s: string(data)}
	v, err := p.value()
	if err != nil {
		return node{}, err
	}
	p.space()
	if p.i != len(p.b) {
		return node{}, p.errorf("trailing data")
	}
	return v, nil
}

type treeParser struct {
	b []byte
	s string // b as a string, copied once: strings without escapes are slices of it
	i int
	// members and items hold the members of the objects and the items of
	// the arrays being read, innermost last; each one's are copied out into
	// a slice of their own size.
	members []member
	items   []node
}

var errEnd = errors.New("unexpected end of JSON")

func (p *treeParser) errorf(format string, args ...any) error {
	return fmt.Errorf("JSON offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *treeParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *treeParser) value() (node, error) {
	p.space()
	if p.i >= len(p.b) {
		return node{}, errEnd
	}
	switch c := p.b[p.i]; {
	case c == '{':
		o, err := p.object()
		return node{kind: kindObject, obj: o}, err
	case c == '[':
		a, err := p.array()
		return node{kind: kindArray, arr: a}, err
	case c == '"':
		s, err := p.str()
		return node{kind: kindString, text: s}, err
	case c == 't':
		return node{kind: kindBool, b: true}, p.literal("true")
	case c == 'f':
		return node{kind: kindBool}, p.literal("false")
	case c == 'n':
		return node{}, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		n, err := p.number()
		return node{kind: kindNumber, text: n}, err
	default:
		return node{}, p.errorf("unexpected %q", c)
	}
}

func (p *treeParser) literal(word string) error {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return p.errorf("want %s", word)
	}
	p.i += len(word)
	return nil
}

func (p *treeParser) object() (object, error) {
	p.i++ // {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return object{}, nil
	}
	base := len(p.members)
	defer func() { p.members = p.members[:base] }()
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.errorf("want a key")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.errorf("want ':'")
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.members = append(p.members, member{k, v})
		p.space()
		if p.i >= len(p.b) {
			return nil, errEnd
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			m := slices.Clone(object(p.members[base:]))
			slices.SortFunc(m, func(a, b member) int { return strings.Compare(a.key, b.key) })
			return m, nil
		default:
			return nil, p.errorf("want ',' or '}'")
		}
	}
}

func (p *treeParser) array() ([]node, error) {
	p.i++ // [
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return []node{}, nil
	}
	base := len(p.items)
	defer func() { p.items = p.items[:base] }()
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, v)
		p.space()
		if p.i >= len(p.b) {
			return nil, errEnd
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return slices.Clone(p.items[base:]), nil
		default:
			return nil, p.errorf("want ',' or ']'")
		}
	}
}

func (p *treeParser) number() (string, error) {
	start := p.i
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			p.i++
			continue
		}
		break
	}
	n := p.s[start:p.i]
	if _, err := strconv.ParseFloat(n, 64); err != nil {
		return "", p.errorf("bad number %q", n)
	}
	return n, nil
}

func (p *treeParser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := p.s[start:p.i]
			p.i++
			return s, nil
		}
		if c == '\\' {
			return p.escaped(start)
		}
		p.i++
	}
	return "", errEnd
}

// escaped finishes a string that holds escapes, from its start.
func (p *treeParser) escaped(start int) (string, error) {
	out := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return "", errEnd
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errorf("bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					p.i += 2
					r2, ok = p.hex4()
					if !ok {
						return "", p.errorf("bad \\u escape")
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", p.errorf("bad escape \\%c", e)
		}
	}
	return "", errEnd
}

func (p *treeParser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}
