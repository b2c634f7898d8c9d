package policy

import (
	_ "embed"
	"strings"
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

// evalPreludeSource is the prelude of the evaluation form: the inputs,
// which go inside #Bundle, and the schema definitions, which stay outside it
// so they are evaluated once, not on every request.
func evalPreludeSource(pkg string) (inputs, defs []byte) {
	if !strings.Contains(prelude, preludeInputs) {
		panic("policy: prelude.cue lost its inputs block")
	}
	return []byte("package " + pkg + "\n\n" + evalInputs),
		[]byte("package " + pkg + "\n\n" + strings.Replace(prelude, preludeInputs, "", 1))
}
