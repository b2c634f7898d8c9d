package policy

import (
	"io/fs"
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"

	"github.com/podc-dev/podc/policies"
)

// A copy prints as its original, shares no node with it but its comments
// (which nothing writes to) and leaves its identifiers unresolved, while
// the original keeps its resolution.
func TestCloneDeclCopiesEveryNode(t *testing.T) {
	f, err := parser.ParseFile("a.cue", `package p

import "list"

// A helper.
#Helper: {x: int, y: x + 1}
rules: "a.r": {
	let n = intent.name
	violations: [for c in intent.containers if !list.Contains(["a"], c.name) && n != "" {
		field: "\(c.path).name" @attr(x)
	}]
	[string]: _
}
`, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	decls := f.Decls[1:]
	sample := len(decls)
	// And every declaration of the embedded bundle and the prelude.
	names, err := fs.Glob(policies.FS(), "*.cue")
	if err != nil {
		t.Fatal(err)
	}
	srcs := map[string][]byte{"prelude.cue": preludeSource("policies")}
	for _, name := range names {
		if srcs[name], err = fs.ReadFile(policies.FS(), name); err != nil {
			t.Fatal(err)
		}
	}
	for name, src := range srcs {
		f, err := parser.ParseFile(name, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		decls = append(decls, f.Decls[1:]...)
	}
	for i, d := range decls {
		c := cloneDecl(d)
		want, err := format.Node(d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := format.Node(c)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("the copy prints\n%s\nthe original\n%s", got, want)
		}
		orig := map[ast.Node]bool{}
		resolved := 0
		ast.Walk(d, func(n ast.Node) bool {
			orig[n] = true
			if id, ok := n.(*ast.Ident); ok && id.Node != nil {
				resolved++
			}
			return true
		}, nil)
		nodes := 0
		ast.Walk(c, func(n ast.Node) bool {
			nodes++
			switch n.(type) {
			case *ast.CommentGroup, *ast.Comment:
				return true
			}
			if orig[n] {
				t.Errorf("the copy shares %T %v with the original", n, n)
			}
			if id, ok := n.(*ast.Ident); ok && (id.Node != nil || id.Scope != nil) {
				t.Errorf("the copy's %s is resolved", id.Name)
			}
			return true
		}, nil)
		if nodes != len(orig) {
			t.Errorf("the copy has %d nodes, the original %d", nodes, len(orig))
		}
		if _, isField := d.(*ast.Field); isField && i < sample && resolved == 0 {
			t.Errorf("%.200s: the original lost its resolution", want)
		}
	}
}
