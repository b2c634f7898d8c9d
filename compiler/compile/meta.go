package compile

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// metaKind says which object some metadata belongs to: the labels and
// annotations of each come from different intent fields.
type metaKind int

const (
	// metaWorkload is a Deployment: the intent's labels and its
	// annotations and workloadAnnotations.
	metaWorkload metaKind = iota
	// metaPod is a pod, bare or a Deployment's template: its labels and
	// podLabels with the selector's, and its annotations and
	// podAnnotations (a bare Pod's workloadAnnotations too).
	metaPod
	// metaService is a Service: the intent's labels and its annotations
	// and serviceAnnotations (and the intent Service's own).
	metaService
	// metaCompanion is an object beside the workload that governs it (a
	// PodDisruptionBudget, a HorizontalPodAutoscaler, a NetworkPolicy):
	// the intent's labels and annotations.
	metaCompanion
)

// nameLabel is the value of podc's app.kubernetes.io/name label: the
// intent's own, else the workload's name.
func (b *builder) nameLabel() string {
	if v, ok := b.wi.GetLabels()[intent.LabelName]; ok {
		return v
	}
	return b.wi.GetName()
}

// ownLabels returns podc's own labels: the name label and managed-by.
func (b *builder) ownLabels() map[string]string {
	return map[string]string{intent.LabelName: b.nameLabel(), intent.LabelManagedBy: intent.ManagedBy}
}

// selector returns the labels that select the workload's pods: the
// selector the intent keeps from an existing workload, else podc's own
// labels. Every Service and the Deployment select with exactly these, and
// the pods carry them.
func (b *builder) selector() map[string]string {
	if sel := b.wi.GetSelector(); len(sel) > 0 {
		m := make(map[string]string, len(sel))
		for k, v := range sel {
			m[k] = v
		}
		return m
	}
	return b.ownLabels()
}

// recordSelector records the selector in the map n: a kept selector's
// keys from the intent's selector; else the name label from the intent's
// label or its name, and the managed-by label as podc's own.
func (b *builder) recordSelector(n provenance.Node) {
	if sel := b.wi.GetSelector(); len(sel) > 0 {
		sp := b.in("selector")
		for k := range sel {
			b.rec.Key(n, k, provenance.FromIntent(b.rec.AtKey(sp, k)))
		}
		return
	}
	b.recordOwn(n)
}

// recordOwn records podc's own labels in the map n.
func (b *builder) recordOwn(n provenance.Node) {
	name := b.in("name")
	if _, ok := b.wi.GetLabels()[intent.LabelName]; ok {
		name = b.rec.AtKey(b.in("labels"), intent.LabelName)
	}
	b.rec.Key(n, intent.LabelName, provenance.FromIntent(name))
	b.rec.Key(n, intent.LabelManagedBy, provenance.CompilerDefault(provenance.Intent))
}

// labels returns a fresh map of the labels of one object of kind k, and
// records it as field "labels" of meta: podc's own labels and the intent's
// labels on every object; on a pod also its podLabels and the selector,
// which win (the pods must carry the selector's labels).
func (b *builder) labels(meta provenance.Node, k metaKind) map[string]string {
	r := b.rec
	n := b.put(meta, "labels", b.in("labels"))
	m := map[string]string{intent.LabelName: b.wi.GetName(), intent.LabelManagedBy: intent.ManagedBy}
	from := map[string]provenance.From{
		intent.LabelName:      provenance.FromIntent(b.in("name")),
		intent.LabelManagedBy: provenance.CompilerDefault(provenance.Intent),
	}
	for _, src := range []struct {
		field string
		m     map[string]string
		pod   bool
	}{
		{"labels", b.wi.GetLabels(), false},
		{"podLabels", b.wi.GetPodLabels(), true},
		{"selector", b.wi.GetSelector(), true},
	} {
		if src.pod && k != metaPod {
			continue
		}
		fp := b.in(src.field)
		for key, v := range src.m {
			m[key] = v
			from[key] = provenance.FromIntent(r.AtKey(fp, key))
		}
	}
	for key, f := range from {
		r.Key(n, key, f)
	}
	return m
}

// annotations returns a fresh map of the annotations of one object of
// kind k, and records it as field "annotations" of meta; nil when there
// are none. Each object takes the intent's annotations and, over them,
// the annotations meant for it (podAnnotations, workloadAnnotations,
// serviceAnnotations), then those of the intent Service s (nil for none).
func (b *builder) annotations(meta provenance.Node, k metaKind, s *podcv1.Service, sp provenance.Path) map[string]string {
	r := b.rec
	type source struct {
		m map[string]string
		p provenance.Path
	}
	srcs := []source{{b.wi.GetAnnotations(), b.in("annotations")}}
	switch k {
	case metaWorkload:
		srcs = append(srcs, source{b.wi.GetWorkloadAnnotations(), b.in("workloadAnnotations")})
	case metaPod:
		if b.wi.GetController() != podcv1.Controller_CONTROLLER_DEPLOYMENT {
			srcs = append(srcs, source{b.wi.GetWorkloadAnnotations(), b.in("workloadAnnotations")})
		}
		srcs = append(srcs, source{b.wi.GetPodAnnotations(), b.in("podAnnotations")})
	case metaService:
		srcs = append(srcs, source{b.wi.GetServiceAnnotations(), b.in("serviceAnnotations")})
		if s != nil {
			srcs = append(srcs, source{s.GetAnnotations(), r.In(sp, "annotations")})
		}
	}
	m := map[string]string{}
	from := map[string]provenance.Path{}
	for _, src := range srcs {
		for key, v := range src.m {
			m[key] = v
			from[key] = src.p
		}
	}
	if len(m) == 0 {
		return nil
	}
	n := b.put(meta, "annotations", b.in("annotations"))
	for key, p := range from {
		r.Key(n, key, provenance.FromIntent(r.AtKey(p, key)))
	}
	return m
}

// objectMeta returns the metadata of a top-level object of kind k called
// name, and records it under root: its name came from the intent field
// namePath. s is the intent Service the object was compiled from, at sp;
// nil for the workload and the Services ports' expose forms.
func (b *builder) objectMeta(root provenance.Node, k metaKind, name string, namePath provenance.Path, s *podcv1.Service, sp provenance.Path) metav1.ObjectMeta {
	meta := b.rec.Field(root, "metadata", provenance.Holder)
	b.put(meta, "name", namePath)
	if b.wi.GetNamespace() != "" {
		b.put(meta, "namespace", b.in("namespace"))
	}
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   b.wi.GetNamespace(),
		Labels:      b.labels(meta, k),
		Annotations: b.annotations(meta, k, s, sp),
	}
}

// typeMeta records the apiVersion and kind of the object at root.
func (b *builder) typeMeta(root provenance.Node, from provenance.From) {
	b.rec.Field(root, "apiVersion", from)
	b.rec.Field(root, "kind", from)
}
