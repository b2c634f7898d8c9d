package provenance

import (
	"strconv"
	"strings"

	"github.com/podc-dev/podc/compiler/diag"
)

// parse splits a manifest field path as the kube-apiserver writes it,
// "spec.containers[0].resources.limits[memory]", into its segments. A
// bracket holds a list index or a map key; which one is decided against
// the record, since a map key may be digits. An unterminated bracket ends
// the path.
func parse(p string) []seg {
	var out []seg
	for len(p) > 0 {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return out
			}
			k := p[1:end]
			i, err := strconv.ParseInt(k, 10, 32)
			if err != nil || i < 0 {
				i = -1
			}
			out = append(out, seg{text: k, index: int32(i), kind: segKey})
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, seg{text: p[:end], kind: segField})
			p = p[end:]
		}
	}
	return out
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

// intentPath spells out the intent path p as diag.Path writes it.
func (r *Record) intentPath(p Path) string {
	var segs []seg
	for ; p != Intent; p = r.steps[p].parent {
		segs = append(segs, r.steps[p].seg)
	}
	var out diag.Path
	for i := len(segs) - 1; i >= 0; i-- {
		switch s := segs[i]; s.kind {
		case segField:
			out = out.Field(s.text)
		case segIndex:
			out = out.Index(int(s.index))
		case segKey:
			out = out.Key(s.text)
		}
	}
	return out.String()
}

// inside reports whether the path field is base or lies inside it.
func inside(field, base string) bool {
	if !strings.HasPrefix(field, base) {
		return false
	}
	return len(field) == len(base) || field[len(base)] == '.' || field[len(base)] == '['
}
