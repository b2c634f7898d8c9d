package render

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// This file builds a manifest's tree straight from its typed object, as
// encoding/json would write the object and the tree parser read it back,
// without the JSON text in between. What it does not handle the way
// encoding/json does (a ",string" field option, two fields of one name,
// a field of an unexported embedded type, a value nested deeper than
// maxDepth) it reports as errNotDirect, and the object is taken through
// encoding/json instead: the tree is the same either way, which the
// package's tests check on every example, on random intents and on every
// field of the kinds podc writes.

// errNotDirect is why an object cannot be walked directly.
var errNotDirect = errors.New("not walked directly")

// maxDepth bounds how deep a walk goes before it gives the object up to
// encoding/json (which has its own bound on cycles).
const maxDepth = 200

// walker builds trees: objects' members and arrays' items are gathered on
// its stacks and copied into its arenas when they end, an object's
// members sorted by key as the tree parser sorts them (a struct's come out
// in that order; a map's are sorted). Its parser reads what a
// json.Marshaler writes, into the same arenas.
type walker struct {
	p     treeParser
	depth int
}

// encoderFunc builds the node of v, a value of the type it was made for.
// A marshaler with a pointer receiver is called when v is addressable, as
// encoding/json calls it.
type encoderFunc func(w *walker, v reflect.Value) (node, error)

var encoders sync.Map // reflect.Type -> encoderFunc

// encoderOf returns the encoder of t, made once. A recursive type waits
// on its own encoder while that is being made.
func encoderOf(t reflect.Type) encoderFunc {
	if f, ok := encoders.Load(t); ok {
		return f.(encoderFunc)
	}
	var (
		ready sync.WaitGroup
		made  encoderFunc
	)
	ready.Add(1)
	f, loaded := encoders.LoadOrStore(t, encoderFunc(func(w *walker, v reflect.Value) (node, error) {
		ready.Wait()
		return made(w, v)
	}))
	if loaded {
		return f.(encoderFunc)
	}
	made = newEncoder(t, true)
	ready.Done()
	encoders.Store(t, made)
	return made
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
)

