package policy

import (
	"reflect"

	"cuelang.org/go/cue/ast"
)

// cloneDecl returns a deep copy of the declaration d: every syntax node
// below it is new, so each form of an evaluation file owns its nodes.
// Resolving a form's identifiers writes to them (Ident.Node, Ident.Scope),
// and two forms resolve the same rule differently, so they must not share
// nodes; copying the bundle's syntax, parsed once at load, costs a
// fraction of parsing it again for every form. The copy's identifiers are
// unresolved. Comments and positions are shared: nothing writes to them.
func cloneDecl(d ast.Decl) ast.Decl { return cloneAs(d) }

// cloneNode copies n and the nodes below it. Identifiers and literals,
// most of a syntax tree, are copied directly; any other node is a pointer
// to a struct of package ast, copied whole and then each of its exported
// fields that holds nodes.
func cloneNode(n ast.Node) ast.Node {
	switch x := n.(type) {
	case *ast.Ident:
		if x == nil {
			return x
		}
		c := *x
		c.Node, c.Scope = nil, nil // they point outside the copy
		return &c
	case *ast.BasicLit:
		if x == nil {
			return x
		}
		c := *x
		return &c
	}
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return n
	}
	c := reflect.New(v.Elem().Type())
	s := c.Elem()
	s.Set(v.Elem())
	for i := range s.NumField() {
		if f := s.Field(i); f.CanSet() {
			cloneField(f)
		}
	}
	return c.Interface().(ast.Node)
}

// cloneField replaces what the settable field f holds with a copy: nodes,
// or lists of nodes. A field of a kind not listed (none in CUE v0.17.1) is
// copied by reflection.
func cloneField(f reflect.Value) {
	switch p := f.Addr().Interface().(type) {
	case *ast.Expr:
		*p = cloneAs(*p)
	case *ast.Label:
		*p = cloneAs(*p)
	case *ast.Decl:
		*p = cloneAs(*p)
	case *ast.Clause:
		*p = cloneAs(*p)
	case *ast.Node:
		*p = cloneAs(*p)
	case **ast.Ident:
		*p = cloneAs(*p)
	case **ast.BasicLit:
		*p = cloneAs(*p)
	case **ast.StructLit:
		*p = cloneAs(*p)
	case *[]ast.Expr:
		*p = cloneList(*p)
	case *[]ast.Decl:
		*p = cloneList(*p)
	case *[]ast.Clause:
		*p = cloneList(*p)
	case *[]*ast.Ident:
		*p = cloneList(*p)
	case *[]*ast.Attribute:
		*p = cloneList(*p)
	case *[]*ast.ImportSpec:
		*p = cloneList(*p)
	default:
		switch f.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice:
			f.Set(cloneValue(f))
		}
	}
}

// cloneAs copies the node x, which may be nil, keeping its type.
func cloneAs[T ast.Node](x T) T {
	n := ast.Node(x)
	if n == nil {
		return x
	}
	return cloneNode(n).(T)
}

func cloneList[T ast.Node](xs []T) []T {
	if xs == nil {
		return nil
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = cloneAs(x)
	}
	return out
}

// cloneValue copies what v holds by reflection: a node (a pointer to a
// struct of package ast), an interface or a list holding nodes; anything
// else is returned as it is.
func cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if n, ok := v.Interface().(ast.Node); ok && v.Elem().Kind() == reflect.Struct {
			return reflect.ValueOf(cloneNode(n))
		}
	case reflect.Interface:
		if !v.IsNil() {
			c := reflect.New(v.Type()).Elem()
			c.Set(cloneValue(v.Elem()))
			return c
		}
	case reflect.Slice:
		if !v.IsNil() {
			c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			for i := range v.Len() {
				c.Index(i).Set(cloneValue(v.Index(i)))
			}
			return c
		}
	}
	return v
}
