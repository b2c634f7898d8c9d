package importer

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
)

// holder is one place that carries labels and annotations: an object's
// metadata or the pod template's.
type holder struct {
	obj     *object
	path    fieldPath // the metadata
	labels  map[string]string
	annos   map[string]string
	pod     bool // the metadata of the workload's pods
	service bool
}

// holders returns the workload's metadata, its pod template's, and each
// Service's that becomes part of the intent.
func (b *builder) holders(svcs []*object) []holder {
	w := b.objs.workload
	var hs []holder
	if w.pod != nil {
		hs = append(hs, holder{obj: w, path: fieldPath{}.f("metadata"), labels: w.pod.Labels, annos: w.pod.Annotations, pod: true})
	} else {
		d := w.deployment
		hs = append(hs,
			holder{obj: w, path: fieldPath{}.f("metadata"), labels: d.Labels, annos: d.Annotations},
			holder{obj: w, path: w.podMetaPath(), labels: d.Spec.Template.Labels, annos: d.Spec.Template.Annotations, pod: true})
	}
	for _, s := range svcs {
		hs = append(hs, holder{obj: s, path: fieldPath{}.f("metadata"), labels: s.service.Labels, annos: s.service.Annotations, service: true})
	}
	return hs
}

// identity maps the workload's name and namespace.
func (b *builder) identity() {
	w := b.objs.workload
	b.wi.Name = w.name
	b.wi.Namespace = w.namespace()
	b.record("name", w, fieldPath{}.f("metadata").f("name"), true)
	b.record("namespace", w, fieldPath{}.f("metadata").f("namespace"), true)
	for _, o := range append([]*object{w}, b.objs.services...) {
		b.use(o, fieldPath{}.f("metadata").f("name"))
		b.use(o, fieldPath{}.f("metadata").f("namespace"))
	}
}

// labelsAndAnnotations takes the pods' labels and annotations as the
// intent's, which compile writes on every object and on the pod template,
// and accounts for each label and annotation of each holder: every holder
// that differs from the pods loses the difference. A Service may carry
// annotations of its own (the intent's Services have them), returned by
// Service.
func (b *builder) labelsAndAnnotations(svcs []*object) map[*object]map[string]string {
	hs := b.holders(svcs)
	w := b.objs.workload
	podLabels := map[string]string{intent.LabelName: w.name, intent.LabelManagedBy: intent.ManagedBy}

	chosen := b.choose(hs, func(h holder) map[string]string { return h.labels }, podLabels, "labels")
	for _, k := range sortedKeys(chosen) {
		if b.wi.Labels == nil {
			b.wi.Labels = map[string]string{}
		}
		b.wi.Labels[k] = chosen[k]
	}
	for _, h := range hs {
		lp := h.path.f("labels")
		for _, k := range sortedKeys(h.labels) {
			v := h.labels[k]
			p := lp.k(k)
			switch own, isOwn := podLabels[k]; {
			case isOwn && v == own:
				b.use(h.obj, p)
			case isOwn:
				b.lose(h.obj, p, fmt.Sprintf("podc sets %s=%s on every object itself", k, own))
			default:
				b.account(h, p, k, v, chosen, "labels")
			}
		}
		for _, k := range sortedKeys(chosen) {
			if _, ok := h.labels[k]; !ok {
				b.lose(h.obj, lp.k(k), fmt.Sprintf("not on this object, but podc import gives every object the pods' labels: compile adds %s=%s", k, chosen[k]))
			}
		}
		b.use(h.obj, lp)
	}

	// Annotations: a Service that lacks one of the intent's loses it, one
	// that has more keeps them as its own.
	chosenA := b.choose(hs, func(h holder) map[string]string { return h.annos }, nil, "annotations")
	for _, k := range sortedKeys(chosenA) {
		if b.wi.Annotations == nil {
			b.wi.Annotations = map[string]string{}
		}
		b.wi.Annotations[k] = chosenA[k]
	}
	own := map[*object]map[string]string{}
	for _, h := range hs {
		ap := h.path.f("annotations")
		for _, k := range sortedKeys(h.annos) {
			v := h.annos[k]
			p := ap.k(k)
			if h.service {
				if c, ok := chosenA[k]; ok && c == v {
					b.use(h.obj, p)
					continue
				}
				if b.dropped(h.obj, p) {
					continue
				}
				if own[h.obj] == nil {
					own[h.obj] = map[string]string{}
				}
				own[h.obj][k] = v
				b.use(h.obj, p)
				continue
			}
			b.account(h, p, k, v, chosenA, "annotations")
		}
		for _, k := range sortedKeys(chosenA) {
			if _, ok := h.annos[k]; !ok {
				b.lose(h.obj, ap.k(k), fmt.Sprintf("not on this object, but podc import gives every object the pods' annotations: compile adds it"))
			}
		}
		if len(h.annos) == 0 {
			b.use(h.obj, ap)
		}
	}
	return own
}

