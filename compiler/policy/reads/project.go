package reads

import "bytes"

// An Index locates the members of every object in one input, so that
// projecting the input onto many read sets scans it once: each projection
// then copies the members it selects and skips the rest without reading
// them.
type Index struct {
	src     []byte
	objs    []span       // each object's members in members
	members []jsonMember // every object's members, each object's together
	stack   []jsonMember // the members of the objects being read, innermost last
}

// span is where one object's members are in Index.members.
type span struct{ start, end int }

type jsonMember struct {
	// key is src[keyStart:valStart]: the quoted key and its colon.
	keyStart, valStart, valEnd int
	// obj is the index in objs of the value's members when the value is an
	// object; -1 otherwise.
	obj int
}

// NewIndex indexes src, podc's own compact encoding of an input. It
// reports false if src does not parse as such.
func NewIndex(src []byte) (*Index, bool) {
	x := &Index{}
	return x, x.Reset(src)
}

// Reset indexes src in place of the input x indexed, reusing its memory:
// an Index reset for inputs no larger than it has read allocates nothing.
func (x *Index) Reset(src []byte) bool {
	x.src, x.objs, x.members, x.stack = src, x.objs[:0], x.members[:0], x.stack[:0]
	p := projector{src: src}
	_, ok := x.object(&p)
	return ok && p.i == len(src)
}

func (x *Index) object(p *projector) (int, bool) {
	if p.i >= len(p.src) || p.src[p.i] != '{' {
		return 0, false
	}
	p.i++
	id := len(x.objs)
	x.objs = append(x.objs, span{})
	base := len(x.stack)
	for {
		if p.i >= len(p.src) {
			return 0, false
		}
		if p.src[p.i] == '}' {
			p.i++
			start := len(x.members)
			x.members = append(x.members, x.stack[base:]...)
			x.objs[id] = span{start, len(x.members)}
			x.stack = x.stack[:base]
			return id, true
		}
		if p.src[p.i] == ',' {
			p.i++
		}
		m := jsonMember{keyStart: p.i, obj: -1}
		if !p.skipString() {
			return 0, false
		}
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return 0, false
		}
		p.i++
		m.valStart = p.i
		if p.i < len(p.src) && p.src[p.i] == '{' {
			o, ok := x.object(p)
			if !ok {
				return 0, false
			}
			m.obj = o
		} else if !p.skipValue() {
			return 0, false
		}
		m.valEnd = p.i
		x.stack = append(x.stack, m)
	}
}

// Cap is how many members x has room for without allocating: what reusing
// it holds on to.
func (x *Index) Cap() int { return cap(x.members) + cap(x.stack) + cap(x.objs) }

// Project appends to dst the part of the indexed input that rs selects, as
// JSON: the members rs names, in the input's order, objects projected onto
// the read set below them and every other value whole.
func (x *Index) Project(dst []byte, rs *Set) []byte {
	return x.projectObject(dst, 0, rs)
}

func (x *Index) projectObject(dst []byte, obj int, rs *Set) []byte {
	dst = append(dst, '{')
	sp := x.objs[obj]
	// A key appears once in an object, so the scan ends once every name
	// of rs has been found.
	left := len(rs.children)
	for _, m := range x.members[sp.start:sp.end] {
		if left == 0 {
			break
		}
		sub := rs.child(x.src[m.keyStart+1 : m.valStart-2])
		if sub == nil {
			continue
		}
		if left < len(rs.children) {
			dst = append(dst, ',')
		}
		left--
		dst = append(dst, x.src[m.keyStart:m.valStart]...)
		if !sub.whole && m.obj >= 0 {
			dst = x.projectObject(dst, m.obj, sub)
			continue
		}
		dst = append(dst, x.src[m.valStart:m.valEnd]...)
	}
	return append(dst, '}')
}

// ProjectInput appends to dst the projection of src onto rs, exactly as
// indexing src (NewIndex) and projecting it (Index.Project) would, in one
// pass that keeps nothing but what it appends: for an input projected
// once. It reports false, and returns dst as given, when src does not
// parse as NewIndex requires.
func ProjectInput(dst, src []byte, rs *Set) ([]byte, bool) {
	p := projector{src: src}
	out, ok := p.projectObject(dst, rs)
	if !ok || p.i != len(src) {
		return dst, false
	}
	return out, true
}

// projectObject reads the object at p, appending its projection onto rs
// to dst, or nothing when rs is nil (an object read only to be checked
// and passed): every member is checked as Index.object checks it, and a
// member rs names is appended until as many members as rs names are,
// as Index.projectObject appends them.
func (p *projector) projectObject(dst []byte, rs *Set) ([]byte, bool) {
	if p.i >= len(p.src) || p.src[p.i] != '{' {
		return dst, false
	}
	p.i++
	if rs != nil {
		dst = append(dst, '{')
	}
	left := 0
	if rs != nil {
		left = len(rs.children)
	}
	emitted := 0
	for {
		if p.i >= len(p.src) {
			return dst, false
		}
		if p.src[p.i] == '}' {
			p.i++
			if rs != nil {
				dst = append(dst, '}')
			}
			return dst, true
		}
		if p.src[p.i] == ',' {
			p.i++
		}
		keyStart := p.i
		if !p.skipString() {
			return dst, false
		}
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return dst, false
		}
		p.i++
		valStart := p.i
		var sub *Set
		if left > 0 {
			sub = rs.child(p.src[keyStart+1 : valStart-2])
		}
		if sub != nil {
			left--
			if emitted > 0 {
				dst = append(dst, ',')
			}
			emitted++
			dst = append(dst, p.src[keyStart:valStart]...)
		}
		var ok bool
		switch {
		case p.i < len(p.src) && p.src[p.i] == '{':
			if sub != nil && !sub.whole {
				dst, ok = p.projectObject(dst, sub)
			} else {
				_, ok = p.projectObject(nil, nil)
				if ok && sub != nil {
					dst = append(dst, p.src[valStart:p.i]...)
				}
			}
		default:
			ok = p.skipValue()
			if ok && sub != nil {
				dst = append(dst, p.src[valStart:p.i]...)
			}
		}
		if !ok {
			return dst, false
		}
	}
}

// A projector scans podc's own compact JSON encoding of an input.
type projector struct {
	src []byte
	i   int
}

func (p *projector) skipString() bool {
	if p.i >= len(p.src) || p.src[p.i] != '"' {
		return false
	}
	start := p.i + 1
	for i := start; ; {
		j := bytes.IndexByte(p.src[i:], '"')
		if j < 0 {
			return false
		}
		i += j
		// The quote ends the string unless an odd number of backslashes
		// escapes it.
		escapes := 0
		for k := i - 1; k >= start && p.src[k] == '\\'; k-- {
			escapes++
		}
		i++
		if escapes%2 == 0 {
			p.i = i
			return true
		}
	}
}

func (p *projector) skipValue() bool {
	if p.i >= len(p.src) {
		return false
	}
	switch p.src[p.i] {
	case '"':
		return p.skipString()
	case '{', '[':
		depth := 0
		for p.i < len(p.src) {
			switch p.src[p.i] {
			case '"':
				if !p.skipString() {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					p.i++
					return true
				}
			}
			p.i++
		}
		return false
	default:
		for p.i < len(p.src) {
			switch p.src[p.i] {
			case ',', '}', ']':
				return true
			}
			p.i++
		}
		return true
	}
}
