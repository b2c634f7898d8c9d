package compile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestExamplesHaveGoldenCases requires, for each examples/NAME.json, a golden
// case testdata/golden/example-NAME.txtar whose intent.json is the example,
// byte for byte, so the examples the README shows are the ones tested.
func TestExamplesHaveGoldenCases(t *testing.T) {
	examples, err := filepath.Glob("../../examples/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) == 0 {
		t.Fatal("no examples found in ../../examples")
	}
	for _, ex := range examples {
		name := strings.TrimSuffix(filepath.Base(ex), ".json")
		want, err := os.ReadFile(ex)
		if err != nil {
			t.Fatal(err)
		}
		ar, err := txtar.ParseFile(filepath.Join("testdata/golden", "example-"+name+".txtar"))
		if err != nil {
			t.Errorf("%s: no golden case: %v", ex, err)
			continue
		}
		found := false
		for _, f := range ar.Files {
			if f.Name == "intent.json" {
				found = true
				if !bytes.Equal(f.Data, want) {
					t.Errorf("%s: the golden case's intent.json differs from the example", ex)
				}
			}
		}
		if !found {
			t.Errorf("%s: the golden case has no intent.json", ex)
		}
	}
}
