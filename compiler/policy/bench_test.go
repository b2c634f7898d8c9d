package policy_test

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func loadExample(tb testing.TB, name string) *podcv1.WorkloadIntent {
	tb.Helper()
	data, err := os.ReadFile("../../examples/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	wi, err := intent.Decode(data)
	if err != nil {
		tb.Fatal(err)
	}
	return wi
}

// evaluateBoth runs both policy stages as the engine does: intent rules,
// compile, manifest rules.
func evaluateBoth(tb testing.TB, b *policy.Bundle, wi *podcv1.WorkloadIntent, p policy.Params) {
	ir, err := b.EvaluateIntent(wi, p)
	if err != nil {
		tb.Fatal(err)
	}
	objs := compileObjects(tb, ir.Intent)
	if _, err := b.EvaluateManifests(objs, ir.Intent, p); err != nil {
		tb.Fatal(err)
	}
}

func compileObjects(tb testing.TB, wi *podcv1.WorkloadIntent) []runtime.Object {
	out, err := compile.Workload(wi, compile.Options{Target: target.Default})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Objects()
}

// freshTag numbers the image tags of fresh benchmark intents across runs
// (-count), so none is ever evaluated twice.
var freshTag atomic.Int64

// BenchmarkEvaluate measures both policy stages on examples/checkout.json.
// "fresh" changes the app image's tag every iteration so neither stage's
// cache hits (the timer covers only the two evaluations: the intent is
// compiled for the manifest stage outside it); "cached" evaluates the same
// intent and manifests every time.
func BenchmarkEvaluate(b *testing.B) {
	bundle, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	base := loadExample(b, "checkout.json")
	for _, profile := range []string{"baseline", "restricted"} {
		p := policy.Params{Profile: profile}
		b.Run(profile+"/fresh", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				wi := clone(base)
				wi.Containers[0].Image = fmt.Sprintf("registry.example.com/shop/checkout:1.4.%d", freshTag.Add(1))
				ir, err := bundle.EvaluateIntent(wi, p)
				if err != nil {
					b.Fatal(err)
				}
				objs := compileObjects(b, ir.Intent)
				wi.Containers[0].Image += "x" // a new intent for the timed run
				b.StartTimer()
				ir, err = bundle.EvaluateIntent(wi, p)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				objs = compileObjects(b, ir.Intent)
				b.StartTimer()
				if _, err := bundle.EvaluateManifests(objs, ir.Intent, p); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(profile+"/cached", func(b *testing.B) {
			b.ReportAllocs()
			ir, err := bundle.EvaluateIntent(base, p)
			if err != nil {
				b.Fatal(err)
			}
			objs := compileObjects(b, ir.Intent)
			for b.Loop() {
				ir, err := bundle.EvaluateIntent(base, p)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := bundle.EvaluateManifests(objs, ir.Intent, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
