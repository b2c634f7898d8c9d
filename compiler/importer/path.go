package importer

import (
	"strconv"
	"strings"
)

// step is one step of a manifest field path: a struct field, a map key or
// a list index.
type step struct {
	name  string
	index int // -1 for a field or a key
	key   bool
}

// fieldPath is a path into one manifest object, in the kube-apiserver's
// notation: spec.template.spec.containers[0].ports[1].name, with map keys
// in brackets: metadata.labels[app.kubernetes.io/name]. The zero value is
// the object itself. Paths are values: every method returns a new path.
type fieldPath []step

// f appends a struct field.
func (p fieldPath) f(name string) fieldPath { return p.add(step{name: name, index: -1}) }

// k appends a map key.
func (p fieldPath) k(key string) fieldPath { return p.add(step{name: key, index: -1, key: true}) }

// i appends a list index.
func (p fieldPath) i(n int) fieldPath { return p.add(step{index: n}) }

func (p fieldPath) add(s step) fieldPath {
	out := make(fieldPath, len(p), len(p)+1)
	copy(out, p)
	return append(out, s)
}

// String renders the path: fields joined by dots, indexes and map keys in
// brackets. A field whose name holds a dot or a bracket is written as a key.
func (p fieldPath) String() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.index >= 0:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case s.key || strings.ContainsAny(s.name, ".[]") || s.name == "":
			b.WriteString("[" + s.name + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
		}
	}
	return b.String()
}

// id is the path as a map key: field and key steps alike by name, so a
// path built by hand matches the same path found by walking a document.
func (p fieldPath) id() string {
	var b strings.Builder
	for _, s := range p {
		if s.index >= 0 {
			b.WriteString("\x00#" + strconv.Itoa(s.index))
		} else {
			b.WriteString("\x00" + s.name)
		}
	}
	return b.String()
}

// under reports whether p is q or inside it.
func (p fieldPath) under(q fieldPath) bool {
	if len(p) < len(q) {
		return false
	}
	for j := range q {
		if p[j].index != q[j].index || p[j].index < 0 && p[j].name != q[j].name {
			return false
		}
	}
	return true
}

// lastIndex reports whether the path ends in a list index.
func (p fieldPath) lastIndex() bool { return len(p) > 0 && p[len(p)-1].index >= 0 }
