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
func cloneDecl(d ast.Decl) ast.Decl {
	return cloneValue(reflect.ValueOf(&d).Elem()).Interface().(ast.Decl)
}

var (
	identType = reflect.TypeFor[ast.Ident]()
	astPkg    = identType.PkgPath()
)

// cloneValue copies what v holds: a syntax node (a pointer to a struct of
// package ast), an interface or a slice holding them; anything else (a
// position, a token, a string) is returned as it is.
func cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Elem().Kind() != reflect.Struct || v.Elem().Type().PkgPath() != astPkg {
			return v
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(v.Elem())
		cloneFields(c.Elem())
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(cloneValue(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(cloneValue(v.Index(i)))
		}
		return c
	}
	return v
}

// cloneFields replaces the exported fields of the node struct s, a copy,
// with copies of their own; an identifier's resolution is cleared, as it
// points outside the node.
func cloneFields(s reflect.Value) {
	t := s.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		switch {
		case !f.IsExported():
		case t == identType && (f.Name == "Node" || f.Name == "Scope"):
			s.Field(i).SetZero()
		default:
			s.Field(i).Set(cloneValue(s.Field(i)))
		}
	}
}
