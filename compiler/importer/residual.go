package importer

import (
	"fmt"
	"reflect"
	"strings"
)

// residual accounts for what the mapping left of each object: a field the
// apiserver's defaulting writes back by itself (the same value, absent
// from the manifest) is not lost; every other field is, reported at the
// outermost path that holds nothing the intent says, with whatever else
// that holds. A list element the intent does not carry is lost whole.
func (b *builder) residual() ([]Loss, error) {
	out := append([]Loss(nil), b.wholeLost...)
	objs := []*object{b.objs.workload}
	for _, s := range b.svcs {
		objs = append(objs, s.obj)
	}
	for _, o := range objs {
		ls, err := b.residualOf(o)
		if err != nil {
			return nil, err
		}
		out = append(out, ls...)
	}
	return out, nil
}

// residue is what the mapping left of one object.
type residue struct {
	o     *object
	used  map[string]bool // consumed paths, by id
	below map[string]bool // paths with a consumed path at or below them
	cands []fieldPath     // leaves to compare with the defaulted object
	def   map[string]bool // candidate leaves defaulting writes back
}

func (b *builder) residualOf(o *object) ([]Loss, error) {
	r := &residue{o: o, used: b.used[o], below: map[string]bool{}, def: map[string]bool{}}
	for id := range r.used {
		for {
			r.below[id] = true
			i := strings.LastIndex(id, "\x00")
			if i < 0 {
				break
			}
			id = id[:i]
		}
	}
	r.collect(o.doc.tree, nil, false)
	if len(r.cands) > 0 && o.rootType() != nil {
		if err := r.defaults(); err != nil {
			return nil, err
		}
	}
	var out []Loss
	for _, p := range r.report(o.doc.tree, nil) {
		pos := o.doc.position(p)
		out = append(out, Loss{Object: o.ref, Field: o.typedPath(p).String(), Reason: b.reasonFor(o, p), Line: pos.line, Column: pos.col})
	}
	return out, nil
}

// collect finds the candidate leaves: unconsumed scalars and lists of
// scalars outside list elements that are lost whole anyway.
func (r *residue) collect(v any, p fieldPath, inLost bool) {
	if r.used[p.id()] {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			r.collect(c, p.f(k), inLost)
		}
	case []any:
		if len(v) == 0 {
			return
		}
		if scalars(v) {
			if !inLost {
				r.cands = append(r.cands, p)
			}
			return
		}
		for i, e := range v {
			ep := p.i(i)
			r.collect(e, ep, inLost || !r.below[ep.id()])
		}
	case nil:
	default:
		if !inLost {
			r.cands = append(r.cands, p)
		}
	}
}

// scalars reports whether every element of l is a scalar.
func scalars(l []any) bool {
	for _, e := range l {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// defaults marks the candidate leaves that the apiserver's defaulting
// writes back with the same value when they are left out.
func (r *residue) defaults() error {
	t := r.o.rootType()
	orig, err := defaultedTree(t, r.o.doc.tree)
	if err != nil {
		return fmt.Errorf("importer: defaulting %s: %w", r.o.ref, err)
	}
	stripped := deepCopy(r.o.doc.tree).(map[string]any)
	for _, p := range r.cands {
		remove(stripped, p)
	}
	back, err := defaultedTree(t, stripped)
	if err != nil {
		return fmt.Errorf("importer: defaulting %s without its leftover fields: %w", r.o.ref, err)
	}
	for _, p := range r.cands {
		want, ok := lookup(orig, p)
		got, ok2 := lookup(back, p)
		switch {
		case ok && ok2 && reflect.DeepEqual(want, got):
			r.def[p.id()] = true
		case !ok && !ok2 && known(t, p):
			// A zero value the API leaves out (minReadySeconds: 0): the
			// same as no value.
			r.def[p.id()] = true
		}
	}
	return nil
}

// known reports whether p is a field of objects of type t.
func known(t reflect.Type, p fieldPath) bool {
	for _, s := range p {
		if t = firstOf(child(t, s)); t == nil {
			return false
		}
	}
	return true
}

func firstOf(t reflect.Type, _ bool) reflect.Type { return t }

// report returns the lost paths under v at p, outermost first.
func (r *residue) report(v any, p fieldPath) []fieldPath {
	if r.used[p.id()] || empty(v) {
		return nil
	}
	if len(p) > 0 && !r.below[p.id()] {
		// Nothing of it is in the intent: it is lost whole when anything
		// in it is, defaults and all, since compile writes none of it (a
		// probe whose handler is lost loses its timing too).
		if p.lastIndex() {
			return []fieldPath{p}
		}
		if lost, _ := r.tally(v, p); lost == 0 {
			return nil
		}
		return []fieldPath{p}
	}
	switch v := v.(type) {
	case map[string]any:
		var out []fieldPath
		for _, k := range sortedKeys(v) {
			out = append(out, r.report(v[k], p.f(k))...)
		}
		return out
	case []any:
		if scalars(v) {
			if r.def[p.id()] {
				return nil
			}
			return []fieldPath{p}
		}
		var out []fieldPath
		for i, e := range v {
			out = append(out, r.report(e, p.i(i))...)
		}
		return out
	}
	if r.def[p.id()] {
		return nil
	}
	return []fieldPath{p}
}

// tally counts the lost and the defaulted leaves under v at p, which holds
// nothing consumed; an element of a list of objects counts as one lost
// leaf.
func (r *residue) tally(v any, p fieldPath) (lost, def int) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			l, d := r.tally(c, p.f(k))
			lost, def = lost+l, def+d
		}
		return lost, def
	case []any:
		if len(v) == 0 {
			return 0, 0
		}
		if !scalars(v) {
			for _, e := range v {
				if !empty(e) {
					lost++
				}
			}
			return lost, 0
		}
	case nil:
		return 0, 0
	}
	if r.def[p.id()] {
		return 0, 1
	}
	return 1, 0
}

// empty reports whether v is null, an empty object or list, or holds only
// those.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		for _, c := range v {
			if !empty(c) {
				return false
			}
		}
		return true
	case []any:
		return len(v) == 0
	}
	return false
}

// deepCopy copies a tree.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, c := range v {
			m[k] = deepCopy(c)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, c := range v {
			l[i] = deepCopy(c)
		}
		return l
	}
	return v
}

// lookup returns the value at p of tree.
func lookup(tree any, p fieldPath) (any, bool) {
	v := tree
	for _, s := range p {
		switch n := v.(type) {
		case map[string]any:
			if s.index >= 0 {
				return nil, false
			}
			c, ok := n[s.name]
			if !ok {
				return nil, false
			}
			v = c
		case []any:
			if s.index < 0 || s.index >= len(n) {
				return nil, false
			}
			v = n[s.index]
		default:
			return nil, false
		}
	}
	return v, true
}

// remove deletes the map key at p of tree; it does nothing when p ends in
// a list index.
func remove(tree any, p fieldPath) {
	if len(p) == 0 || p.lastIndex() {
		return
	}
	parent, ok := lookup(tree, p[:len(p)-1])
	if m, isMap := parent.(map[string]any); ok && isMap {
		delete(m, p[len(p)-1].name)
	}
}