// account accounts for label or annotation k=v of holder h against the
// intent's choice.
func (b *builder) account(h holder, p fieldPath, k, v string, chosen map[string]string, what string) {
	c, ok := chosen[k]
	switch {
	case ok && c == v:
		b.use(h.obj, p)
	case ok:
		b.lose(h.obj, p, fmt.Sprintf("%s here, but podc import gives every object the pods' %s: compile writes %s", v, what, c))
	default:
		if r, refused := b.drops[metaDropKey(what, k)]; refused {
			b.lose(h.obj, p, r)
			return
		}
		if h.pod {
			b.lose(h.obj, p, fmt.Sprintf("podc import gives every object the same %s", what))
			return
		}
		b.lose(h.obj, p, fmt.Sprintf("not on the pods, and podc import gives every object the pods' %s", what))
	}
}

// metaDropKey names an intent label or annotation the checks refused.
func metaDropKey(what, k string) string { return what + "\x01" + k }

// choose picks the intent's labels (or annotations): the pods'. The
// pods are what the intent describes, and what other objects select by
// label; every other object that differs loses the difference. Keys in
// skip are podc's own; keys the checks refused are left out. The source
// of each chosen key is recorded, so that the checks can refuse it.
func (b *builder) choose(hs []holder, get func(holder) map[string]string, skip map[string]string, what string) map[string]string {
	chosen := map[string]string{}
	for _, h := range hs {
		if !h.pod {
			continue
		}
		m := get(h)
		for _, k := range sortedKeys(m) {
			if _, own := skip[k]; own {
				continue
			}
			if _, refused := b.drops[metaDropKey(what, k)]; refused {
				continue
			}
			chosen[k] = m[k]
			ip := diag.Path(what).Key(k)
			b.prov[ip.String()] = source{obj: h.obj, path: h.path.f(what).k(k), metaKey: metaDropKey(what, k)}
		}
	}
	return chosen
}

// selectorNote says that podc selects the workload's pods with its own
// labels instead of sel (and match expressions, with exprs), the selector
// of o at p.
func (b *builder) selectorNote(o *object, p fieldPath, sel map[string]string, exprs bool) {
	w := b.objs.workload
	podc := labels.Set{intent.LabelName: w.name, intent.LabelManagedBy: intent.ManagedBy}
	old := labels.Set(sel).String()
	if exprs {
		old += " and match expressions"
	}
	msg := fmt.Sprintf("%s: %s: podc selects the pods with %s instead of %s", o.ref, o.typedPath(p), podc, old)
	if o.deployment != nil {
		msg += "; a Deployment's selector cannot change, so replace the running Deployment rather than apply over it"
	}
	have := map[string]string{intent.LabelName: w.name, intent.LabelManagedBy: intent.ManagedBy}
	for k, v := range b.wi.GetLabels() {
		have[k] = v
	}
	if missing := missingFrom(sel, have); len(missing) > 0 {
		msg += fmt.Sprintf("; the pods no longer carry %s, so the old selector no longer selects them", strings.Join(missing, ", "))
	}
	b.note("%s", msg)
}

// missingFrom lists, as key=value, the entries of sel that have lacks.
func missingFrom(sel, have map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(sel) {
		if have[k] != sel[k] {
			out = append(out, k+"="+sel[k])
		}
	}
	return out
}
