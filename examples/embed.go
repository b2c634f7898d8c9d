// Package examples holds the example intents: the documents the README
// and the tests use, and the smoke set every policy bundle is evaluated on
// before it serves. It holds data, no logic.
package examples

import (
	"embed"
	"io/fs"
)

//go:embed *.json
var files embed.FS

// FS returns the example intents, one *.json file each.
func FS() fs.FS { return files }
