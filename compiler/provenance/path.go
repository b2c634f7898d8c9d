package provenance

import (
	"strconv"
	"strings"
)

// parse splits a manifest field path as the kube-apiserver writes it,
// "spec.containers[0].resources.limits[memory]", into its segments. A
// bracket holds a list index or a map key; which one is decided against
// the record, since a map key may be digits. An unterminated bracket ends
// the path.
func parse(p string) []seg {
	var out []seg
	for {
		s, rest, ok := next(p)
		if !ok {
			return out
		}
		out = append(out, s)
		p = rest
	}
}

// next returns the first segment of the manifest field path p and the
// rest of it; false at its end.
func next(p string) (seg, string, bool) {
	for len(p) > 0 && p[0] == '.' {
		p = p[1:]
	}
	if len(p) == 0 {
		return seg{}, "", false
	}
	if p[0] == '[' {
		end := strings.IndexByte(p, ']')
		if end < 0 {
			return seg{}, "", false
		}
		k := p[1:end]
		i, err := strconv.ParseInt(k, 10, 32)
		if err != nil || i < 0 {
			i = -1
		}
		return seg{text: k, index: int32(i), kind: segKey}, p[end+1:], true
	}
	end := strings.IndexAny(p, ".[")
	if end < 0 {
		end = len(p)
	}
	return seg{text: p[:end], kind: segField}, p[end:], true
}

// matches reports whether the recorded segment s is the parsed segment q.
func (s seg) matches(q seg) bool {
	switch s.kind {
	case segField:
		return q.kind == segField && q.text == s.text
	case segIndex:
		return q.kind == segKey && q.index >= 0 && q.index == s.index
	}
	return q.kind == segKey && q.text == s.text
}

// manifestPath spells out the path of node n inside its object.
func (r *Record) manifestPath(n Node) string {
	var segs []seg
	for ; n != noNode && r.nodes[n].parent != noNode; n = r.nodes[n].parent {
		segs = append(segs, r.nodes[n].seg)
	}
	var b strings.Builder
	for i := len(segs) - 1; i >= 0; i-- {
		s := segs[i]
		switch s.kind {
		case segField:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.text)
		case segIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(int(s.index)))
			b.WriteByte(']')
		case segKey:
			b.WriteByte('[')
			b.WriteString(s.text)
			b.WriteByte(']')
		}
	}
	return b.String()
}

// intentPath spells out the intent path p as diag.Path writes it:
// containers[0].env[1].name, labels["team"].
func (r *Record) intentPath(p Path) string {
	if p == Intent {
		return ""
	}
	var stack [16]Path
	steps := stack[:0]
	for ; p != Intent; p = r.steps[p].parent {
		steps = append(steps, p)
	}
	var buf [128]byte
	b := buf[:0]
	for i := len(steps) - 1; i >= 0; i-- {
		switch s := r.steps[steps[i]].seg; s.kind {
		case segField:
			if len(b) > 0 {
				b = append(b, '.')
			}
			b = append(b, s.text...)
		case segIndex:
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.index), 10)
			b = append(b, ']')
		case segKey:
			b = append(b, '[')
			b = strconv.AppendQuote(b, s.text)
			b = append(b, ']')
		}
	}
	return string(b)
}

// inside reports whether the path field is base or lies inside it.
func inside(field, base string) bool {
	if !strings.HasPrefix(field, base) {
		return false
	}
	return len(field) == len(base) || field[len(base)] == '.' || field[len(base)] == '['
}
