package policy

import (
	"fmt"
	"strconv"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// evalDef is the definition that holds the whole bundle for evaluation.
const evalDef = "#Bundle"

// wrapSources builds the evaluation form of a bundle: one file whose only
// field is #Bundle, a definition holding every declaration of the bundle's
// files and the prelude. Each request then compiles `#Bundle & {input}` in
// the scope of the compiled wrapper, so the bundle is compiled once and a
// request evaluates only the rules it looks up. Positions stay those of the
// original files, so errors still name file:line.
//
// keep, when not nil, trims the bundle for one profile and stage: a rule
// declared as a plain field of a top-level rules struct is left out when
// keep reports false for its id, and loses the fields keep names in drop.
// Rules declared any other way are always kept.
//
// outside names files whose declarations stay at the top level, beside
// #Bundle: the prelude's schema definitions.
func wrapSources(pkg string, srcs map[string][]byte, order []string, outside map[string]bool, keep func(id string) (ok bool, drop []string)) (*ast.File, error) {
	return wrapForms(pkg, srcs, order, outside, []form{{evalDef, keep}})
}

// A form is one definition of an evaluation file: its name and the keep
// function that trims the bundle for it (nil: the whole bundle).
type form struct {
	name string
	keep func(id string) (ok bool, drop []string)
}

// wrapForms is wrapSources for several definitions in one file, each
// holding the bundle as trimmed by its keep function. The declarations
// outside the definitions (schema, profiles, parameters) come from the
// first form.
func wrapForms(pkg string, srcs map[string][]byte, order []string, outside map[string]bool, forms []form) (*ast.File, error) {
	type imp struct{ name, path string }
	var specs []*ast.ImportSpec
	seenImp := map[imp]bool{}
	aliasPath := map[string]string{}
	var top, defs []ast.Decl
	for fi, fm := range forms {
		keep := fm.keep
		var body []ast.Decl
		for _, name := range order {
			f, err := parser.ParseFile(name, srcs[name])
			if err != nil {
				return nil, err
			}
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.Package, *ast.Attribute:
				case *ast.ImportDecl:
					for _, s := range d.Specs {
						path, err := strconv.Unquote(s.Path.Value)
						if err != nil {
							return nil, fmt.Errorf("%s: bad import path %s", name, s.Path.Value)
						}
						alias := importName(s, path)
						if p, ok := aliasPath[alias]; ok && p != path {
							return nil, fmt.Errorf("%s: %s names both %q and %q in the bundle; use one alias per package across files", name, alias, p, path)
						}
						aliasPath[alias] = path
						k := imp{alias, path}
						if !seenImp[k] {
							seenImp[k] = true
							ns := &ast.ImportSpec{Path: &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(path)}}
							if s.Name != nil {
								ns.Name = ast.NewIdent(s.Name.Name)
							}
							specs = append(specs, ns)
						}
					}
				default:
					if keep != nil {
						d = trimRules(d, keep)
					}
					switch {
					case d == nil:
					case outside[name] || (keep != nil && hoisted(d)):
						if fi == 0 {
							top = append(top, d)
						}
					default:
						body = append(body, d)
					}
				}
			}
		}
		defs = append(defs, &ast.Field{Label: ast.NewIdent(fm.name), Value: &ast.StructLit{Elts: body}})
	}
	wf := &ast.File{Filename: "podc-bundle.cue"}
	wf.Decls = append(wf.Decls, &ast.Package{Name: ast.NewIdent(pkg)})
	if len(specs) > 0 {
		wf.Decls = append(wf.Decls, &ast.ImportDecl{Specs: specs})
	}
	wf.Decls = append(wf.Decls, top...)
	wf.Decls = append(wf.Decls, defs...)
	// The identifiers were resolved against their own files; resolve them
	// again against the wrapper.
	ast.Walk(wf, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			id.Node, id.Scope = nil, nil
		}
		return true
	}, nil)
	wf.Unresolved = nil
	var rerr error
	astutil.Resolve(wf, func(pos token.Pos, msg string, args ...interface{}) {
		if rerr == nil {
			rerr = fmt.Errorf("%s: %s", pos, fmt.Sprintf(msg, args...))
		}
	})
	if rerr != nil {
		return nil, rerr
	}
	// A trimmed form may no longer use every import; CUE refuses unused
	// imports, so drop them.
	used := map[*ast.ImportSpec]bool{}
	ast.Walk(wf, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if s, ok := id.Node.(*ast.ImportSpec); ok {
				used[s] = true
			}
		}
		return true
	}, nil)
	for _, d := range wf.Decls {
		if id, ok := d.(*ast.ImportDecl); ok {
			kept := id.Specs[:0]
			for _, s := range id.Specs {
				if used[s] {
					kept = append(kept, s)
				}
			}
			id.Specs = kept
		}
	}
	return wf, nil
}

