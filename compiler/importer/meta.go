package importer

import (
	"fmt"
	"maps"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
)

// holder is one place that carries labels and annotations: an object's
// metadata or the pod template's.
type holder struct {
	obj    *object
	path   fieldPath // the metadata
	labels map[string]string
	annos  map[string]string
	// pod is the metadata of the workload's pods; workload the workload
	// object's own (a bare Pod's is both); service a Service's.
	pod, workload, service bool
}

// holders returns the workload's metadata, its pod template's, and each
// Service's that becomes part of the intent.
func (b *builder) holders(svcs []*svc) []holder {
	w := b.objs.workload
	var hs []holder
	if w.pod != nil {
		hs = append(hs, holder{obj: w, path: fieldPath{}.f("metadata"), labels: w.pod.Labels, annos: w.pod.Annotations, pod: true, workload: true})
	} else {
		d := w.deployment
		hs = append(hs,
			holder{obj: w, path: fieldPath{}.f("metadata"), labels: d.Labels, annos: d.Annotations, workload: true},
			holder{obj: w, path: w.podMetaPath(), labels: d.Spec.Template.Labels, annos: d.Spec.Template.Annotations, pod: true})
	}
	for _, s := range svcs {
		hs = append(hs, holder{obj: s.obj, path: fieldPath{}.f("metadata"), labels: s.obj.service.Labels, annos: s.obj.service.Annotations, service: true})
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

// podcLabels are podc's own labels as compile writes them when the intent
// does not set app.kubernetes.io/name: what it adds to an object that
// lacks them is not a loss.
func (b *builder) podcLabels() map[string]string {
	return map[string]string{intent.LabelName: b.objs.workload.name, intent.LabelManagedBy: intent.ManagedBy}
}

// keepSelector decides the labels that select the workload's pods and
// keeps them as the intent's selector: a Deployment's matchLabels (its
// selector cannot change), or for a bare Pod the selector of its Services.
// Without one, podc selects with its own labels. It returns the selector
// compile writes.
func (b *builder) keepSelector(svcs []*svc) map[string]string {
	w := b.objs.workload
	sp := fieldPath{}.f("spec").f("selector")
	var kept map[string]string
	switch {
	case w.deployment != nil && w.deployment.Spec.Selector != nil:
		sel := w.deployment.Spec.Selector
		ml := sp.f("matchLabels")
		if len(sel.MatchLabels) > 0 && !b.dropped(w, ml) {
			kept = maps.Clone(sel.MatchLabels)
			b.use(w, ml)
			b.prov["selector"] = source{obj: w, path: ml}
		}
		if len(sel.MatchExpressions) > 0 && kept != nil {
			b.why(w, sp.f("matchExpressions"), "match expressions: the intent keeps a selector of labels only; its matchLabels are kept, so the Deployment selects the pods those select")
		}
	case w.pod != nil && len(svcs) > 0:
		s := svcs[0].obj
		if !b.dropped(s, sp) {
			kept = maps.Clone(s.service.Spec.Selector)
			b.prov["selector"] = source{obj: s, path: sp}
		}
	}
	if kept != nil {
		b.wi.Selector = kept
		what := "every Service selects"
		if w.deployment != nil {
			what = "the Deployment and every Service select"
			b.note("%s: spec.selector: kept as the intent's selector (%s): %s the pods with it, so the compiled Deployment applies over the running one", w.ref, labels.Set(kept), what)
		} else {
			b.note("%s: spec.selector: kept as the intent's selector (%s): %s the pods with it", svcs[0].obj.ref, labels.Set(kept), what)
		}
	}
	return kept
}

// accountSelectors accounts for the selectors compile writes after the
// labels are chosen: the kept selector, else podc's own labels (its name
// label perhaps the intent's), in every Service, and in a Deployment whose
// selector could not be kept; a Service that selects with other labels
// loses its selector.
func (b *builder) accountSelectors(svcs []*svc, kept map[string]string) {
	sp := fieldPath{}.f("spec").f("selector")
	want := kept
	if want == nil {
		want = b.podcLabels()
		if v, ok := b.wi.GetLabels()[intent.LabelName]; ok {
			want[intent.LabelName] = v
		}
		if w := b.objs.workload; w.deployment != nil {
			b.why(w, sp, fmt.Sprintf("the intent keeps a selector of labels only, so podc selects the pods with its own labels, %s; a Deployment's selector cannot change: replace the running Deployment rather than apply over it",
				labels.Set(want)))
		}
	}
	for _, s := range svcs {
		sel := s.obj.service.Spec.Selector
		switch {
		case maps.Equal(sel, want):
			b.use(s.obj, sp)
		case kept != nil:
			b.lose(s.obj, sp, fmt.Sprintf("%s, but compile selects the pods with the workload's selector, %s, in every Service", labels.Set(sel), labels.Set(kept)))
		default:
			b.lose(s.obj, sp, fmt.Sprintf("%s, but compile selects the pods with podc's own labels, %s: the workload's selector cannot be kept", labels.Set(sel), labels.Set(want)))
		}
	}
}

// metaMaps are the intent's label and annotation maps, by their intent
// field.
type metaMaps map[string]map[string]string

// setMeta puts k=v into the map called field, recording where it came from
// (h at p) so that the intent's checks can refuse it; a value the checks
// refused in an earlier round is left out.
func (b *builder) setMeta(m metaMaps, field, k, v string, h holder, p fieldPath) {
	if _, refused := b.drops[metaDropKey(field, k)]; refused {
		return
	}
	if m[field] == nil {
		m[field] = map[string]string{}
	}
	m[field][k] = v
	b.prov[diag.Path(field).Key(k).String()] = source{obj: h.obj, path: p, metaKey: metaDropKey(field, k)}
}

// metaDropKey names an intent label or annotation the checks refused.
func metaDropKey(field, k string) string { return field + "\x01" + k }

// labelsAndAnnotations maps the labels and annotations of every holder
// into the intent's maps, so that compile writes each holder's own: the
// labels most holders share with the same value are the intent's labels,
// the pods' others its podLabels (the kept selector goes on the pods by
// itself); the annotations every holder shares are its annotations, the
// rest the workload's, the pods' and the Services' own. What compile
// would write differently is lost, each label and annotation on its own.
// It returns each Service's own annotations, which only named Services
// carry.
func (b *builder) labelsAndAnnotations(svcs []*svc, kept map[string]string) map[*object]map[string]string {
	hs := b.holders(svcs)
	m := metaMaps{}
	b.chooseLabels(hs, kept, m)
	b.chooseAnnotations(hs, m)
	b.wi.Labels = m["labels"]
	b.wi.PodLabels = m["podLabels"]
	b.wi.Annotations = m["annotations"]
	b.wi.PodAnnotations = m["podAnnotations"]
	b.wi.WorkloadAnnotations = m["workloadAnnotations"]
	b.wi.ServiceAnnotations = m["serviceAnnotations"]
	own := map[*object]map[string]string{}
	for _, h := range hs {
		if !h.service {
			continue
		}
		shared := b.expectedAnnotations(h, m, nil)
		for _, k := range sortedKeys(h.annos) {
			v := h.annos[k]
			if sameIn(shared, k, v) || b.dropped(h.obj, h.path.f("annotations").k(k)) {
				continue
			}
			if own[h.obj] == nil {
				own[h.obj] = map[string]string{}
			}
			own[h.obj][k] = v
		}
	}
	for _, h := range hs {
		b.accountLabels(h, kept)
		b.accountAnnotations(h, m, own[h.obj])
	}
	return own
}

// chooseLabels fills labels and podLabels. The intent's labels are the
// labels more than half of the holders have with the same value: compile
// writes them on every object and the pods, and each holder that lacks one
// loses it, as each holder loses a label of its own that is not one. A key
// of the kept selector with another value is left out (the pods carry the
// selector's value), and so are podc's own labels where compile writes
// them anyway. The pods' other labels are podLabels.
func (b *builder) chooseLabels(hs []holder, kept map[string]string, m metaMaps) {
	name := b.objs.workload.name
	type pair struct{ k, v string }
	count := map[pair]int{}
	first := map[pair]holder{}
	var pod holder
	for _, h := range hs {
		if h.pod {
			pod = h
		}
		for k, v := range h.labels {
			pr := pair{k, v}
			if count[pr] == 0 {
				first[pr] = h
			}
			count[pr]++
		}
	}
	prs := make([]pair, 0, len(count))
	for pr := range count {
		prs = append(prs, pr)
	}
	sort.Slice(prs, func(i, j int) bool { return prs[i].k < prs[j].k || prs[i].k == prs[j].k && prs[i].v < prs[j].v })
	for _, pr := range prs {
		k, v := pr.k, pr.v
		switch sv, inSel := kept[k]; {
		case 2*count[pr] <= len(hs):
		case inSel && sv != v:
		case k == intent.LabelManagedBy, k == intent.LabelName && v == name:
		case len(hs) == 1 && inSel:
			// A bare Pod alone: the selector puts it on the pod.
		default:
			h := first[pr]
			b.setMeta(m, "labels", k, v, h, h.path.f("labels").k(k))
		}
	}
	// The pods: every label compile would not write from labels and the
	// selector is a pod label.
	nameValue := name
	if v, ok := m["labels"][intent.LabelName]; ok {
		nameValue = v
	}
	for _, k := range sortedKeys(pod.labels) {
		v := pod.labels[k]
		switch {
		case sameIn(kept, k, v), sameIn(m["labels"], k, v):
		case k == intent.LabelName && v == nameValue:
		case k == intent.LabelManagedBy:
		default:
			b.setMeta(m, "podLabels", k, v, pod, pod.path.f("labels").k(k))
		}
	}
}

// hasKey reports whether m has key k.
func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

// chooseAnnotations fills the annotation maps: the annotations every
// holder has with the same value are the intent's annotations (all of them
// when there is one holder); the rest of the workload's are its
// workloadAnnotations, of the pods' its podAnnotations (a bare Pod's too),
// and those every Service has its serviceAnnotations. What is left of a
// Service is its own (see labelsAndAnnotations).
func (b *builder) chooseAnnotations(hs []holder, m metaMaps) {
	first := hs[0]
	for _, k := range sortedKeys(first.annos) {
		v := first.annos[k]
		shared := true
		for _, h := range hs[1:] {
			if hv, ok := h.annos[k]; !ok || hv != v {
				shared = false
			}
		}
		if shared {
			b.setMeta(m, "annotations", k, v, first, first.path.f("annotations").k(k))
		}
	}
	var svcs []holder
	for _, h := range hs {
		field := ""
		switch {
		case h.pod:
			field = "podAnnotations"
		case h.workload:
			field = "workloadAnnotations"
		default:
			svcs = append(svcs, h)
			continue
		}
		for _, k := range sortedKeys(h.annos) {
			if v := h.annos[k]; !sameIn(m["annotations"], k, v) {
				b.setMeta(m, field, k, v, h, h.path.f("annotations").k(k))
			}
		}
	}
	if len(svcs) == 0 {
		return
	}
	for _, k := range sortedKeys(svcs[0].annos) {
		v := svcs[0].annos[k]
		if sameIn(m["annotations"], k, v) {
			continue
		}
		shared := true
		for _, h := range svcs[1:] {
			if hv, ok := h.annos[k]; !ok || hv != v {
				shared = false
			}
		}
		if shared {
			b.setMeta(m, "serviceAnnotations", k, v, svcs[0], svcs[0].path.f("annotations").k(k))
		}
	}
}

// sameIn reports whether m has k=v.
func sameIn(m map[string]string, k, v string) bool {
	mv, ok := m[k]
	return ok && mv == v
}

// expectedLabels are the labels compile writes on holder h: podc's own,
// the intent's labels and, on the pods, podLabels and the kept selector.
func (b *builder) expectedLabels(h holder, kept map[string]string) map[string]string {
	out := b.podcLabels()
	maps.Copy(out, b.wi.GetLabels())
	if h.pod {
		maps.Copy(out, b.wi.GetPodLabels())
		maps.Copy(out, kept)
	}
	return out
}

// expectedAnnotations are the annotations compile writes on holder h:
// the intent's annotations and those meant for h, with own, a named
// Service's own, last.
func (b *builder) expectedAnnotations(h holder, m metaMaps, own map[string]string) map[string]string {
	out := maps.Clone(m["annotations"])
	if out == nil {
		out = map[string]string{}
	}
	switch {
	case h.pod && h.workload:
		maps.Copy(out, m["workloadAnnotations"])
		maps.Copy(out, m["podAnnotations"])
	case h.pod:
		maps.Copy(out, m["podAnnotations"])
	case h.workload:
		maps.Copy(out, m["workloadAnnotations"])
	case h.service:
		maps.Copy(out, m["serviceAnnotations"])
		maps.Copy(out, own)
	}
	return out
}

// accountLabels accounts for each label of h against what compile writes
// there: the same is carried, a difference lost; a label compile adds is
// lost too, unless it is podc's own.
func (b *builder) accountLabels(h holder, kept map[string]string) {
	lp := h.path.f("labels")
	want := b.expectedLabels(h, kept)
	podc := b.podcLabels()
	for _, k := range sortedKeys(h.labels) {
		v := h.labels[k]
		p := lp.k(k)
		if w, ok := want[k]; ok && w == v {
			b.use(h.obj, p)
			continue
		}
		b.lose(h.obj, p, b.labelReason(h, k, v, want, kept))
	}
	for _, k := range sortedKeys(want) {
		if _, ok := h.labels[k]; ok || podc[k] == want[k] && hasKey(podc, k) {
			continue
		}
		msg := fmt.Sprintf("not on this object, but compile adds %s=%s: the intent's labels go on every object", k, want[k])
		if h.pod {
			msg = fmt.Sprintf("not on the pods, but compile adds %s=%s there: the intent's labels go on the pods too", k, want[k])
		}
		b.lose(h.obj, lp.k(k), msg)
	}
	b.use(h.obj, lp)
}

// labelReason says why label k=v of h is lost; want is what compile
// writes on h.
func (b *builder) labelReason(h holder, k, v string, want, kept map[string]string) string {
	switch {
	case k == intent.LabelManagedBy:
		return fmt.Sprintf("podc sets %s=%s on every object itself", k, intent.ManagedBy)
	case k == intent.LabelName:
		return fmt.Sprintf("podc gives every object the same %s, %s", k, want[k])
	}
	for _, f := range []string{"labels", "podLabels"} {
		if r, refused := b.drops[metaDropKey(f, k)]; refused {
			return r
		}
	}
	if sv, ok := kept[k]; ok && sv != v {
		return fmt.Sprintf("%s here, but the pods carry the selector's %s=%s, and the intent's labels, which go on every object, may not say otherwise", v, k, sv)
	}
	var missing, other []string
	for _, o := range b.holders(b.svcs) {
		if o.obj == h.obj && o.path.id() == h.path.id() {
			continue
		}
		switch ov, ok := o.labels[k]; {
		case !ok:
			missing = append(missing, o.where())
		case ov != v:
			other = append(other, fmt.Sprintf("%s on %s", ov, o.where()))
		}
	}
	var why []string
	if len(missing) > 0 {
		why = append(why, "not on "+strings.Join(missing, ", "))
	}
	if len(other) > 0 {
		why = append(why, strings.Join(other, ", "))
	}
	return strings.Join(why, "; ") + ": the intent's labels go on the workload, its pods and its Services alike"
}

// where names the holder for a message: its object, or the pod template.
func (h holder) where() string {
	if h.pod && !h.workload {
		return h.obj.ref + "'s pod template"
	}
	return h.obj.ref
}

// accountAnnotations accounts for each annotation of h against what
// compile writes there, own being a Service's own.
func (b *builder) accountAnnotations(h holder, m metaMaps, own map[string]string) {
	ap := h.path.f("annotations")
	want := b.expectedAnnotations(h, m, own)
	for _, k := range sortedKeys(h.annos) {
		v := h.annos[k]
		p := ap.k(k)
		if w, ok := want[k]; ok && w == v {
			b.use(h.obj, p)
			continue
		}
		reason := fmt.Sprintf("compile writes %q", want[k])
		if _, ok := want[k]; !ok {
			reason = "compile leaves it out"
		}
		for _, f := range []string{"annotations", "podAnnotations", "workloadAnnotations", "serviceAnnotations"} {
			if r, refused := b.drops[metaDropKey(f, k)]; refused {
				reason = r
				break
			}
		}
		if r, refused := b.drops[dropKey(h.obj, p)]; refused {
			reason = r
		}
		b.lose(h.obj, p, reason)
	}
	for _, k := range sortedKeys(want) {
		if _, ok := h.annos[k]; !ok {
			b.lose(h.obj, ap.k(k), "not on this object, but compile adds it")
		}
	}
	b.use(h.obj, ap)
}
