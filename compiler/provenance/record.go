// Package provenance is the record of where each field of the compiled
// objects came from: the intent field it was copied or translated from, a
// compiler default (and the intent field it stands for), or a policy rule's
// default applied to the intent before compile.
//
// The compile stage builds one Record as it writes the objects; every later
// stage reads it instead of working the mapping out again: validation
// blames the intent field (or the policy rule) behind a field the
// apiserver refuses, manifest policies name the intent paths of the
// containers and ports they check, and an explain request lists it for
// people.
//
// A Record is cheap to build: a node per manifest field and a step per
// intent field, appended to two slices with no text assembled, whose memory
// the next compile reuses once the pipeline releases the record; paths are
// spelled out only when a later stage asks for them.
package provenance

import (
	"sync"

	"github.com/podc-dev/podc/compiler/diag"
)

// Record is where each field of one compile's objects came from. Compile
// builds it; afterwards it is read-only, and safe for concurrent reads. The
// zero value and nil are empty records.
type Record struct {
	objects []object
	nodes   []node
	steps   []step
	// policy are the defaults applied to the intent before compile; those
	// whose Source is "policy:<rule id>" turn the fields copied from what
	// they wrote into policy defaults.
	policy []diag.Default
}

// object is one compiled object: its reference ("Deployment/checkout")
// and its root node.
type object struct {
	ref  string
	root Node
}

// segKind says what a path segment is.
type segKind uint8

const (
	segField segKind = iota // .name
	segIndex                // [3]
	segKey                  // [key] in a manifest, ["key"] in an intent
)

// seg is one step of a path: a field name, a list index or a map key.
type seg struct {
	text  string // the field name or map key
	index int32  // the list index
	kind  segKind
}

// node is one field of a compiled object.
type node struct {
	seg    seg
	parent Node // noNode for an object root or a detached node
	// first is the last child added, next the sibling added before this
	// node: the children in reverse order, for lookups without an index.
	first, next Node
	intent      Path
	// origin is the field's own source (a diag.Origin); zero for a node
	// that only holds fields (a list, a map, a struct) without one of its
	// own.
	origin uint8
}

// step is one step of an intent field path.
type step struct {
	seg    seg
	parent Path
}

// Node is a field of a compiled object in a Record.
type Node int32

// noNode is the parent of an object root and of a detached node.
const noNode Node = -1

// Path is an intent field path in a Record, built step by step.
type Path int32

// Intent is the intent as a whole: the empty path.
const Intent Path = -1

// From is where a field came from, as compile records it.
type From struct {
	origin diag.Origin
	path   Path
}

// FromIntent is a field whose value the intent field p gave.
func FromIntent(p Path) From { return From{diag.OriginIntent, p} }

// CompilerDefault is a field the compiler chose, standing for the intent
// field p (Intent when it stands for none).
func CompilerDefault(p Path) From { return From{diag.OriginCompiler, p} }

// Holder is a node with no source of its own: a list, map or struct whose
// fields each carry theirs.
var Holder = From{}

// New returns an empty record. defaults are the defaults applied to the
// intent before compile (others than policy ones are ignored): a field
// whose value came from an intent field at or inside one a policy default
// wrote is that rule's. The record may reuse the memory of one released
// before (see Release).
func New(defaults []diag.Default) *Record {
	r := pool.Get().(*Record)
	r.policy = defaults
	return r
}

// pool keeps released records' memory for the next compiles; like every
// sync.Pool it is emptied by the garbage collector, so it holds nothing
// for long.
var pool = sync.Pool{New: func() any {
	return &Record{nodes: make([]node, 0, 256), steps: make([]step, 0, 256)}
}}

// maxPooled bounds the nodes of a record kept for reuse: the memory of a
// huge intent's record is left to the collector.
const maxPooled = 4096

// Release gives the record's memory back for reuse by a later compile.
// Nothing may use the record, or anything that refers into it, afterwards;
// what its lookups and Sources returned stays valid. A record that is
// never released is collected as usual.
func (r *Record) Release() {
	if r == nil || cap(r.nodes) > maxPooled || cap(r.steps) > maxPooled {
		return
	}
	r.objects = r.objects[:0]
	r.nodes = r.nodes[:0]
	r.steps = r.steps[:0]
	r.policy = nil
	pool.Put(r)
}

// Object starts the object ref ("Kind/name") and returns its root.
func (r *Record) Object(ref string, from From) Node {
	n := r.add(noNode, seg{}, from)
	r.objects = append(r.objects, object{ref: ref, root: n})
	return n
}

// Detached returns a node outside every object, to be attached once its
// place is known (a container, before the compiler orders them).
func (r *Record) Detached(from From) Node { return r.add(noNode, seg{}, from) }

// AttachField places the detached node n as field name of parent.
func (r *Record) AttachField(n, parent Node, name string) {
	r.attach(n, parent, seg{text: name, kind: segField})
}

// AttachIndex places the detached node n as element i of the list parent.
func (r *Record) AttachIndex(n, parent Node, i int) {
	r.attach(n, parent, seg{index: int32(i), kind: segIndex})
}

func (r *Record) attach(n, parent Node, s seg) {
	nd := &r.nodes[n]
	nd.parent, nd.seg = parent, s
	nd.next = r.nodes[parent].first
	r.nodes[parent].first = n
}

// Field records field name of parent.
func (r *Record) Field(parent Node, name string, from From) Node {
	return r.add(parent, seg{text: name, kind: segField}, from)
}

// Index records element i of the list parent.
func (r *Record) Index(parent Node, i int, from From) Node {
	return r.add(parent, seg{index: int32(i), kind: segIndex}, from)
}

// Key records the entry key of the map parent.
func (r *Record) Key(parent Node, key string, from From) Node {
	return r.add(parent, seg{text: key, kind: segKey}, from)
}

func (r *Record) add(parent Node, s seg, from From) Node {
	n := Node(len(r.nodes))
	nd := node{seg: s, parent: parent, first: noNode, next: noNode, origin: uint8(from.origin), intent: from.path}
	if parent != noNode {
		nd.next = r.nodes[parent].first
		r.nodes[parent].first = n
	}
	r.nodes = append(r.nodes, nd)
	return n
}

// In returns the intent path p.name.
func (r *Record) In(p Path, name string) Path { return r.step(p, seg{text: name, kind: segField}) }

// At returns the intent path p[i].
func (r *Record) At(p Path, i int) Path { return r.step(p, seg{index: int32(i), kind: segIndex}) }

// AtKey returns the intent path p["key"].
func (r *Record) AtKey(p Path, key string) Path { return r.step(p, seg{text: key, kind: segKey}) }

func (r *Record) step(p Path, s seg) Path {
	r.steps = append(r.steps, step{seg: s, parent: p})
	return Path(len(r.steps) - 1)
}
