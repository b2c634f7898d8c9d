package render_test

import (
	"bytes"
	"io/fs"
	"strconv"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/randintent"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
	"github.com/podc-dev/podc/compiler/validate"
	"github.com/podc-dev/podc/examples"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/exampletest"
)

// TestWalkRendersAsEncodingJSON: every object compiled from every example
// and from 300 random intents, as compiled and with the apiserver's
// defaults, is walked directly and renders byte for byte as through
// encoding/json and the tree parser, in both formats.
func TestWalkRendersAsEncodingJSON(t *testing.T) {
	var intents []*podcv1.WorkloadIntent
	var names []string
	files, err := fs.Glob(examples.FS(), "*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v, %d files", err, len(files))
	}
	for _, f := range files {
		intents = append(intents, exampletest.Intent(t, f))
		names = append(names, f)
	}
	for i := range 300 {
		intents = append(intents, randintent.New(int64(i)).Next())
		names = append(names, "random intent "+strconv.Itoa(i))
	}
	compiled := 0
	for i, wi := range intents {
		out, err := compile.Workload(wi, compile.Options{Target: target.Default})
		if err != nil {
			continue // refused intents render nothing
		}
		compiled++
		objs := out.Objects()
		for _, set := range []struct {
			what string
			objs []runtime.Object
		}{{"compiled", objs}, {"defaulted", validate.Defaulted(objs)}} {
			walked, err := render.Walked(set.objs)
			if err != nil {
				t.Fatalf("%s, %s: %v", names[i], set.what, err)
			}
			if !walked {
				t.Errorf("%s, %s: an object is left to encoding/json", names[i], set.what)
			}
			for _, f := range []render.Format{render.YAML, render.JSON} {
				got, err := render.Objects(set.objs, f)
				if err != nil {
					t.Fatalf("%s, %s: %v", names[i], set.what, err)
				}
				want, err := render.ViaJSON(set.objs, f)
				if err != nil {
					t.Fatalf("%s, %s: %v", names[i], set.what, err)
				}
				for j := range want {
					if !bytes.Equal(got[j].Content, want[j]) {
						t.Errorf("%s, %s, format %d, %s: walked\n%s\nthrough encoding/json\n%s", names[i], set.what, f, got[j].Kind, got[j].Content, want[j])
					}
				}
			}
		}
	}
	t.Logf("%d of %d intents compiled", compiled, len(intents))
	if compiled < len(files)+200 {
		t.Errorf("only %d of %d intents compiled", compiled, len(intents))
	}
}
