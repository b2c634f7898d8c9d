package policy

import (
	"fmt"
	"slices"
	"strconv"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/token"
)

// A formDef is one definition of the evaluation file: its name and the
// keep function that trims the bundle for it.
type formDef struct {
	name string
	keep func(id string) (ok bool, drop []string)
}

// wrapForms builds the evaluation file of a bundle: one definition per
// form, each holding a copy (cloneDecl) of every declaration of the
// bundle's files and the prelude, trimmed by its keep function. A rule
// declared as a plain field
// of a top-level rules struct is left out when keep reports false for its
// id, and loses the fields keep names in drop; rules declared any other way
// are always kept. Positions stay those of the original files, so errors
// still name file:line.
//
// outside names files whose declarations stay at the top level, beside the
// definitions: the prelude's schema. The profiles and parameters, which do
// not depend on the request, are hoisted there too, so they are evaluated
// once. The declarations outside come from the first form.
func wrapForms(src *bundleSource, forms []formDef) (*ast.File, error) {
	pkg, files, order, outside := src.pkg, src.files, src.order, src.outside
	type imp struct{ name, path string }
	var specs []*ast.ImportSpec
	seenImp := map[imp]bool{}
	aliasPath := map[string]string{}
	var top, defs []ast.Decl
	for fi, fm := range forms {
		keep := fm.keep
		var body []ast.Decl
		for _, name := range order {
			for _, d := range files[name].Decls {
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
					d = trimRules(d, keep)
					switch {
					case d == nil:
					case outside[name] || hoisted(d):
						if fi == 0 {
							top = append(top, cloneDecl(d))
						}
					default:
						body = append(body, cloneDecl(d))
					}
				}
			}
		}
		defs = append(defs, &ast.Field{Label: ast.NewIdent(fm.name), Value: &ast.StructLit{Elts: body}})
	}
	wf := &ast.File{Filename: "podc-forms.cue"}
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
					if n, _, err := ast.LabelName(xf.Label); err == nil && slices.Contains(drop, n) {
						continue
					}
				}
				kept = append(kept, x)
			}
			kept = dropUnusedLets(kept)
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

// dropUnusedLets leaves out of a trimmed rule's body the let clauses that
// nothing left in it refers to: a let that only a dropped part read (CUE
// refuses an unreferenced let, and the form would otherwise fall back to
// the whole bundle). It reads the references as the parser resolved them
// in the rule's own file.
func dropUnusedLets(decls []ast.Decl) []ast.Decl {
	for {
		used := map[*ast.LetClause]bool{}
		for _, d := range decls {
			var n ast.Node = d
			if l, ok := d.(*ast.LetClause); ok {
				n = l.Expr
			}
			ast.Walk(n, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					if l, ok := id.Node.(*ast.LetClause); ok {
						used[l] = true
					}
				}
				return true
			}, nil)
		}
		var kept []ast.Decl
		for _, d := range decls {
			if l, ok := d.(*ast.LetClause); ok && !used[l] {
				continue
			}
			kept = append(kept, d)
		}
		if len(kept) == len(decls) {
			return decls
		}
		decls = kept
	}
}

// hoisted reports whether a top-level declaration moves out of the forms:
// the profiles and parameters, which do not depend on the request, so they
// are evaluated once per generation instead of on every request.
func hoisted(d ast.Decl) bool {
	f, ok := d.(*ast.Field)
	if !ok {
		return false
	}
	name, _, err := ast.LabelName(f.Label)
	return err == nil && (name == "parameters" || name == "profiles")
}
