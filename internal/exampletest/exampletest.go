// Package exampletest gives tests the example intents of package
// examples, decoded.
package exampletest

import (
	"io/fs"
	"testing"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/examples"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Intent returns the example intent in the file name ("checkout.json"),
// decoded as podc compile decodes it. It fails tb when the example is
// missing or does not decode.
func Intent(tb testing.TB, name string) *podcv1.WorkloadIntent {
	tb.Helper()
	data, err := fs.ReadFile(examples.FS(), name)
	if err != nil {
		tb.Fatal(err)
	}
	wi, err := intent.Decode(data)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return wi
}
