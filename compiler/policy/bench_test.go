package policy_test

import (
	"context"
	"fmt"
	goruntime "runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/exampletest"
	"github.com/podc-dev/podc/policies"
)

// evaluateBoth runs both policy stages as the engine does: intent rules,
// compile, manifest rules.
func evaluateBoth(tb testing.TB, b *policy.Bundle, wi *podcv1.WorkloadIntent, p policy.Params) {
	ir, err := b.EvaluateIntent(context.Background(), wi, p)
	if err != nil {
		tb.Fatal(err)
	}
	objs, src := compileObjects(tb, ir.Intent)
	if _, err := b.EvaluateManifests(context.Background(), objs, src, p); err != nil {
		tb.Fatal(err)
	}
}

// compileObjects compiles wi: its objects and the record of their fields'
// sources.
func compileObjects(tb testing.TB, wi *podcv1.WorkloadIntent) ([]runtime.Object, *provenance.Record) {
	out, err := compile.Workload(wi, compile.Options{Target: target.Default})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Objects(), out.Sources
}

// freshTag numbers the image tags of fresh benchmark intents across runs
// (-count), so none is ever evaluated twice.
var freshTag atomic.Int64

// BenchmarkEvaluate measures both policy stages on examples/checkout.json
// (four containers: app, sidecar, two init steps).
//
//   - fresh-label changes the team label: a new intent whose containers
//     were all seen before (pod-level rules evaluate, per-container outcomes
//     come from the cache);
//   - fresh-tag changes the app image's tag: one new container;
//   - fresh-all changes every container's image tag: nothing is cached;
//   - cached evaluates the same intent and manifests every time.
//
// In the fresh runs the inputs are prepared before the timer starts: the
// timer covers only the two evaluations.
func BenchmarkEvaluate(b *testing.B) {
	bundle, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	base := exampletest.Intent(b, "checkout.json")
	fresh := map[string]func(wi *podcv1.WorkloadIntent, n int64){
		"fresh-label": func(wi *podcv1.WorkloadIntent, n int64) {
			wi.Labels["team"] = fmt.Sprintf("payments-%d", n)
		},
		"fresh-tag": func(wi *podcv1.WorkloadIntent, n int64) {
			wi.Containers[0].Image = fmt.Sprintf("registry.example.com/shop/checkout:1.4.%d", n)
		},
		"fresh-all": func(wi *podcv1.WorkloadIntent, n int64) {
			for _, c := range slices.Concat(wi.Containers, wi.Sidecars, wi.InitSteps) {
				c.Image = fmt.Sprintf("%s-%d", c.Image, n)
			}
		},
	}
	// A second instance of the bundle prepares the inputs (the defaulted
	// intent and its compiled objects), so the measured bundle's caches
	// stay cold. The mutations touch no field a default depends on, so the
	// defaulted intent of a mutated intent is the mutated defaulted intent:
	// the bundle evaluates once here, and no untimed evaluation leaves
	// garbage for the timed loop.
	prep, err := policy.Load(policies.FS(), policy.SourceEmbedded, policy.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, profile := range []string{"baseline", "restricted"} {
		p := policy.Params{Profile: profile}
		ir, err := prep.EvaluateIntent(context.Background(), base, p)
		if err != nil {
			b.Fatal(err)
		}
		defaulted := ir.Intent
		for _, name := range []string{"fresh-label", "fresh-tag", "fresh-all"} {
			mutate := fresh[name]
			b.Run(profile+"/"+name, func(b *testing.B) {
				intents := make([]*podcv1.WorkloadIntent, b.N)
				objs := make([][]runtime.Object, b.N)
				srcs := make([]*provenance.Record, b.N)
				for i := range b.N {
					n := freshTag.Add(1)
					intents[i] = clone(base)
					mutate(intents[i], n)
					d := clone(defaulted)
					mutate(d, n)
					objs[i], srcs[i] = compileObjects(b, d)
				}
				lat := make([]time.Duration, b.N)
				goruntime.GC()
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					start := time.Now()
					if _, err := bundle.EvaluateIntent(context.Background(), intents[i], p); err != nil {
						b.Fatal(err)
					}
					if _, err := bundle.EvaluateManifests(context.Background(), objs[i], srcs[i], p); err != nil {
						b.Fatal(err)
					}
					lat[i] = time.Since(start)
				}
				b.StopTimer()
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds()), "p90-µs")
			})
		}
		b.Run(profile+"/cached", func(b *testing.B) {
			b.ReportAllocs()
			ir, err := bundle.EvaluateIntent(context.Background(), base, p)
			if err != nil {
				b.Fatal(err)
			}
			objs, src := compileObjects(b, ir.Intent)
			for b.Loop() {
				if _, err := bundle.EvaluateIntent(context.Background(), base, p); err != nil {
					b.Fatal(err)
				}
				if _, err := bundle.EvaluateManifests(context.Background(), objs, src, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
