package reads

import (
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

var inputs = map[string]bool{"intent": true, "container": true, "pod": true, "params": true, "workload": true}

// form parses a file whose #F holds one rule's form and whose other
// declarations make up the Scope's Top.
func form(t *testing.T, src string) (*ast.StructLit, Scope) {
	t.Helper()
	f, err := parser.ParseFile("f.cue", "package p\n"+src)
	if err != nil {
		t.Fatal(err)
	}
	astutil.Resolve(f, func(token.Pos, string, ...any) {})
	sc := Scope{Inputs: inputs, Top: map[ast.Node]bool{}}
	var body *ast.StructLit
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.Field); ok {
			if name, _, _ := ast.LabelName(fd.Label); name == "#F" {
				body = fd.Value.(*ast.StructLit)
				continue
			}
		}
		ast.Walk(d, func(n ast.Node) bool { sc.Top[n] = true; return true }, nil)
	}
	return body, sc
}

func TestRule(t *testing.T) {
	cases := []struct{ name, src, reads, conds string }{{
		name:  "selectors and an index",
		src:   `#F: {intent: _, rules: x: violations: [if intent.labels["team"] == _|_ && intent.replicas > 1 {field: "x"}]}`,
		reads: "{intent:{labels:* replicas:*}}",
		conds: "{intent:{labels:* replicas:*}}",
	}, {
		name:  "a let and a for",
		src:   `#F: {container: _, params: _, rules: x: {let c = container.cpu, violations: [for p in container.ports if c.request == 0 && p.nodePort > params.nodePortMax {field: p.path}]}}`,
		reads: "{container:{cpu:* ports:*} params:{nodePortMax:*}}",
		conds: "-",
	}, {
		name:  "a for over an input list",
		src:   `#F: {container: _, workload: _, rules: x: violations: [for i, cap in container.sc.add if cap != "NET_BIND_SERVICE" {field: "\(container.path)[\(i)]", manifestField: "\(workload.ref): x"}]}`,
		reads: "{container:{sc:{add:*} path:*} workload:{ref:*}}",
		conds: "{container:{sc:{add:*}}}",
	}, {
		name:  "an input read whole",
		src:   `#F: {container: _, rules: x: violations: [if len(container) > 100 {field: "x"}]}`,
		reads: "{container:*}",
		conds: "{container:*}",
	}, {
		name:  "parameters outside the form",
		src:   "parameters: max: 3\n" + `#F: {container: _, rules: x: {violations: [if !container.pinned if len(container.ports) < parameters.max {field: "\(container.path).image", message: container.image}], defaults: [if container.sc.runAsNonRoot == null {field: "\(container.path).x", value: true}]}}`,
		reads: "{container:{pinned:* ports:* path:* image:* sc:{runAsNonRoot:*}}}",
		conds: "{container:{pinned:* ports:* sc:{runAsNonRoot:*}}}",
	}, {
		name:  "a list that is not a comprehension",
		src:   `#F: {intent: _, rules: x: violations: [{field: intent.name}]}`,
		reads: "{intent:{name:*}}",
		conds: "-",
	}, {
		name:  "a helper in the form",
		src:   `#F: {intent: _, helper: intent.name, rules: x: violations: [if helper == "a" {field: "x"}]}`,
		reads: "-",
		conds: "-",
	}, {
		name:  "another rule",
		src:   `#F: {intent: _, rules: x: violations: [if len(rules.y.violations) > 0 {field: "x"}]}`,
		reads: "-",
		conds: "-",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, sc := form(t, c.src)
			rs, ok := Rule(body, sc)
			got := "-"
			if ok {
				got = rs.String()
			}
			if got != c.reads {
				t.Errorf("reads %s, want %s", got, c.reads)
			}
			if !ok {
				return
			}
			cs, ok := Conds(body, sc)
			got = "-"
			if ok {
				got = cs.String()
			}
			if got != c.conds {
				t.Errorf("conditions read %s, want %s", got, c.conds)
			}
		})
	}
}

// Union reads what any of its sets reads: paths merge, a whole value
// takes in what lies below it, and a set whose reads are unknown makes
// the union unknown. The sets given are not changed.
func TestUnion(t *testing.T) {
	set := func(paths ...[]string) *Set {
		s := &Set{}
		for _, p := range paths {
			s.Add(p...)
		}
		return s
	}
	a := set([]string{"container", "image"}, []string{"params", "profile"})
	b := set([]string{"container", "securityContext", "privileged"}, []string{"container", "image"})
	c := set([]string{"params"})
	for _, tc := range []struct {
		sets []*Set
		want string
	}{
		{nil, "{}"},
		{[]*Set{a}, "{container:{image:*} params:{profile:*}}"},
		{[]*Set{a, b}, "{container:{image:* securityContext:{privileged:*}} params:{profile:*}}"},
		{[]*Set{a, c}, "{container:{image:*} params:*}"},
		{[]*Set{c, a}, "{params:* container:{image:*}}"},
		{[]*Set{a, set([]string{})}, "*"},
		{[]*Set{a, nil}, "-"},
	} {
		if got := Union(tc.sets...).String(); got != tc.want {
			t.Errorf("Union(%v) = %s, want %s", tc.sets, got, tc.want)
		}
	}
	if a.String() != "{container:{image:*} params:{profile:*}}" || c.String() != "{params:*}" {
		t.Errorf("Union changed its sets: %s, %s", a, c)
	}
}

func TestSetReads(t *testing.T) {
	s := &Set{}
	s.Add("intent", "labels")
	s.Add("intent", "securityContext", "sysctls")
	s.Add("params")
	for _, tc := range []struct {
		path []string
		want bool
	}{
		{[]string{"intent"}, true},
		{[]string{"intent", "labels"}, true},
		{[]string{"intent", "labels", "team"}, true},
		{[]string{"intent", "securityContext"}, true},
		{[]string{"intent", "containers"}, false},
		{[]string{"params", "profile"}, true},
		{[]string{"pod"}, false},
		{nil, true},
	} {
		if got := s.Reads(tc.path...); got != tc.want {
			t.Errorf("Reads(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
	if (&Set{}).Reads("x") {
		t.Error("the empty set reads x")
	}
}