// newEncoder makes the encoder of t. allowAddr tells whether a value of t
// may be addressable where it is found, so that a marshaler with a
// pointer receiver applies when it is.
func newEncoder(t reflect.Type, allowAddr bool) encoderFunc {
	if t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(marshalerType) {
		plain := newEncoder(t, false)
		fresh := writesFresh(t)
		return func(w *walker, v reflect.Value) (node, error) {
			if v.CanAddr() {
				return w.marshaled(v.Addr(), fresh)
			}
			return plain(w, v)
		}
	}
	if t.Implements(marshalerType) {
		fresh := writesFresh(t)
		return func(w *walker, v reflect.Value) (node, error) {
			if nilRef(v) {
				return node{}, nil
			}
			return w.marshaled(v, fresh)
		}
	}
	if t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(textMarshalerType) {
		plain := newEncoder(t, false)
		return func(w *walker, v reflect.Value) (node, error) {
			if v.CanAddr() {
				return textNode(v.Addr())
			}
			return plain(w, v)
		}
	}
	if t.Implements(textMarshalerType) {
		return func(_ *walker, v reflect.Value) (node, error) {
			if nilRef(v) {
				return node{}, nil
			}
			return textNode(v)
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		return func(_ *walker, v reflect.Value) (node, error) { return node{kind: kindBool, b: v.Bool()}, nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(_ *walker, v reflect.Value) (node, error) {
			return node{kind: kindNumber, text: strconv.FormatInt(v.Int(), 10)}, nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(_ *walker, v reflect.Value) (node, error) {
			return node{kind: kindNumber, text: strconv.FormatUint(v.Uint(), 10)}, nil
		}
	case reflect.Float32, reflect.Float64:
		// Rare in manifests: encoding/json's own formatting, exactly.
		return func(_ *walker, v reflect.Value) (node, error) {
			b, err := json.Marshal(v.Interface())
			if err != nil {
				return node{}, err
			}
			return node{kind: kindNumber, text: string(b)}, nil
		}
	case reflect.String:
		return func(_ *walker, v reflect.Value) (node, error) {
			return node{kind: kindString, text: validUTF8(v.String())}, nil
		}
	case reflect.Interface:
		return func(w *walker, v reflect.Value) (node, error) {
			if v.IsNil() {
				return node{}, nil
			}
			e := v.Elem()
			return w.walk(encoderOf(e.Type()), e)
		}
	case reflect.Pointer:
		elem := encoderOf(t.Elem())
		return func(w *walker, v reflect.Value) (node, error) {
			if v.IsNil() {
				return node{}, nil
			}
			return w.walk(elem, v.Elem())
		}
	case reflect.Struct:
		return newStructEncoder(t)
	case reflect.Map:
		return newMapEncoder(t)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !marshals(t.Elem()) {
			return func(_ *walker, v reflect.Value) (node, error) {
				if v.IsNil() {
					return node{}, nil
				}
				return node{kind: kindString, text: base64.StdEncoding.EncodeToString(v.Bytes())}, nil
			}
		}
		items := newArrayEncoder(t)
		return func(w *walker, v reflect.Value) (node, error) {
			if v.IsNil() {
				return node{}, nil
			}
			return items(w, v)
		}
	case reflect.Array:
		return newArrayEncoder(t)
	}
	return notDirect
}

func notDirect(*walker, reflect.Value) (node, error) { return node{}, errNotDirect }

// walk runs f on v one level deeper.
func (w *walker) walk(f encoderFunc, v reflect.Value) (node, error) {
	if w.depth++; w.depth > maxDepth {
		return node{}, errNotDirect
	}
	n, err := f(w, v)
	w.depth--
	return n, err
}

// freshWriters are the types, among those manifests hold, whose
// MarshalJSON writes into bytes of its own on every call.
var freshWriters = map[reflect.Type]bool{
	reflect.TypeFor[resource.Quantity]():  true,
	reflect.TypeFor[intstr.IntOrString](): true,
	reflect.TypeFor[metav1.Time]():        true,
	reflect.TypeFor[metav1.MicroTime]():   true,
	reflect.TypeFor[metav1.Duration]():    true,
}

// writesFresh reports whether t, or what t points to, is among the
// freshWriters.
func writesFresh(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return freshWriters[t]
}

// marshaled reads what v's MarshalJSON writes. The tree keeps slices of
// those bytes: unless fresh says the marshaler writes bytes of its own,
// it reads a copy, for a marshaler may hand out bytes the object holds
// (RawExtension and json.RawMessage do), and the object may change after
// the snapshot.
func (w *walker) marshaled(v reflect.Value, fresh bool) (node, error) {
	b, err := v.Interface().(json.Marshaler).MarshalJSON()
	if err != nil {
		return node{}, fmt.Errorf("json: error calling MarshalJSON for type %s: %w", v.Type(), err)
	}
	if !fresh {
		b = slices.Clone(b)
	}
	p := &w.p
	p.b, p.s, p.i = b, unsafe.String(unsafe.SliceData(b), len(b)), 0
	n, err := p.parse()
	p.b, p.s = nil, ""
	if err != nil {
		return node{}, fmt.Errorf("json: error calling MarshalJSON for type %s: %w", v.Type(), err)
	}
	return pruneValue(n), nil
}

// textNode is the string v's MarshalText writes.
func textNode(v reflect.Value) (node, error) {
	b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
	if err != nil {
		return node{}, fmt.Errorf("json: error calling MarshalText for type %s: %w", v.Type(), err)
	}
	return node{kind: kindString, text: validUTF8(string(b))}, nil
}

// validUTF8 is s as encoding/json writes it and a parser reads it back:
// each byte that is not valid UTF-8 becomes U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// field is one member a struct is written with: its name, where it is
// (an index path through embedded structs), and when it is left out.
type field struct {
	name      string
	index     []int
	enc       encoderFunc
	omitEmpty bool
	omitZero  func(reflect.Value) bool
	keepEmpty bool // an empty object under this name means something
	// nilNull: a nil value of the field's type comes out as null, which
	// prune drops, so a nil one is left out without a walk.
	nilNull bool
}

func newStructEncoder(t reflect.Type) encoderFunc {
	fields, ok := structFields(t, nil, map[reflect.Type]bool{})
	if !ok {
		return notDirect
	}
	// In name order, the members come out sorted: the tree's order.
	slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
	for i := 1; i < len(fields); i++ {
		if fields[i].name == fields[i-1].name {
			return notDirect // encoding/json's dominance rules: not needed here
		}
	}
	return func(w *walker, v reflect.Value) (node, error) {
		p := &w.p
		base := len(p.members)
		defer func() { p.members = p.members[:base] }()
	fields:
		for i := range fields {
			f := &fields[i]
			fv := v
			for _, x := range f.index[:len(f.index)-1] {
				fv = fv.Field(x)
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						continue fields
					}
					fv = fv.Elem()
				}
			}
			fv = fv.Field(f.index[len(f.index)-1])
			if (f.nilNull && fv.IsNil()) || (f.omitEmpty && isEmptyValue(fv)) || (f.omitZero != nil && f.omitZero(fv)) {
				continue
			}
			n, err := w.walk(f.enc, fv)
			if err != nil {
				return node{}, err
			}
			if dropped(n, f.keepEmpty) {
				continue
			}
			p.members = append(p.members, member{key: f.name, val: n})
		}
		return node{kind: kindObject, obj: p.memberArena.copyOf(p.members[base:])}, nil
	}
}

// structFields lists the members t is written with, embedded structs'
// fields in place (index is the path to t). It reports false for what
// the direct walk leaves to encoding/json.
func structFields(t reflect.Type, index []int, visiting map[reflect.Type]bool) ([]field, bool) {
	if visiting[t] {
		return nil, false
	}
	visiting[t] = true
	defer delete(visiting, t)
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		at := append(slices.Clip(index), i)
		if sf.Anonymous {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if !sf.IsExported() {
				return nil, false
			}
			if name == "" && ft.Kind() == reflect.Struct {
				inner, ok := structFields(ft, at, visiting)
				if !ok {
					return nil, false
				}
				out = append(out, inner...)
				continue
			}
		} else if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		} else if !validTagName(name) {
			return nil, false
		}
		f := field{name: name, index: at, enc: encoderOf(sf.Type), keepEmpty: keepEmpty[name], nilNull: nilIsNull(sf.Type)}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "omitempty":
				f.omitEmpty = true
			case "omitzero":
				f.omitZero = zeroTest(sf.Type)
			case "string":
				return nil, false
			}
		}
		out = append(out, f)
	}
	return out, true
}

