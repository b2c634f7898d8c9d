package policy

import (
	_ "embed"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
)

// preludeName is the file name CUE errors give the prelude.
const preludeName = "podc-prelude.cue"

// prelude is podc's schema for bundles: the inputs (intent, manifests,
// params) and the rule convention. It is added to every bundle, in the
// bundle's package.
//
//go:embed prelude.cue
var prelude string

// preludeInputs is the block of prelude.cue that constrains the inputs and
// the rules. The evaluation form of a bundle leaves it out: the metadata is
// checked once at load, and the inputs are built by podc to fit the schema,
// so checking them again on every request would only cost time.
const preludeInputs = `intent:     #Intent
manifests:  #Manifests
params:     #Params
container:  _
pod:        #Pod
workload:   #WorkloadRef
parameters: {...}
profiles: [Name=string]: #Profile
rules: [ID=string]: #Rule & {id: ID}
`

const evalInputs = `intent:     _
manifests:  _
params:     _
container:  _
pod:        _
workload:   _
parameters: {...}
`

func preludeSource(pkg string) []byte {
	return []byte("package " + pkg + "\n\n" + prelude)
}

// evalPrelude is the prelude of the evaluation files, made from pre, the
// parsed prelude: the inputs (evalInputs), which go inside each form, and
// the schema definitions, pre without its inputs block (preludeInputs),
// which stay outside the forms so they are evaluated once, not on every
// request. The definitions share pre's syntax, which wrapForms copies.
func evalPrelude(pkg string, pre *ast.File) (inputs, defs *ast.File, err error) {
	if !strings.Contains(prelude, preludeInputs) {
		panic("policy: prelude.cue lost its inputs block")
	}
	block, err := parser.ParseFile(preludeName, preludeInputs)
	if err != nil {
		return nil, nil, err
	}
	dropped := map[string]bool{}
	for _, d := range block.Decls {
		if f, ok := d.(*ast.Field); ok {
			if name, _, err := ast.LabelName(f.Label); err == nil {
				dropped[name] = true
			}
		}
	}
	defs = &ast.File{Filename: pre.Filename}
	for _, d := range pre.Decls {
		if f, ok := d.(*ast.Field); ok {
			if name, _, err := ast.LabelName(f.Label); err == nil && dropped[name] {
				delete(dropped, name)
				continue
			}
		}
		defs.Decls = append(defs.Decls, d)
	}
	if len(dropped) > 0 {
		panic("policy: prelude.cue's inputs block is not made of top-level fields")
	}
	inputs, err = parser.ParseFile(preludeName, "package "+pkg+"\n\n"+evalInputs)
	return inputs, defs, err
}