func importName(s *ast.ImportSpec, path string) string {
	if s.Name != nil {
		return s.Name.Name
	}
	// "list" -> list, "encoding/json" -> json, "example.com/x:y" -> y
	name := path
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' || path[i] == ':' {
			name = path[i+1:]
			break
		}
	}
	return name
}

// trimRules applies keep to a top-level `rules: {"id": {...}}` declaration
// (or `rules: "id": {...}`). It returns nil when nothing is left.
func trimRules(d ast.Decl, keep func(string) (bool, []string)) ast.Decl {
	f, ok := d.(*ast.Field)
	if !ok {
		return d
	}
	if name, _, err := ast.LabelName(f.Label); err != nil || name != "rules" {
		return d
	}
	st, ok := f.Value.(*ast.StructLit)
	if !ok {
		return d
	}
	var elts []ast.Decl
	for _, e := range st.Elts {
		rf, ok := e.(*ast.Field)
		if !ok {
			elts = append(elts, e)
			continue
		}
		id, _, err := ast.LabelName(rf.Label)
		if err != nil || rf.Constraint != token.ILLEGAL {
			elts = append(elts, e) // a pattern constraint, or optional or required
			continue
		}
		ok, drop := keep(id)
		if !ok {
			continue
		}
		if body, isStruct := rf.Value.(*ast.StructLit); isStruct && len(drop) > 0 {
			var kept []ast.Decl
			for _, x := range body.Elts {
				if xf, ok := x.(*ast.Field); ok {
					if n, _, err := ast.LabelName(xf.Label); err == nil && contains(drop, n) {
						continue
					}
				}
				kept = append(kept, x)
			}
			nb := *body
			nb.Elts = kept
			nf := *rf
			nf.Value = &nb
			e = &nf
		}
		elts = append(elts, e)
	}
	if len(elts) == 0 {
		return nil
	}
	ns := *st
	ns.Elts = elts
	nf := *f
	nf.Value = &ns
	return &nf
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mentions reports whether name appears in f as an identifier, a selector
// or a string label: a conservative test of whether a form's rules can read
// a field of that name.
// Only the body of #Bundle is searched: the schema beside it names every
// field.
func mentions(f *ast.File, name string) bool {
	var body ast.Node
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.Field); ok {
			if l, _, _ := ast.LabelName(fd.Label); l == evalDef {
				body = fd.Value
			}
		}
	}
	if body == nil {
		return true
	}
	found := false
	quoted := strconv.Quote(name)
	ast.Walk(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			found = found || n.Name == name
		case *ast.BasicLit:
			found = found || n.Value == quoted
		}
		return !found
	}, nil)
	return found
}

// hoisted reports whether a top-level declaration of a trimmed form moves
// out of #Bundle: the profiles and parameters, which do not depend on the
// request, so they are evaluated once at load instead of on every request.
// (A form where that breaks a reference does not compile, and the engine
// falls back to the whole bundle.)
func hoisted(d ast.Decl) bool {
	f, ok := d.(*ast.Field)
	if !ok {
		return false
	}
	name, _, err := ast.LabelName(f.Label)
	return err == nil && (name == "parameters" || name == "profiles")
}