// nilIsNull reports whether a nil value of t is written as null: a nil
// pointer or interface always is; a nil map or slice is unless t has a
// marshaler of its own, which encoding/json calls even on nil.
func nilIsNull(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		return true
	case reflect.Map, reflect.Slice:
		return !marshals(t)
	}
	return false
}

// marshals reports whether t, or a pointer to t, writes itself: a
// json.Marshaler or an encoding.TextMarshaler.
func marshals(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(marshalerType) || p.Implements(textMarshalerType)
}

// nilRef reports whether v is a nil pointer or interface.
func nilRef(v reflect.Value) bool {
	return (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil()
}

// validTagName is encoding/json's test of a field name in a tag, kept to
// the names manifests use: anything else goes through encoding/json.
func validTagName(s string) bool {
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == '$', c == '@', c == '/':
		default:
			return false
		}
	}
	return true
}

// zeroTest is how encoding/json's omitzero tells a zero value of t: its
// IsZero method when it has one, else the zero value.
func zeroTest(t reflect.Type) func(reflect.Value) bool {
	switch {
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(interface{ IsZero() bool }).IsZero() }
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				c := reflect.New(t).Elem()
				c.Set(v)
				v = c
			}
			return v.Addr().Interface().(interface{ IsZero() bool }).IsZero()
		}
	}
	return reflect.Value.IsZero
}

