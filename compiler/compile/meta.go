package compile

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podc-dev/podc/compiler/intent"
)

// selector returns the labels that select the workload's pods: its name and
// podc as the manager. Every Service and the Deployment select with exactly
// these, and the pods carry them.
func (b *builder) selector() map[string]string {
	return map[string]string{
		intent.LabelName:      b.wi.GetName(),
		intent.LabelManagedBy: intent.ManagedBy,
	}
}

// labels returns a fresh map of the intent's labels and podc's own, for one
// object. podc's labels win; intent.Check refuses intents that set them.
func (b *builder) labels() map[string]string {
	m := make(map[string]string, len(b.wi.GetLabels())+2)
	for k, v := range b.wi.GetLabels() {
		m[k] = v
	}
	for k, v := range b.selector() {
		m[k] = v
	}
	return m
}

// annotations returns a fresh map of the intent's annotations for one
// object, or nil when there are none.
func (b *builder) annotations() map[string]string {
	if len(b.wi.GetAnnotations()) == 0 {
		return nil
	}
	m := make(map[string]string, len(b.wi.GetAnnotations()))
	for k, v := range b.wi.GetAnnotations() {
		m[k] = v
	}
	return m
}

// objectMeta returns the metadata of a top-level object.
func (b *builder) objectMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   b.wi.GetNamespace(),
		Labels:      b.labels(),
		Annotations: b.annotations(),
	}
}
