package policy

import (
	_ "embed"
)

// preludeName is the file name CUE errors give the prelude.
const preludeName = "podc-prelude.cue"

// prelude is podc's schema for bundles: the inputs (intent, manifests,
// params) and the rule convention. It is added to every bundle, in the
// bundle's package.
//
//go:embed prelude.cue
var prelude string

func preludeSource(pkg string) []byte {
	return []byte("package " + pkg + "\n\n" + prelude)
}
