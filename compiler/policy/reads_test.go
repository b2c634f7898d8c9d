package policy

import (
	"os"
	"path/filepath"
	"testing"
)

func TestProject(t *testing.T) {
	src := []byte(`{"container":{"path":"containers[0]","image":"a:1","cpu":{"request":250,"limit":0},"ports":[{"path":"p","nodePort":1}],"sc":null,"s":"x\"}"},"pod":{"restartPolicy":"Always"},"params":{"nodePortMin":1}}`)
	rs := &readSet{}
	rs.add([]string{"container", "cpu", "request"})
	rs.add([]string{"container", "ports"})
	rs.add([]string{"container", "sc", "x"})
	rs.add([]string{"container", "s"})
	rs.add([]string{"pod"})
	rs.add([]string{"missing", "x"})
	want := `{"container":{"cpu":{"request":250},"ports":[{"path":"p","nodePort":1}],"sc":null,"s":"x\"}"},"pod":{"restartPolicy":"Always"}}`
	idx, ok := indexJSON(src)
	if !ok {
		t.Fatal("the input did not index")
	}
	if got := idx.project(nil, rs); string(got) != want {
		t.Errorf("project:\n got %s\nwant %s", got, want)
	}
	if got := idx.project(nil, &readSet{}); string(got) != "{}" {
		t.Errorf("empty read set: %s", got)
	}
	// The index is reused for the next input.
	if !idx.reset([]byte(`{"pod":{"restartPolicy":"Never"},"container":{"cpu":{"request":1}}}`)) {
		t.Fatal("the second input did not index")
	}
	if got, want := string(idx.project(nil, rs)), `{"pod":{"restartPolicy":"Never"},"container":{"cpu":{"request":1}}}`; got != want {
		t.Errorf("project after reset:\n got %s\nwant %s", got, want)
	}
	if _, ok := indexJSON([]byte(`{"a":`)); ok {
		t.Error("a truncated input indexed")
	}
}

// What each rule reads is found from its source. A bundle that declares
// helpers beside its rules has no read sets (the whole input keys each
// rule's cache), and a rule that reads another rule leaves the unit to its
// trimmed form.
func TestRuleReads(t *testing.T) {
	head := `package p
profiles: a: description: "a"
`
	plain := `rules: "a.plain": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d",
	violations: [if intent.labels["team"] == _|_ && intent.replicas > 1 {field: "x"}]}
`
	cases := []struct {
		src  string
		want map[string]string
	}{{
		src: head + plain + `rules: "a.local": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d", each: "container",
	let c = container.cpu
	violations: [for p in container.ports if c.request == 0 && p.nodePort > params.nodePortMax {field: p.path}]}
rules: "a.whole": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d", each: "container",
	violations: [if len(container) > 100 {field: "x"}]}
`,
		want: map[string]string{
			"a.plain": "{intent:{labels:* replicas:*}}",
			"a.local": "{container:{cpu:* ports:*} params:{nodePortMax:*}}",
			"a.whole": "{container:*}",
		},
	}, {
		src: head + plain + `_helper: intent.name
rules: "a.helper": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d",
	violations: [if _helper == "x" {field: "name"}]}
`,
		want: map[string]string{"a.plain": "-", "a.helper": "-"},
	}, {
		src: head + plain + `rules: "a.other": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d",
	violations: rules["a.plain"].violations}
`,
		want: map[string]string{"a.plain": "no form", "a.other": "no form"},
	}}
	for n, c := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "r.cue"), []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		pr := b.byProfile["a"]
		for id, w := range c.want {
			got := "no form"
			for _, u := range []*unit{pr.intentWhole, pr.intentEach} {
				for _, f := range u.forms {
					if b.rules[f.rule].ID == id {
						got = f.reads.text()
					}
				}
			}
			if got != w {
				t.Errorf("case %d: %s reads %s, want %s", n, id, got, w)
			}
		}
	}
}

func (r *readSet) text() string {
	switch {
	case r == nil:
		return "-"
	case r.whole:
		return "*"
	}
	s := "{"
	for i, c := range r.children {
		if i > 0 {
			s += " "
		}
		s += c.name + ":" + c.set.text()
	}
	return s + "}"
}

// What the conditions of a rule read is found for rules made only of `if`
// comprehensions; any other rule has none, and is keyed on its reads alone.
func TestRuleConds(t *testing.T) {
	src := `package p
profiles: a: description: "a"
parameters: max: 3
rules: "a.if": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d", each: "container",
	violations: [if !container.pinned if len(container.ports) < parameters.max {field: "\(container.path).image", message: container.image}]
	defaults: [if container.securityContext.runAsNonRoot == null {field: "\(container.path).x", value: true}]}
rules: "a.for": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d", each: "container",
	violations: [for p in container.ports if p.nodePort > 0 {field: p.path}]}
rules: "a.let": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d", each: "container",
	let c = container.cpu
	violations: [if c.request == 0 {field: "x"}]}
rules: "a.list": {profiles: ["a"], severity: "warn", stage: "intent", message: "m", description: "d",
	violations: [{field: "x"}]}
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.cue"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a.if":   "{container:{pinned:* ports:* securityContext:{runAsNonRoot:*}}}",
		"a.for":  "-",
		"a.let":  "-",
		"a.list": "-",
	}
	pr := b.byProfile["a"]
	for id, w := range want {
		got := "no form"
		for _, u := range []*unit{pr.intentWhole, pr.intentEach} {
			for _, f := range u.forms {
				if b.rules[f.rule].ID == id {
					got = f.conds.text()
					if (f.conds == nil) != (f.quiet == nil) {
						t.Errorf("%s: conds and quiet cache disagree", id)
					}
				}
			}
		}
		if got != w {
			t.Errorf("%s: conditions read %s, want %s", id, got, w)
		}
	}
}
