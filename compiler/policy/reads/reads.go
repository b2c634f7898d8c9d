// Package reads tells, from a policy rule's CUE syntax, which fields of its
// input the rule reads, and projects an input onto those fields. The policy
// engine keys each rule's cached outcome on that projection, so an input
// that changes only fields a rule does not read reuses the rule's outcome.
//
// The analysis is syntactic and conservative: every selector chain that
// starts at an identifier named like an input counts as read (even a local
// of the same name), and an input named without a selector is read whole.
// When the reads cannot be told from the source, the analysis says so and
// the caller keys on the whole input.
package reads

import (
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// A Set is what a rule reads of its input: a tree of field names, where a
// leaf means the whole value at that path.
type Set struct {
	whole    bool
	children []child
}

type child struct {
	name string
	set  *Set
}

// Whole reports whether the set reads the whole value at its path.
func (s *Set) Whole() bool { return s.whole }

// Empty reports whether the set reads nothing.
func (s *Set) Empty() bool { return !s.whole && len(s.children) == 0 }

func (s *Set) child(name []byte) *Set {
	for _, c := range s.children {
		if c.name == string(name) {
			return c.set
		}
	}
	return nil
}

// Add records that path (field names from the input's root) is read
// whole.
func (s *Set) Add(path ...string) {
	for _, name := range path {
		if s.whole {
			return
		}
		c := s.child([]byte(name))
		if c == nil {
			c = &Set{}
			s.children = append(s.children, child{name, c})
		}
		s = c
	}
	s.whole, s.children = true, nil
}

// Reads reports whether s reads anything at or below path: the value at
// path, part of it, or a value that holds it.
func (s *Set) Reads(path ...string) bool {
	for _, name := range path {
		if s.whole {
			return true
		}
		if s = s.child([]byte(name)); s == nil {
			return false
		}
	}
	return true
}

// Union returns the set that reads what any of sets reads; nil, as for a
// rule whose reads cannot be told, when any of them is nil.
func Union(sets ...*Set) *Set {
	u := &Set{}
	for _, s := range sets {
		if s == nil {
			return nil
		}
		u.merge(s)
	}
	return u
}

// merge adds what s reads to u.
func (u *Set) merge(s *Set) {
	if u.whole {
		return
	}
	if s.whole {
		u.whole, u.children = true, nil
		return
	}
	for _, c := range s.children {
		uc := u.child([]byte(c.name))
		if uc == nil {
			uc = &Set{}
			u.children = append(u.children, child{c.name, uc})
		}
		uc.merge(c.set)
	}
}

// String renders the set for tests and logs: {container:{image:* ports:*}};
// "*" is a whole value and "-" a nil set.
func (s *Set) String() string {
	switch {
	case s == nil:
		return "-"
	case s.whole:
		return "*"
	}
	out := "{"
	for i, c := range s.children {
		if i > 0 {
			out += " "
		}
		out += c.name + ":" + c.set.String()
	}
	return out + "}"
}

// Scope names what a rule's syntax may refer to besides its own
// declarations.
type Scope struct {
	// Inputs are the names of the request's inputs: references to them are
	// reads.
	Inputs map[string]bool
	// Top holds the nodes declared outside the rule's form (podc's schema,
	// the profiles and parameters): referring to them reads no input.
	Top map[ast.Node]bool
}

// Rule computes what a rule's form reads: body is a struct holding the
// inputs' declarations (`container: _`) and a rules struct with the one
// rule. It reports false when the reads cannot be told from the source:
// the body declares anything but the inputs and rules, or the rule refers
// to a declaration other than its own, the Scope's, imports and builtins
// (another rule, a helper), which could read the input out of sight.
func Rule(body *ast.StructLit, sc Scope) (*Set, bool) {
	var rulesDecls []ast.Node
	for _, d := range body.Elts {
		f, ok := d.(*ast.Field)
		if !ok {
			return nil, false
		}
		name, _, err := ast.LabelName(f.Label)
		if err != nil {
			return nil, false
		}
		switch {
		case name == "rules":
			rulesDecls = append(rulesDecls, f.Value)
		case sc.Inputs[name]:
			// An input's declaration (`container: _`): read by reference.
			if id, ok := f.Value.(*ast.Ident); !ok || id.Name != "_" {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	// The nodes declared inside the rules: references to them are local.
	// The rules struct itself is not: a reference to it reads other rules.
	local := map[ast.Node]bool{}
	for _, n := range rulesDecls {
		st, isStruct := n.(*ast.StructLit)
		if !isStruct {
			return nil, false
		}
		for _, e := range st.Elts {
			ast.Walk(e, func(n ast.Node) bool { local[n] = true; return true }, nil)
		}
	}
	return inputReads(rulesDecls, local, sc)
}

// Conds computes what the conditions of a rule's form read, for a body
// that Rule accepted. It reports false unless the body's rules declare
// exactly one rule whose every field is a list of comprehensions made of
// `if` and `for` clauses only. Then the rule produces nothing exactly when
// no iteration passes every condition, which depends only on the for
// clauses' sources and the input fields (and the Scope, builtins and
// imports) the conditions name; the conditions may name the for clauses'
// own variables. A condition that names anything else declared inside the
// rule (a let) is refused.
func Conds(body *ast.StructLit, sc Scope) (*Set, bool) {
	var rule *ast.StructLit
	for _, d := range body.Elts {
		f, ok := d.(*ast.Field)
		if !ok {
			return nil, false
		}
		if name, _, err := ast.LabelName(f.Label); err != nil || name != "rules" {
			continue
		}
		st, ok := f.Value.(*ast.StructLit)
		if !ok || rule != nil || len(st.Elts) != 1 {
			return nil, false
		}
		rf, ok := st.Elts[0].(*ast.Field)
		if !ok || rf.Constraint != token.ILLEGAL {
			return nil, false
		}
		if rule, ok = rf.Value.(*ast.StructLit); !ok {
			return nil, false
		}
	}
	if rule == nil {
		return nil, false
	}
	var conds []ast.Node
	vars := map[ast.Node]bool{}
	for _, d := range rule.Elts {
		f, ok := d.(*ast.Field)
		if !ok || f.Constraint != token.ILLEGAL {
			return nil, false
		}
		l, ok := f.Value.(*ast.ListLit)
		if !ok {
			return nil, false
		}
		for _, e := range l.Elts {
			c, ok := e.(*ast.Comprehension)
			if !ok || len(c.Clauses) == 0 {
				return nil, false
			}
			for _, cl := range c.Clauses {
				switch cl := cl.(type) {
				case *ast.IfClause:
					conds = append(conds, cl.Condition)
				case *ast.ForClause:
					conds = append(conds, cl.Source)
					vars[cl] = true
					for _, id := range []*ast.Ident{cl.Key, cl.Value} {
						if id != nil {
							vars[id] = true
						}
					}
				default:
					return nil, false
				}
			}
		}
	}
	return inputReads(conds, vars, sc)
}

// inputReads walks nodes and collects every input field they read. It
// reports false when a node names something whose reads cannot be told:
// the rules struct itself, or a declaration that is neither local, in the
// Scope, an import nor a builtin.
func inputReads(nodes []ast.Node, local map[ast.Node]bool, sc Scope) (*Set, bool) {
	rs := &Set{}
	ok := true
	visit := func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch x := n.(type) {
		case *ast.SelectorExpr:
			path, base := selectorChain(x)
			if id, isID := base.(*ast.Ident); isID && sc.Inputs[id.Name] {
				rs.Add(append([]string{id.Name}, path...)...)
				return false
			}
		case *ast.Ident:
			switch {
			case sc.Inputs[x.Name]:
				rs.Add(x.Name)
			case x.Name == "rules":
				ok = false
			case x.Node == nil || local[x.Node] || sc.Top[x.Node]:
			default:
				if _, imp := x.Node.(*ast.ImportSpec); !imp {
					ok = false
				}
			}
		}
		return ok
	}
	for _, n := range nodes {
		ast.Walk(n, visit, nil)
	}
	return rs, ok
}

// selectorChain splits a.b.c into [b c] and a. A selector that is not a
// plain name ends the chain there: what is left is read whole.
func selectorChain(x *ast.SelectorExpr) ([]string, ast.Expr) {
	var rev []string
	var e ast.Expr = x
	for {
		s, ok := e.(*ast.SelectorExpr)
		if !ok {
			break
		}
		name, _, err := ast.LabelName(s.Sel)
		if err != nil {
			rev = rev[:0]
		} else {
			rev = append(rev, name)
		}
		e = s.X
	}
	path := make([]string, len(rev))
	for i, n := range rev {
		path[len(rev)-1-i] = n
	}
	return path, e
}
