// Package policies is podc's default policy bundle: the CUE files in this
// directory, embedded in the binary, and their test cases in tests/. It holds
// data, no logic; compiler/policy loads it.
package policies

import (
	"embed"
	"io/fs"
)

//go:embed *.cue tests
var files embed.FS

// FS returns the bundle's files: *.cue at the root and the test cases under
// tests/.
func FS() fs.FS { return files }
