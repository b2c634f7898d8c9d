package importer

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	kjson "sigs.k8s.io/json"
)

// The Kubernetes API types are read through their json tags: which field
// of a struct a key names, and whether a node is a struct (its keys are
// fields) or a map (its keys are keys).

// fieldsOf returns the fields of struct type t by JSON name, embedded
// inline structs (TypeMeta, ObjectMeta's parents) flattened.
var fieldsOf = func() func(reflect.Type) map[string]reflect.Type {
	var cache sync.Map
	var build func(t reflect.Type, into map[string]reflect.Type)
	build = func(t reflect.Type, into map[string]reflect.Type) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if sf.Anonymous && (name == "" || strings.Contains(","+opts+",", ",inline,")) && deref(sf.Type).Kind() == reflect.Struct {
				build(deref(sf.Type), into)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			into[name] = sf.Type
		}
	}
	return func(t reflect.Type) map[string]reflect.Type {
		if m, ok := cache.Load(t); ok {
			return m.(map[string]reflect.Type)
		}
		m := map[string]reflect.Type{}
		build(t, m)
		cache.Store(t, m)
		return m
	}
}()

// deref strips pointers.
func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// unmarshalerType is the type of values that decode themselves from JSON
// (Quantity, IntOrString, Time): the schema stops at them.
var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// opaque reports whether values of t decode themselves: the schema does
// not look inside them.
func opaque(t reflect.Type) bool {
	return t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)
}

// child returns the type found under step s of a node of type t, and
// whether s names a map key rather than a struct field. nil means the
// schema does not know the step (an unknown field).
func child(t reflect.Type, s step) (reflect.Type, bool) {
	t = deref(t)
	if t == nil || opaque(t) {
		return nil, false
	}
	switch t.Kind() {
	case reflect.Struct:
		if s.index >= 0 {
			return nil, false
		}
		ft, ok := fieldsOf(t)[s.name]
		if !ok {
			return nil, false
		}
		return ft, false
	case reflect.Map:
		if s.index >= 0 {
			return nil, false
		}
		return t.Elem(), true
	case reflect.Slice, reflect.Array:
		if s.index < 0 {
			return nil, false
		}
		return t.Elem(), false
	}
	return nil, false
}

// typed returns p with each step marked as a struct field or a map key by
// the schema rooted at t, so that it prints as the kube-apiserver prints
// paths: metadata.labels[app].
func typed(t reflect.Type, p fieldPath) fieldPath {
	out := make(fieldPath, len(p))
	for j, s := range p {
		ct, key := child(t, s)
		s.key = key
		out[j] = s
		t = ct
	}
	return out
}

// locate finds where tree, which does not decode into a value of type t,
// fails: the deepest node whose value does not decode into its own type,
// with the decoder's message. It returns a nil path and the whole error
// when it cannot narrow the failure down.
func locate(t reflect.Type, tree any, p fieldPath) (fieldPath, error) {
	err := decodeInto(t, tree)
	if err == nil {
		return nil, nil
	}
	switch v := tree.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) {
			ct, key := child(t, step{name: k, index: -1})
			if ct == nil {
				continue
			}
			cp := p.add(step{name: k, index: -1, key: key})
			if q, cerr := locate(ct, v[k], cp); cerr != nil {
				if q == nil {
					return cp, cerr
				}
				return q, cerr
			}
		}
	case []any:
		for i, e := range v {
			ct, _ := child(t, step{index: i})
			if ct == nil {
				continue
			}
			cp := p.i(i)
			if q, cerr := locate(ct, e, cp); cerr != nil {
				if q == nil {
					return cp, cerr
				}
				return q, cerr
			}
		}
	}
	return nil, err
}

// decodeInto decodes tree into a new value of type t, as the
// kube-apiserver decodes JSON: keys match json tags case-sensitively.
func decodeInto(t reflect.Type, tree any) error {
	_, err := decodeNew(t, tree)
	return err
}

// decodeNew decodes tree into a new value of type t and returns a pointer
// to it.
func decodeNew(t reflect.Type, tree any) (any, error) {
	data, err := json.Marshal(tree)
	if err != nil {
		return nil, err
	}
	v := reflect.New(t).Interface()
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, v); err != nil {
		return nil, err
	}
	return v, nil
}
