package randintent

import "github.com/podc-dev/podc/compiler/intent"

// takeover shapes the intent now and then as one that takes over a
// running workload: a kept selector, pod labels, a name label of its own,
// and annotations for the pods, the workload and the Services apart.
func (b *builder) takeover() {
	wi := b.wi
	if b.chance(0.1) {
		if wi.Labels == nil {
			wi.Labels = map[string]string{}
		}
		wi.Labels[intent.LabelName] = b.labelValue()
	}
	if b.chance(0.15) {
		wi.Selector = map[string]string{}
		for range b.between(1, 2) {
			wi.Selector[b.labelKey()] = b.labelValue()
		}
		if b.chance(0.2) {
			wi.Selector[intent.LabelManagedBy] = "Helm"
		}
		for k, v := range wi.Selector {
			if _, ok := wi.Labels[k]; ok {
				wi.Labels[k] = v
			}
		}
	}
	if b.chance(0.15) {
		wi.PodLabels = map[string]string{b.labelKey(): b.labelValue()}
		for k, v := range wi.Selector {
			if _, ok := wi.PodLabels[k]; ok || b.chance(0.5) {
				wi.PodLabels[k] = v
			}
		}
		delete(wi.PodLabels, intent.LabelManagedBy)
	}
	for _, m := range []*map[string]string{&wi.PodAnnotations, &wi.WorkloadAnnotations, &wi.ServiceAnnotations} {
		if b.chance(0.1) {
			*m = map[string]string{b.labelKey(): b.text()}
		}
	}
}
