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
// declared as a plain field of a top-level rules struct is left out when
// keep reports false for its id, and loses the fields keep names in drop;
// rules declared any other way are always kept. Positions stay those of
// the original files, so errors still name file:line.
//
// outside names files whose declarations stay at the top level, beside the
// definitions: the prelude's schema. The profiles and parameters, which do
// not depend on the request, are hoisted there too, so they are evaluated
// once. Of those, only the ones the definitions refer to are kept (see
// referenced).
func wrapForms(src *bundleSource, forms []formDef) (*ast.File, error) {
	specs, err := checkImports(src)
	if err != nil {
		return nil, err
	}
	var top []ast.Decl
	bodies := make([][]ast.Decl, len(forms))
	for fi, fm := range forms {
		for _, name := range src.order {
			for _, d := range src.files[name].Decls {
				switch d.(type) {
				case *ast.Package, *ast.Attribute, *ast.ImportDecl:
					continue
				}
				out := src.outside[name] || hoisted(d)
				if out && fi > 0 {
					continue // taken once, with the first form
				}
				if d = trimRules(d, fm.keep); d == nil {
					continue
				}
				if out {
					top = append(top, d)
				} else {
					bodies[fi] = append(bodies[fi], d)
				}
			}
		}
	}
	top = referenced(top, bodies)
	for i, d := range top {
		top[i] = cloneDecl(d)
	}
	defs := make([]ast.Decl, len(forms))
	for fi, fm := range forms {
		body := bodies[fi]
		for i, d := range body {
			body[i] = cloneDecl(d)
		}
		defs[fi] = &ast.Field{Label: ast.NewIdent(fm.name), Value: &ast.StructLit{Elts: body}}
	}
	wf := &ast.File{Filename: "podc-forms.cue"}
	wf.Decls = append(wf.Decls, &ast.Package{Name: ast.NewIdent(src.pkg)})
	if len(specs) > 0 {
		wf.Decls = append(wf.Decls, &ast.ImportDecl{Specs: specs})
	}
	wf.Decls = append(wf.Decls, top...)
	wf.Decls = append(wf.Decls, defs...)
	// The copies are unresolved; resolve them against the wrapper.
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

// checkImports returns new import specs for every package the bundle's
// files import, once each. The files of an evaluation file share one
// import declaration, so an alias must name one package across files.
func checkImports(src *bundleSource) ([]*ast.ImportSpec, error) {
	type imp struct{ name, path string }
	var specs []*ast.ImportSpec
	seen := map[imp]bool{}
	aliasPath := map[string]string{}
	for _, name := range src.order {
		for _, d := range src.files[name].Decls {
			id, ok := d.(*ast.ImportDecl)
			if !ok {
				continue
			}
			for _, s := range id.Specs {
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
				if !seen[k] {
					seen[k] = true
					ns := &ast.ImportSpec{Path: &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(path)}}
					if s.Name != nil {
						ns.Name = ast.NewIdent(s.Name.Name)
					}
					specs = append(specs, ns)
				}
			}
		}
	}
	return specs, nil
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

// referenced returns the declarations of top that the bodies refer to,
// directly or through one another, in order: a field is kept when an
// identifier of its name (or its alias) occurs in a body or a kept
// declaration; a declaration that is not a field with a plain label is
// always kept. Identifiers are matched by name, not resolution, which may
// keep too much but never too little: the prelude's schema definitions,
// which rules seldom use, stay out of the evaluation file unless used.
func referenced(top []ast.Decl, bodies [][]ast.Decl) []ast.Decl {
	names := map[string]bool{}
	see := func(n ast.Node) {
		ast.Walk(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				names[id.Name] = true
			}
			return true
		}, nil)
	}
	for _, body := range bodies {
		for _, d := range body {
			see(d)
		}
	}
	// labels holds the names of each declaration of top; nil for one that
	// is always kept.
	labels := make([][]string, len(top))
	for i, d := range top {
		f, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		label := f.Label
		var alias string
		if a, ok := label.(*ast.Alias); ok {
			alias = a.Ident.Name
			l, ok := a.Expr.(ast.Label)
			if !ok {
				continue
			}
			label = l
		}
		name, isIdent, err := ast.LabelName(label)
		if err != nil || !isIdent {
			continue
		}
		labels[i] = []string{name}
		if alias != "" {
			labels[i] = append(labels[i], alias)
		}
	}
	kept := make([]bool, len(top))
	for more := true; more; {
		more = false
		for i, d := range top {
			if kept[i] || (labels[i] != nil && !slices.ContainsFunc(labels[i], func(n string) bool { return names[n] })) {
				continue
			}
			kept[i], more = true, true
			see(d)
		}
	}
	var out []ast.Decl
	for i, d := range top {
		if kept[i] {
			out = append(out, d)
		}
	}
	return out
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