// isEmptyValue is encoding/json's omitempty test.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

func newMapEncoder(t reflect.Type) encoderFunc {
	k := t.Key()
	var key func(reflect.Value) (string, error)
	switch {
	case k.Kind() == reflect.String:
		key = func(v reflect.Value) (string, error) { return validUTF8(v.String()), nil }
	case k.Implements(textMarshalerType):
		key = func(v reflect.Value) (string, error) {
			if nilRef(v) {
				return "", nil
			}
			n, err := textNode(v)
			return n.text, err
		}
	case k.Kind() >= reflect.Int && k.Kind() <= reflect.Int64:
		key = func(v reflect.Value) (string, error) { return strconv.FormatInt(v.Int(), 10), nil }
	case k.Kind() >= reflect.Uint && k.Kind() <= reflect.Uintptr:
		key = func(v reflect.Value) (string, error) { return strconv.FormatUint(v.Uint(), 10), nil }
	default:
		return notDirect
	}
	elem := newEncoder(t.Elem(), false) // a map's values are never addressable
	// A key of string kind, and a value of a plain scalar kind, are read
	// through one variable per map rather than copied out one by one; any
	// other value is handed to its encoder as the map holds it.
	keyVar := k.Kind() == reflect.String
	valueVar := plainScalar(t.Elem())
	return func(w *walker, v reflect.Value) (node, error) {
		if v.IsNil() {
			return node{}, nil
		}
		p := &w.p
		base := len(p.members)
		defer func() { p.members = p.members[:base] }()
		var kv, ev reflect.Value
		if keyVar {
			kv = reflect.New(k).Elem()
		}
		if valueVar {
			ev = reflect.New(t.Elem()).Elem()
		}
		var it reflect.MapIter
		it.Reset(v)
		for it.Next() {
			var name string
			var err error
			if keyVar {
				kv.SetIterKey(&it)
				name = validUTF8(kv.String())
			} else if name, err = key(it.Key()); err != nil {
				return node{}, err
			}
			var n node
			if valueVar {
				ev.SetIterValue(&it)
				n, err = w.walk(elem, ev)
			} else {
				n, err = w.walk(elem, it.Value())
			}
			if err != nil {
				return node{}, err
			}
			if dropped(n, keepEmpty[name]) {
				continue
			}
			p.members = append(p.members, member{key: name, val: n})
		}
		return w.object(base), nil
	}
}

// plainScalar reports whether t is a string, bool or integer kind with no
// marshaler: one whose encoding reads nothing but its value.
func plainScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		return false
	}
	return !marshals(t)
}

func newArrayEncoder(t reflect.Type) encoderFunc {
	elem := encoderOf(t.Elem())
	return func(w *walker, v reflect.Value) (node, error) {
		p := &w.p
		base := len(p.items)
		defer func() { p.items = p.items[:base] }()
		for i := range v.Len() {
			n, err := w.walk(elem, v.Index(i))
			if err != nil {
				return node{}, err
			}
			p.items = append(p.items, n)
		}
		return node{kind: kindArray, arr: p.itemArena.copyOf(p.items[base:])}, nil
	}
}

// object ends the object whose members start at base on the stack: they
// are copied into the arena, sorted by key.
func (w *walker) object(base int) node {
	p := &w.p
	m := object(p.memberArena.copyOf(p.members[base:]))
	slices.SortFunc(m, func(a, b member) int { return strings.Compare(a.key, b.key) })
	return node{kind: kindObject, obj: m}
}

// tree builds the pruned tree of o, as render writes it: the tree of its
// JSON, pruned. It reports errNotDirect when o's type is left to
// encoding/json.
func (w *walker) tree(o any) (object, error) {
	v := reflect.ValueOf(o)
	w.depth = 0
	n, err := w.walk(encoderOf(v.Type()), v)
	if err != nil {
		return nil, err
	}
	if n.kind != kindObject {
		return nil, errNotDirect
	}
	top := n.obj[:0]
	for _, m := range n.obj {
		if m.key != "status" {
			top = append(top, m)
		}
	}
	return top, nil
}
