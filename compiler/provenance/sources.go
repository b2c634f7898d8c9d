package provenance

import (
	"cmp"
	"slices"

	"github.com/podc-dev/podc/compiler/diag"
)

// Sources lists the source of every field that holds a value (a scalar,
// one element of a list of scalars, one entry of a map, an empty object),
// object by object in the order of their references ("Kind/name": kinds
// alphabetically, then names) and, inside each, in the order of the rendered manifest: fields by
// name, list elements by index, map entries by key. The list is the same
// on every run. It is built on each call: ask only when it is wanted.
func (r *Record) Sources() []diag.FieldSource {
	if r == nil || len(r.objects) == 0 {
		return nil
	}
	objs := slices.Clone(r.objects)
	slices.SortStableFunc(objs, func(a, b object) int { return cmp.Compare(a.ref, b.ref) })
	kids := r.children()
	var out []diag.FieldSource
	for _, o := range objs {
		r.visitWith(kids, o.root, func(n Node) bool {
			if len(kids[n]) == 0 && r.nodes[n].origin != 0 {
				out = append(out, r.source(o.ref, n))
			}
			return true
		})
	}
	return out
}

// children returns each node's children in rendered order.
func (r *Record) children() [][]Node {
	kids := make([][]Node, len(r.nodes))
	for i := range r.nodes {
		for c := r.nodes[i].first; c != noNode; c = r.nodes[c].next {
			kids[i] = append(kids[i], c)
		}
		if len(kids[i]) > 1 {
			slices.SortStableFunc(kids[i], func(a, b Node) int { return compareSeg(r.nodes[a].seg, r.nodes[b].seg) })
		}
	}
	return kids
}

// compareSeg orders segments as the rendered manifest does: list elements
// by index, field names and map keys as strings.
func compareSeg(a, b seg) int {
	ai, bi := a.kind == segIndex, b.kind == segIndex
	switch {
	case ai && bi:
		return cmp.Compare(a.index, b.index)
	case ai:
		return -1
	case bi:
		return 1
	}
	return cmp.Compare(a.text, b.text)
}

// visit calls f on n and every node below it, in rendered order, until f
// returns false.
func (r *Record) visit(n Node, f func(Node) bool) {
	r.visitWith(r.children(), n, f)
}

func (r *Record) visitWith(kids [][]Node, n Node, f func(Node) bool) bool {
	if !f(n) {
		return false
	}
	for _, k := range kids[n] {
		if !r.visitWith(kids, k, f) {
			return false
		}
	}
	return true
}
