package compile

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
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

// recordSelector records podc's own labels in the map n: the name label
// is the intent's name, the managed-by label podc's own.
func (b *builder) recordSelector(n provenance.Node) {
	b.rec.Key(n, intent.LabelName, provenance.FromIntent(b.in("name")))
	b.rec.Key(n, intent.LabelManagedBy, provenance.CompilerDefault(provenance.Intent))
}

// labels returns a fresh map of the intent's labels and podc's own, for one
// object, and records it as field "labels" of meta. podc's labels win;
// intent.Check refuses intents that set them.
func (b *builder) labels(meta provenance.Node) map[string]string {
	m := make(map[string]string, len(b.wi.GetLabels())+2)
	lp := b.in("labels")
	n := b.put(meta, "labels", lp)
	sel := b.selector()
	for k, v := range b.wi.GetLabels() {
		m[k] = v
		if _, podc := sel[k]; !podc {
			b.rec.Key(n, k, provenance.FromIntent(b.rec.AtKey(lp, k)))
		}
	}
	for k, v := range sel {
		m[k] = v
	}
	b.recordSelector(n)
	return m
}

// annotations returns a fresh map of the intent's annotations for one
// object, with those of the intent Service s (nil for none) over them, and
// records it as field "annotations" of meta; nil when there are none.
func (b *builder) annotations(meta provenance.Node, s *podcv1.Service, sp provenance.Path) map[string]string {
	if len(b.wi.GetAnnotations()) == 0 && len(s.GetAnnotations()) == 0 {
		return nil
	}
	m := make(map[string]string, len(b.wi.GetAnnotations())+len(s.GetAnnotations()))
	ap := b.in("annotations")
	n := b.put(meta, "annotations", ap)
	for k, v := range b.wi.GetAnnotations() {
		m[k] = v
		if _, own := s.GetAnnotations()[k]; !own {
			b.rec.Key(n, k, provenance.FromIntent(b.rec.AtKey(ap, k)))
		}
	}
	if len(s.GetAnnotations()) > 0 {
		sap := b.rec.In(sp, "annotations")
		for k, v := range s.GetAnnotations() {
			m[k] = v
			b.rec.Key(n, k, provenance.FromIntent(b.rec.AtKey(sap, k)))
		}
	}
	return m
}

// objectMeta returns the metadata of a top-level object called name, and
// records it under root: its name came from the intent field namePath. s
// is the intent Service the object was compiled from, at sp; nil for the
// workload and the Services ports' expose forms.
func (b *builder) objectMeta(root provenance.Node, name string, namePath provenance.Path, s *podcv1.Service, sp provenance.Path) metav1.ObjectMeta {
	meta := b.rec.Field(root, "metadata", provenance.Holder)
	b.put(meta, "name", namePath)
	if b.wi.GetNamespace() != "" {
		b.put(meta, "namespace", b.in("namespace"))
	}
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   b.wi.GetNamespace(),
		Labels:      b.labels(meta),
		Annotations: b.annotations(meta, s, sp),
	}
}

// typeMeta records the apiVersion and kind of the object at root.
func (b *builder) typeMeta(root provenance.Node, from provenance.From) {
	b.rec.Field(root, "apiVersion", from)
	b.rec.Field(root, "kind", from)
}
