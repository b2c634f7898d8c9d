// Package compile turns a checked, policy-approved workload intent into
// Kubernetes objects: a Pod or a Deployment and the Services that expose it.
// It is pure Go: it knows nothing of gRPC, CUE or wire formats.
package compile

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Options configure a compile.
type Options struct {
	// Target is the Kubernetes version to compile for.
	Target target.Version
}

// Output is what a compile produces: exactly one of Pod and Deployment, the
// Services, and every default the compiler wrote.
type Output struct {
	Pod        *corev1.Pod
	Deployment *appsv1.Deployment
	Services   []*corev1.Service
	Defaults   []diag.Default
	Notes      []string
}

// Objects returns the workload first, then its Services in name order.
func (o *Output) Objects() []runtime.Object {
	var objs []runtime.Object
	if o.Pod != nil {
		objs = append(objs, o.Pod)
	}
	if o.Deployment != nil {
		objs = append(objs, o.Deployment)
	}
	for _, s := range o.Services {
		objs = append(objs, s)
	}
	return objs
}

// Workload compiles wi, which must have passed intent.Check. An error means
// a fault in the compiler, not in the intent.
func Workload(wi *podcv1.WorkloadIntent, opts Options) (*Output, error) {
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: wi.GetName(), Namespace: wi.GetNamespace()},
	}
	for _, c := range wi.GetContainers() {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: c.GetName(), Image: c.GetImage()})
	}
	return &Output{Pod: pod}, nil
}
