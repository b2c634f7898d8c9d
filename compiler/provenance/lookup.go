package provenance

import (
	"strings"

	"github.com/podc-dev/podc/compiler/diag"
)

// Exact returns the source recorded for the manifest field path of object
// ref ("Deployment/checkout"), and false when the record has none of its
// own for that field.
func (r *Record) Exact(ref, path string) (diag.FieldSource, bool) {
	n, matched := r.walk(ref, path)
	if !matched || r.nodes[n].origin == 0 {
		return diag.FieldSource{}, false
	}
	return r.source(ref, n), true
}

// IntentField returns the intent field recorded as the source of exactly
// the manifest field path of object ref; "" when none is (or the source
// stands for the whole intent). It is Exact's IntentField, without
// spelling out the rest.
func (r *Record) IntentField(ref, path string) string {
	n, matched := r.walk(ref, path)
	if !matched || r.nodes[n].origin == 0 {
		return ""
	}
	return r.intentPath(r.nodes[n].intent)
}

// Nearest returns the source of the manifest field path of object ref or,
// when the record has none for it (a field the apiserver defaults, one
// inside a map podc wrote whole), of its nearest recorded ancestor, whose
// path the result's ManifestField is. False when the object is not in the
// record.
func (r *Record) Nearest(ref, path string) (diag.FieldSource, bool) {
	n, _ := r.walk(ref, path)
	if n == noNode {
		return diag.FieldSource{}, false
	}
	if n = r.sourced(n); n == noNode {
		return diag.FieldSource{}, false
	}
	return r.source(ref, n), true
}

// PolicyWithin returns the rule of a policy default that wrote a field at
// or inside the nearest recorded ancestor of path (the first in field
// order), or "". A field that stands for the whole intent (an object's
// root) is not searched: a policy default somewhere in an object does not
// make every fault in it the policy's.
func (r *Record) PolicyWithin(ref, path string) string {
	n, _ := r.walk(ref, path)
	if n == noNode {
		return ""
	}
	if n = r.sourced(n); n == noNode || r.nodes[n].intent == Intent {
		return ""
	}
	if rule := r.policyRule(r.intentPath(r.nodes[n].intent)); rule != "" {
		return rule
	}
	var found string
	r.visit(n, func(m Node) bool {
		if r.nodes[m].origin != 0 {
			if rule := r.policyRule(r.intentPath(r.nodes[m].intent)); rule != "" {
				found = rule
				return false
			}
		}
		return true
	})
	return found
}

// walk follows path from the root of object ref as far as the record has
// it. It returns the deepest node reached (noNode when ref is not
// recorded) and whether it is the whole path.
func (r *Record) walk(ref, path string) (Node, bool) {
	if r == nil {
		return noNode, false
	}
	cur := noNode
	for _, o := range r.objects {
		if o.ref == ref {
			cur = o.root
			break
		}
	}
	if cur == noNode {
		return noNode, false
	}
	for {
		q, rest, ok := next(path)
		if !ok {
			return cur, true
		}
		c := r.nodes[cur].first
		for c != noNode && !r.nodes[c].seg.matches(q) {
			c = r.nodes[c].next
		}
		if c == noNode {
			return cur, false
		}
		cur, path = c, rest
	}
}

// sourced returns n or its nearest ancestor with a source of its own.
func (r *Record) sourced(n Node) Node {
	for n != noNode && r.nodes[n].origin == 0 {
		n = r.nodes[n].parent
	}
	return n
}

// source spells out the source of node n of object ref.
func (r *Record) source(ref string, n Node) diag.FieldSource {
	nd := &r.nodes[n]
	s := diag.FieldSource{
		Object:        ref,
		ManifestField: r.manifestPath(n),
		Origin:        diag.Origin(nd.origin),
		IntentField:   r.intentPath(nd.intent),
	}
	if rule := r.policyRule(s.IntentField); rule != "" {
		s.Origin, s.RuleID = diag.OriginPolicy, rule
	}
	return s
}

// policyRule returns the rule whose default wrote the intent field, or a
// field around it; "" when none did.
func (r *Record) policyRule(field string) string {
	if field == "" {
		return ""
	}
	for _, d := range r.policy {
		rule, ok := strings.CutPrefix(d.Source, "policy:")
		if ok && d.Field != "" && inside(field, d.Field) {
			return rule
		}
	}
	return ""
}
