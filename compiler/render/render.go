// Package render writes compiled objects as deterministic YAML or JSON.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"unsafe"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// Format is a text format for manifests.
type Format int

const (
	// YAML is the default format.
	YAML Format = iota
	// JSON is indented JSON.
	JSON
)

// ParseFormat reads "yaml" or "json".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "yaml":
		return YAML, nil
	case "json":
		return JSON, nil
	}
	return 0, fmt.Errorf("output format %q: must be yaml or json", s)
}

// Manifest is one rendered object.
type Manifest struct {
	Kind       string
	APIVersion string
	Name       string
	Namespace  string
	// Content is the object in the chosen format.
	Content []byte
}

// Objects renders each object. The output is byte-identical for identical
// objects: map keys are sorted and empty status and creationTimestamp fields
// are left out.
func Objects(objs []runtime.Object, f Format) ([]Manifest, error) {
	out := make([]Manifest, 0, len(objs))
	for _, o := range objs {
		acc, err := meta.Accessor(o)
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		b, err := One(o, f)
		if err != nil {
			return nil, err
		}
		gvk := o.GetObjectKind().GroupVersionKind()
		out = append(out, Manifest{
			Kind:       gvk.Kind,
			APIVersion: gvk.GroupVersion().String(),
			Name:       acc.GetName(),
			Namespace:  acc.GetNamespace(),
			Content:    b,
		})
	}
	return out, nil
}

// One renders a single object.
func One(o runtime.Object, f Format) ([]byte, error) {
	st := states.Get().(*renderState)
	defer st.release()
	st.raw.Reset()
	if err := st.enc.Encode(o); err != nil {
		return nil, fmt.Errorf("render %s: %w", kindOf(o), err)
	}
	raw := st.raw.Bytes()
	// Decode into a generic tree (numbers kept as written) to drop fields
	// that carry no meaning, then write it with sorted keys. The tree's
	// strings are slices of raw, and its members live in the parser's
	// arenas: none of it outlives this call, so both are reused.
	st.parser.reset(raw, unsafe.String(unsafe.SliceData(raw), len(raw)))
	tree, err := st.parser.parse()
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", kindOf(o), err)
	}
	if tree.kind != kindObject {
		return nil, fmt.Errorf("render %s: not an object", kindOf(o))
	}
	m := prune(tree.obj)
	var buf bytes.Buffer
	buf.Grow(len(raw) + len(raw)/2)
	switch f {
	case JSON:
		writeJSON(&buf, node{kind: kindObject, obj: m}, 0)
		buf.WriteByte('\n')
	default:
		writeYAML(&buf, m)
	}
	st.parser.reset(nil, "") // hold on to nothing of this object
	return buf.Bytes(), nil
}

// renderState is what rendering one object needs beyond its output: the
// object's JSON and the parser that reads it, kept between calls.
type renderState struct {
	raw    bytes.Buffer
	enc    *json.Encoder
	parser treeParser
}

// maxKeptRaw and maxKeptChunks bound what a renderState keeps between
// calls: one that read an exceptionally large object is let go rather
// than put back. The pool holds about one state per processor, and the
// garbage collector empties it.
const (
	maxKeptRaw    = 1 << 20
	maxKeptChunks = 16
)

// release puts st back in the pool unless it grew past the bounds.
func (st *renderState) release() {
	if st.raw.Cap() > maxKeptRaw || len(st.parser.memberArena.chunks)+len(st.parser.itemArena.chunks) > maxKeptChunks {
		return
	}
	states.Put(st)
}

var states = sync.Pool{New: func() any {
	st := &renderState{}
	st.enc = json.NewEncoder(&st.raw)
	return st
}}

// prune removes what carries no meaning in a manifest: null fields, empty
// objects and the status, which the cluster owns. An empty emptyDir is kept:
// it is how an emptyDir volume is said; so are empty label, namespace and
// pod selectors, which select everything (where none selects nothing): a
// NetworkPolicy peer's podSelector {} is every pod of the namespace.
func prune(m object) object {
	return pruneObject(m, true)
}

// keepEmpty lists the keys whose empty object means something.
var keepEmpty = map[string]bool{"emptyDir": true, "labelSelector": true, "namespaceSelector": true, "podSelector": true}

func pruneObject(m object, top bool) object {
	out := m[:0]
	for _, e := range m {
		if top && e.key == "status" {
			continue
		}
		e.val = pruneValue(e.val)
		switch e.val.kind {
		case kindNull:
			continue
		case kindObject:
			if len(e.val.obj) == 0 && !keepEmpty[e.key] {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

func pruneValue(v node) node {
	switch v.kind {
	case kindObject:
		v.obj = pruneObject(v.obj, false)
	case kindArray:
		for i, e := range v.arr {
			v.arr[i] = pruneValue(e)
		}
	}
	return v
}

// Stream joins manifests as a multi-document YAML stream, or as a JSON list
// for JSON.
func Stream(ms []Manifest, f Format) []byte {
	var b bytes.Buffer
	if f == JSON {
		b.WriteString("[\n")
		for i, m := range ms {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.Write(bytes.TrimRight(m.Content, "\n"))
		}
		b.WriteString("\n]\n")
		return b.Bytes()
	}
	for _, m := range ms {
		b.WriteString("---\n")
		b.Write(m.Content)
	}
	return b.Bytes()
}

func kindOf(o runtime.Object) string {
	if k := o.GetObjectKind().GroupVersionKind().Kind; k != "" {
		return k
	}
	return fmt.Sprintf("%T", o)
}

// Prepare readies rendering of the kinds podc compiles: encoding/json
// builds its encoder for a type on the type's first use, which a
// one-shot command can do on a spare processor while it loads its
// policies. It is safe for concurrent use.
func Prepare() {
	for _, o := range []runtime.Object{&corev1.Pod{}, &appsv1.Deployment{}, &corev1.Service{}, &policyv1.PodDisruptionBudget{}, &autoscalingv2.HorizontalPodAutoscaler{}, &networkingv1.NetworkPolicy{}} {
		_ = json.NewEncoder(io.Discard).Encode(o)
	}
}
