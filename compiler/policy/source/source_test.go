package source

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"cuelang.org/go/cue"
)

func mapFS(files ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i < len(files); i += 2 {
		m[files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	return m
}

// Read parses every file and the prelude in the bundle's package, and
// gives every problem of the files at once, each with its file:line.
func TestRead(t *testing.T) {
	fsys := mapFS("b.cue", "package p\nrules: {}\n", "a.cue", "package p\nprofiles: {}\n", "sub/c.cue", "package q\n")
	f, problems, err := Read(fsys)
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	if f.Pkg != "p" || len(f.Bundle) != 2 || f.Bundle[0].Filename != "a.cue" {
		t.Errorf("read package %q, files %d, first %s", f.Pkg, len(f.Bundle), f.Bundle[0].Filename)
	}
	if want := []string{"a.cue", "b.cue", PreludeName, SchemaName}; !slices.Equal(f.Order, want) {
		t.Errorf("order %q, want %q", f.Order, want)
	}
	if !f.Outside[SchemaName] || f.Outside["a.cue"] {
		t.Errorf("outside %v", f.Outside)
	}
	if f.Prelude.PackageName() != "p" {
		t.Errorf("the prelude is package %q", f.Prelude.PackageName())
	}
	if d, _ := Digest(fsys); d != f.Digest || !strings.HasPrefix(d, "sha256:") {
		t.Errorf("Digest %s, Read's %s", d, f.Digest)
	}
	fsys["b.cue"].Data = []byte("package p\nrules: {} \n")
	if d, _ := Digest(fsys); d == f.Digest {
		t.Error("a byte more digests alike")
	}

	for name, c := range map[string]struct {
		fsys fstest.MapFS
		want []string
	}{
		"no files": {mapFS("sub/a.cue", "package p\n"), []string{"no .cue files"}},
		"syntax":   {mapFS("a.cue", "package p\nx: {\n", "b.cue", "package p\ny: ]\n"), []string{"a.cue:", "b.cue:2:"}},
		"packages": {mapFS("a.cue", "package p\n", "b.cue", "package q\n", "c.cue", "x: 1\n"),
			[]string{"b.cue: package q, but the bundle's other files are package p", "c.cue:1:1: a package clause is required"}},
	} {
		_, problems, err := Read(c.fsys)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if len(problems) != len(c.want) {
			t.Errorf("%s: problems %q, want %d", name, problems, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.HasPrefix(problems[i], w) {
				t.Errorf("%s: problem %q, want it to start %q", name, problems[i], w)
			}
		}
	}
}

// A head start parses the files and compiles the profile's forms as Wrap
// and Compile would; it gives its files only for their digest, and its
// scope only for the profile, forms and rules it was made with, once.
func TestHead(t *testing.T) {
	fsys := mapFS("a.cue", `package p
parameters: max: 3
rules: "p.small": {violations: [if len(intent.name) > parameters.max {field: "name"}]}
rules: "p.other": {violations: []}
`)
	files, _, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	forms := []Form{{Name: "#F0", Rule: "p.small", Drop: []string{"defaults"}}}
	plan := &Plan{Digest: files.Digest, Rules: []string{"p.other", "p.small"}, Profiles: map[string][]Form{"a": forms}}

	h := Start(fsys, plan, "a")
	if h.Files("sha256:other") != nil {
		t.Error("the files were given for another digest")
	}
	if got := h.Files(files.Digest); got == nil || got.Digest != files.Digest {
		t.Fatal("the files were not given for their digest")
	}
	if _, ok := h.Scope("b", forms, plan.Rules); ok {
		t.Error("the scope was given for another profile")
	}
	if _, ok := h.Scope("a", []Form{{Name: "#F0", Rule: "p.other"}}, plan.Rules); ok {
		t.Error("the scope was given for other forms")
	}
	if _, ok := h.Scope("a", forms, []string{"p.small"}); ok {
		t.Error("the scope was given for other rules")
	}
	s, ok := h.Scope("a", forms, plan.Rules)
	if !ok {
		t.Fatal("the scope was not given")
	}
	if _, again := h.Scope("a", forms, plan.Rules); again {
		t.Error("the scope was given twice")
	}
	// The form keeps its rule, trimmed, and not the other.
	in := s.Ctx.CompileString(`(#F0 & {intent: name: "long"}).rules`, cueScope(s))
	v := in.LookupPath(cuePath(`"p.small".violations`))
	if n, err := v.Len().Int64(); err != nil || n != 1 {
		t.Errorf("the compiled form finds %d violations (%v), want 1", n, err)
	}
	if in.LookupPath(cuePath(`"p.other"`)).Exists() {
		t.Error("the form kept another rule")
	}

	// Planned for other files: it parses them but gives them to no one,
	// and compiles nothing.
	other := Start(mapFS("a.cue", "package p\nrules: {}\n"), plan, "a")
	if other.Files(files.Digest) != nil {
		t.Error("files of another bundle were given")
	}
	if _, ok := other.Scope("a", forms, plan.Rules); ok {
		t.Error("a scope was compiled from another bundle's files")
	}
}

func cueScope(s Scope) cue.BuildOption { return cue.Scope(s.Value) }

func cuePath(p string) cue.Path { return cue.ParsePath(p) }
