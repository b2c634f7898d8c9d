package validate

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/target"
)

// Each benchmark validates one object per iteration: defaulting on a deep
// copy, conversion, create validation and the target's extra rules.

func BenchmarkObjectsPod(b *testing.B) {
	benchObject(b, testPod())
}

func BenchmarkObjectsDeployment(b *testing.B) {
	benchObject(b, testDeployment())
}

func BenchmarkObjectsService(b *testing.B) {
	benchObject(b, testNodeService())
}

func BenchmarkDefaultedPod(b *testing.B) {
	objs := []runtime.Object{testPod()}
	for b.Loop() {
		Defaulted(objs)
	}
}

func benchObject(b *testing.B, obj runtime.Object) {
	objs := []runtime.Object{obj}
	o := Options{Target: target.Default}
	if fs := Objects(objs, o); len(fs) != 0 {
		b.Fatalf("fixture invalid: %v", fs)
	}
	b.ReportAllocs()
	for b.Loop() {
		Objects(objs, o)
	}
}
