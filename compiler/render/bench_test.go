package render_test

import (
	"os"
	"testing"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
)

// BenchmarkObjects renders the compiled examples/checkout.json: a
// Deployment and two Services.
func BenchmarkObjects(b *testing.B) {
	data, err := os.ReadFile("../../examples/checkout.json")
	if err != nil {
		b.Fatal(err)
	}
	wi, err := intent.Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	out, err := compile.Workload(wi, compile.Options{Target: target.Default})
	if err != nil {
		b.Fatal(err)
	}
	objs := out.Objects()
	for _, f := range []struct {
		name string
		f    render.Format
	}{{"yaml", render.YAML}, {"json", render.JSON}} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := render.Objects(objs, f.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
