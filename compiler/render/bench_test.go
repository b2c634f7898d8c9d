package render_test

import (
	"testing"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
	"github.com/podc-dev/podc/internal/exampletest"
)

// BenchmarkObjects renders the compiled examples/checkout.json: a
// Deployment and two Services.
func BenchmarkObjects(b *testing.B) {
	wi := exampletest.Intent(b, "checkout.json")
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
