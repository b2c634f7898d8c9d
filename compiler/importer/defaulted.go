package importer

import (
	"encoding/json"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/validate"
)

// typedObject is the typed form of o, which must be a Pod, Deployment or
// Service.
func (o *object) typedObject() runtime.Object {
	switch {
	case o.pod != nil:
		return o.pod
	case o.deployment != nil:
		return o.deployment
	}
	return o.service
}

// rootType is the Go type of o's typed form; nil for kinds podc does not
// import.
func (o *object) rootType() reflect.Type {
	switch {
	case o.pod != nil, o.deployment != nil, o.service != nil:
		return reflect.TypeOf(o.typedObject()).Elem()
	}
	return nil
}

// typedPath marks the steps of p as fields or map keys by o's kind, so it
// prints as the apiserver prints paths.
func (o *object) typedPath(p fieldPath) fieldPath {
	if t := o.rootType(); t != nil {
		return typed(t, p)
	}
	return p
}

// defaultedTree is tree, decoded as an object of type t, with the
// kube-apiserver's defaults applied, as a JSON tree.
func defaultedTree(t reflect.Type, tree map[string]any) (map[string]any, error) {
	v, err := decodeNew(t, tree)
	if err != nil {
		return nil, err
	}
	d := validate.Defaulted([]runtime.Object{v.(runtime.Object)})[0]
	out, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	err = json.Unmarshal(out, &m)
	return m, err
}

// defaultedWorkload is the workload as the apiserver defaults it, to read
// the values its defaulting writes.
type defaultedWorkload struct {
	spec *corev1.PodSpec
}

// defaultedOf defaults the workload.
func defaultedOf(w *object) defaultedWorkload {
	d := validate.Defaulted([]runtime.Object{w.typedObject()})[0]
	if o, ok := d.(*appsv1.Deployment); ok {
		return defaultedWorkload{spec: &o.Spec.Template.Spec}
	}
	return defaultedWorkload{spec: &d.(*corev1.Pod).Spec}
}

// container returns the defaulted container at p, the path of a container
// in the pod spec ("...containers[1]", "...initContainers[0]").
func (d defaultedWorkload) container(p fieldPath) *corev1.Container {
	last, list := p[len(p)-1], p[len(p)-2]
	if list.name == "initContainers" {
		return &d.spec.InitContainers[last.index]
	}
	return &d.spec.Containers[last.index]
}
