// Package source reads a policy bundle's CUE files and builds, from their
// syntax, the evaluation files its rules are compiled from: the syntax
// half of the policy engine, which needs CUE and nothing of Kubernetes.
// Package policy keeps everything else (the rules' metadata, the
// generations, evaluation).
//
// A Head (head.go) runs this half for the embedded bundle ahead of time, on
// a spare processor, while a podc process is still starting.
package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/parser"
)

// Files are a bundle's files and podc's prelude, parsed: what a
// generation is compiled from. They are parsed once and never changed
// after (Wrap copies what it uses), so one Files serves every goroutine.
type Files struct {
	// Digest is "sha256:" and the hex digest of the bundle's files: each
	// one's name, length and bytes, in name order.
	Digest string
	// Pkg is the files' package.
	Pkg string
	// Bundle are the bundle's own files, in name order.
	Bundle []*ast.File
	// Prelude is the prelude as parsed in the bundle's package, with its
	// inputs block: what the bundle is checked against.
	Prelude *ast.File
	// Syntax holds, by file name, what an evaluation file is made from:
	// the bundle's files, the evaluation prelude's inputs (PreludeName)
	// and its schema (SchemaName).
	Syntax map[string]*ast.File
	// Order is the order of Syntax's files in an evaluation file.
	Order []string
	// Outside names the files whose declarations stay outside the forms,
	// at the evaluation file's top level: the schema.
	Outside map[string]bool
}

// Read reads and parses the *.cue files at the root of fsys and the
// prelude in their package. problems are the bundle's (a file that does
// not parse, or of another package), each starting with file:line:col,
// all of them at once; err is a fault of podc's prelude.
func Read(fsys fs.FS) (files *Files, problems []string, err error) {
	names, data, digest, problems := readAll(fsys)
	if len(problems) > 0 {
		return nil, problems, nil
	}
	src := &Files{Digest: digest, Syntax: map[string]*ast.File{}, Outside: map[string]bool{}}
	for i, name := range names {
		f, err := parser.ParseFile(name, data[i])
		if err != nil {
			problems = append(problems, Problems(err)...)
			continue
		}
		src.Syntax[name] = f
		src.Order = append(src.Order, name)
		p := f.PackageName()
		switch {
		case p == "":
			problems = append(problems, name+":1:1: a package clause is required")
			continue
		case src.Pkg == "":
			src.Pkg = p
		case p != src.Pkg:
			problems = append(problems, fmt.Sprintf("%s: package %s, but the bundle's other files are package %s", name, p, src.Pkg))
			continue
		}
		src.Bundle = append(src.Bundle, f)
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	if src.Prelude, err = parser.ParseFile(PreludeName, PreludeSource(src.Pkg)); err != nil {
		return nil, nil, fmt.Errorf("policy prelude: %w", err)
	}
	inputs, defs, err := evalPrelude(src.Pkg, src.Prelude)
	if err != nil {
		return nil, nil, fmt.Errorf("policy prelude: %w", err)
	}
	src.Syntax[PreludeName], src.Syntax[SchemaName] = inputs, defs
	src.Order = append(src.Order, PreludeName, SchemaName)
	src.Outside[SchemaName] = true
	return src, nil, nil
}

// Digest is the digest Read gives the files of fsys (Files.Digest),
// without parsing them; problems are those of reading them.
func Digest(fsys fs.FS) (digest string, problems []string) {
	_, _, digest, problems = readAll(fsys)
	return digest, problems
}

// readAll reads the *.cue files at the root of fsys, in name order, and
// digests them.
func readAll(fsys fs.FS) (names []string, data [][]byte, digest string, problems []string) {
	names, err := fs.Glob(fsys, "*.cue")
	if err != nil {
		return nil, nil, "", []string{err.Error()}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, nil, "", []string{"no .cue files"}
	}
	h := sha256.New()
	data = make([][]byte, len(names))
	for i, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
		data[i] = b
	}
	return names, data, "sha256:" + hex.EncodeToString(h.Sum(nil)), problems
}

// Compile compiles an evaluation file made by Wrap, of package pkg, into
// ctx.
func Compile(ctx *cue.Context, pkg string, wf *ast.File) (cue.Value, error) {
	inst := build.NewContext().NewInstance("", nil)
	inst.PkgName = pkg
	if err := inst.AddSyntax(wf); err != nil {
		return cue.Value{}, err
	}
	v := ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		return cue.Value{}, err
	}
	return v, nil
}
