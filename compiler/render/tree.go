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
	text string // a string, or a number as written
	obj  object
	arr  []node
	kind kind
	b    bool
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
	return p.parse()
}

// parse reads p.b, which p.s holds as a string.
func (p *treeParser) parse() (node, error) {
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
	s string // b as a string: strings without escapes are slices of it
	i int
	// members and items hold the members of the objects and the items of
	// the arrays being read, innermost last; each one's are copied out into
	// the arenas when it ends.
	members []member
	items   []node
	// memberArena and itemArena hold the finished objects' members and
	// arrays' items: a reused parser (see render.One) allocates none once
	// its arenas are as large as the objects it reads.
	memberArena arena[member]
	itemArena   arena[node]
}

// reset readies p to read data, keeping its arenas: the tree it read last
// must no longer be in use.
func (p *treeParser) reset(data []byte, s string) {
	p.b, p.s, p.i = data, s, 0
	p.members, p.items = p.members[:0], p.items[:0]
	p.memberArena.reset()
	p.itemArena.reset()
}

// arena hands out slices carved from chunks it keeps: a slice handed out
// stays valid until reset, which lets the chunks be reused.
type arena[T any] struct {
	chunks [][]T
	cur    int // the chunk being carved
}

// arenaChunk is the length of an arena's chunk: a few compiled objects'
// worth of members.
const arenaChunk = 1024

// copyOf returns a slice of the arena holding a copy of src.
func (a *arena[T]) copyOf(src []T) []T {
	n := len(src)
	for ; a.cur < len(a.chunks); a.cur++ {
		if c := a.chunks[a.cur]; cap(c)-len(c) >= n {
			out := c[len(c) : len(c)+n : len(c)+n]
			copy(out, src)
			a.chunks[a.cur] = c[:len(c)+n]
			return out
		}
	}
	c := make([]T, n, max(arenaChunk, n))
	copy(c, src)
	a.chunks = append(a.chunks, c)
	a.cur = len(a.chunks) - 1
	return c[:n:n]
}

// reset empties the chunks for reuse, clearing them so that they hold on
// to no strings or slices of the last tree.
func (a *arena[T]) reset() {
	for i, c := range a.chunks {
		clear(c)
		a.chunks[i] = c[:0]
	}
	a.cur = 0
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
			m := object(p.memberArena.copyOf(p.members[base:]))
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
			return p.itemArena.copyOf(p.items[base:]), nil
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
