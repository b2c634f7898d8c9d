package compile_test

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	"github.com/podc-dev/podc/compiler/validate"
)

// TestGoldenPassesAPIServerValidation: every golden case that compiles
// gives objects the kube-apiserver of its target accepts. intent.Check is
// the first line; this holds it to the promise that what passes it is valid.
func TestGoldenPassesAPIServerValidation(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.txtar")
	n := 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		in := map[string][]byte{}
		for _, f := range ar.Files {
			in[f.Name] = f.Data
		}
		if _, ok := in["manifests.yaml"]; !ok {
			continue
		}
		data, ok := in["intent.json"]
		if !ok {
			data = in["intent.yaml"]
		}
		tv, err := target.Parse(strings.TrimSpace(string(in["target"])))
		if err != nil {
			t.Fatal(err)
		}
		np := intent.DefaultNodePorts
		if s, ok := in["nodeports"]; ok {
			np = intent.PortRange{}
			lo, hi, _ := strings.Cut(strings.TrimSpace(string(s)), "-")
			var a, b int
			for _, c := range lo {
				a = a*10 + int(c-'0')
			}
			for _, c := range hi {
				b = b*10 + int(c-'0')
			}
			np = intent.PortRange{Min: int32(a), Max: int32(b)}
		}
		wi, err := intent.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		out, err := compile.Workload(wi, compile.Options{Target: tv})
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, f := range validate.Objects(out.Objects(), validate.Options{Target: tv, NodePorts: np, Sources: out.Sources}) {
			t.Errorf("%s: %s", filepath.Base(file), f)
		}
	}
	if n == 0 {
		t.Fatal("no compiled golden cases")
	}
}
