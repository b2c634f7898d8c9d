// Package render writes compiled objects as deterministic YAML or JSON.
package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	var buf bytes.Buffer
	buf.Grow(len(raw) + len(raw)/2)
	writeObject(&buf, prune(tree.obj), f)
	return buf.Bytes(), nil
}

// writeObject writes the pruned tree m of an object in format f.
func writeObject(buf *bytes.Buffer, m object, f Format) {
	switch f {
	case JSON:
		writeJSON(buf, node{kind: kindObject, obj: m}, 0)
		buf.WriteByte('\n')
	default:
		writeYAML(buf, m)
	}
}

// A Snapshot is objects as they were when it was taken, to be rendered
// later by Render however the objects change meanwhile: the engine takes
// one before the apiserver's validation defaults the objects in place,
// and renders from it once they pass. Taking one is the first half of
// rendering: each object's tree, built from the object as encoding/json
// would write it and the tree parser read it back (see walk.go), or, for
// what that walk leaves to encoding/json, its JSON.
type Snapshot struct {
	json  []byte // the JSON of the objects not walked, one after another
	items []snapshotItem
	w     *walker // holds the trees' members and items
}

type snapshotItem struct {
	m          Manifest // all but its Content
	what       string   // what names it in an error
	tree       object   // the pruned tree, when walked
	walked     bool
	start, end int // else its JSON in Snapshot.json
}

// walkers keeps walkers, with their arenas, between snapshots: a
// snapshot's walker goes back when it is rendered.
var walkers = sync.Pool{New: func() any { return new(walker) }}

// Take captures objs as they are now. The snapshot is rendered once.
func Take(objs []runtime.Object) (*Snapshot, error) {
	w := walkers.Get().(*walker)
	s := &Snapshot{items: make([]snapshotItem, 0, len(objs)), w: w}
	var b *bytes.Buffer
	for _, o := range objs {
		acc, err := meta.Accessor(o)
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		gvk := o.GetObjectKind().GroupVersionKind()
		it := snapshotItem{
			m: Manifest{
				Kind:       gvk.Kind,
				APIVersion: apiVersion(gvk.GroupVersion()),
				Name:       acc.GetName(),
				Namespace:  acc.GetNamespace(),
			},
			what: kindOf(o),
		}
		switch tree, err := w.tree(o); {
		case err == nil:
			it.tree, it.walked = tree, true
		case errors.Is(err, errNotDirect):
			if b == nil {
				b = new(bytes.Buffer)
			}
			it.start = b.Len()
			if err := json.NewEncoder(b).Encode(o); err != nil {
				return nil, fmt.Errorf("render %s: %w", it.what, err)
			}
			it.end = b.Len()
		default:
			return nil, fmt.Errorf("render %s: %w", it.what, err)
		}
		s.items = append(s.items, it)
	}
	if b != nil {
		s.json = b.Bytes()
	}
	return s, nil
}

// errRendered is Render's error the second time.
var errRendered = errors.New("render: the snapshot was rendered already")

// Render renders the objects as they were when s was taken, as Objects
// renders them. It renders a snapshot once: the trees' memory is then
// reused.
func (s *Snapshot) Render(f Format) ([]Manifest, error) {
	if s.w == nil {
		return nil, errRendered
	}
	defer s.release()
	out := make([]Manifest, 0, len(s.items))
	var st *renderState
	for _, it := range s.items {
		m := it.m
		if it.walked {
			m.Content = writeTree(it.tree, it.what, f)
		} else {
			if st == nil {
				st = states.Get().(*renderState)
				defer st.release()
			}
			var err error
			if m.Content, err = st.write(s.json[it.start:it.end], it.what, f); err != nil {
				return nil, err
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// release lets go of the trees and puts the walker back, unless its
// arenas grew past the bound a kept renderState has.
func (s *Snapshot) release() {
	w := s.w
	s.w, s.items, s.json = nil, nil, nil
	if len(w.p.memberArena.chunks)+len(w.p.itemArena.chunks) > maxKeptChunks {
		return
	}
	w.p.reset(nil, "")
	walkers.Put(w)
}

// renderSizes holds, by kind and format, the size of the last manifest
// rendered: the next one's buffer is made that size at once. One slot per
// kind podc writes, and one for any other kind.
var renderSizes [len(sizedKinds) + 1][2]atomic.Int64

// sizedKinds are the kinds with a slot of their own in renderSizes.
var sizedKinds = [...]string{"Pod", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy"}

// writeTree writes the pruned tree m of an object of kind in format f.
func writeTree(m object, kind string, f Format) []byte {
	slot := len(sizedKinds)
	if i := slices.Index(sizedKinds[:], kind); i >= 0 {
		slot = i
	}
	last := &renderSizes[slot][0]
	if f == JSON {
		last = &renderSizes[slot][1]
	}
	var buf bytes.Buffer
	buf.Grow(int(last.Load()) + 256)
	writeObject(&buf, m, f)
	last.Store(int64(buf.Len()))
	return buf.Bytes()
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

// dropped tells whether prune leaves out a member holding n: null, or an
// empty object unless its key keeps it.
func dropped(n node, keep bool) bool {
	return n.kind == kindNull || (n.kind == kindObject && len(n.obj) == 0 && !keep)
}

func pruneObject(m object, top bool) object {
	out := m[:0]
	for _, e := range m {
		if top && e.key == "status" {
			continue
		}
		e.val = pruneValue(e.val)
		if dropped(e.val, keepEmpty[e.key]) {
			continue
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

// Prepare readies rendering of the kinds podc compiles: the walk makes
// its encoder for a type on the type's first use, which a one-shot
// command can do on a spare processor while it loads its policies. It is
// safe for concurrent use.
func Prepare() {
	for _, o := range []runtime.Object{&corev1.Pod{}, &appsv1.Deployment{}, &corev1.Service{}, &policyv1.PodDisruptionBudget{}, &autoscalingv2.HorizontalPodAutoscaler{}, &networkingv1.NetworkPolicy{}} {
		_, _ = (&walker{}).tree(o)
	}
}
