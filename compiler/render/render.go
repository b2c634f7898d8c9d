// Package render writes compiled objects as deterministic YAML or JSON.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"unsafe"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
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
	s, err := Take(objs)
	if err != nil {
		return nil, err
	}
	return s.Render(f)
}

// One renders a single object.
func One(o runtime.Object, f Format) ([]byte, error) {
	ms, err := Objects([]runtime.Object{o}, f)
	if err != nil {
		return nil, err
	}
	return ms[0].Content, nil
}

// write renders raw, the JSON of one object of kind, in format f. The
// tree it reads raw into (numbers kept as written) drops the fields that
// carry no meaning and is written with sorted keys; its strings are slices
// of raw and its members live in the parser's arenas: none of it outlives
// this call, so both are reused, and raw must not change meanwhile.
func (st *renderState) write(raw []byte, kind string, f Format) ([]byte, error) {
	st.parser.reset(raw, unsafe.String(unsafe.SliceData(raw), len(raw)))
	defer st.parser.reset(nil, "") // hold on to nothing of this object
	tree, err := st.parser.parse()
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", kind, err)
	}
	if tree.kind != kindObject {
		return nil, fmt.Errorf("render %s: not an object", kind)
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
	return buf.Bytes(), nil
}

// A Snapshot is objects as they were when it was taken, encoded, to be
// rendered later by Render however the objects change meanwhile: the
// engine takes one before the apiserver's validation defaults the objects
// in place, and renders from it once they pass. Encoding is the first
// half of rendering, so taking one costs no more than rendering does.
type Snapshot struct {
	json  []byte // every object's JSON, one after another
	items []snapshotItem
}

type snapshotItem struct {
	m          Manifest // all but its Content
	what       string   // what names it in an error
	start, end int      // its JSON in Snapshot.json
}

// takeSize is the size of the last snapshot taken: the next one's buffer
// is made that size (and a little more) at once, rather than grown by
// doubling and copying as the objects are encoded.
var takeSize atomic.Int64

// Take encodes objs as they are now.
func Take(objs []runtime.Object) (*Snapshot, error) {
	b := bytes.NewBuffer(make([]byte, 0, takeSize.Load()+512))
	defer func() { takeSize.Store(int64(b.Len())) }()
	enc := json.NewEncoder(b)
	s := &Snapshot{items: make([]snapshotItem, 0, len(objs))}
	for _, o := range objs {
		acc, err := meta.Accessor(o)
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		start := b.Len()
		if err := enc.Encode(o); err != nil {
			return nil, fmt.Errorf("render %s: %w", kindOf(o), err)
		}
		gvk := o.GetObjectKind().GroupVersionKind()
		s.items = append(s.items, snapshotItem{
			m: Manifest{
				Kind:       gvk.Kind,
				APIVersion: apiVersion(gvk.GroupVersion()),
				Name:       acc.GetName(),
				Namespace:  acc.GetNamespace(),
			},
			what:  kindOf(o),
			start: start, end: b.Len(),
		})
	}
	s.json = b.Bytes()
	return s, nil
}

// Render renders the objects as they were when s was taken, as Objects
// renders them.
func (s *Snapshot) Render(f Format) ([]Manifest, error) {
	st := states.Get().(*renderState)
	defer st.release()
	out := make([]Manifest, 0, len(s.items))
	for _, it := range s.items {
		m := it.m
		var err error
		if m.Content, err = st.write(s.json[it.start:it.end], it.what, f); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// apiVersion is gv written out, as GroupVersion.String writes it, without
// making the string anew for the groups podc compiles to.
func apiVersion(gv schema.GroupVersion) string {
	switch gv {
	case appsv1.SchemeGroupVersion:
		return "apps/v1"
	case policyv1.SchemeGroupVersion:
		return "policy/v1"
	case autoscalingv2.SchemeGroupVersion:
		return "autoscaling/v2"
	case networkingv1.SchemeGroupVersion:
		return "networking.k8s.io/v1"
	}
	return gv.String()
}

// renderState is what rendering an object needs beyond its JSON and its
// output: the parser that reads the JSON, with its arenas, kept between
// calls.
type renderState struct {
	parser treeParser
}

// maxKeptChunks bounds what a renderState keeps between calls: one that
// read an exceptionally large object is let go rather than put back. The
// pool holds about one state per processor, and the garbage collector
// empties it.
const maxKeptChunks = 16

// release puts st back in the pool unless it grew past the bound.
func (st *renderState) release() {
	if len(st.parser.memberArena.chunks)+len(st.parser.itemArena.chunks) > maxKeptChunks {
		return
	}
	states.Put(st)
}

var states = sync.Pool{New: func() any { return new(renderState) }}

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
