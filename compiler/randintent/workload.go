package randintent

import (
	"fmt"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// volumeList declares 0-4 volumes of every kind, with unique names.
// Their resource references name containers once the pod's are known.
func (b *builder) volumeList() {
	seen := map[string]bool{}
	for range b.between(0, 4) {
		v := &podcv1.Volume{Name: unique(seen, func() string { return b.dnsLabel(1, 20) })}
		switch b.r.Intn(6) {
		case 0:
			s := &podcv1.ScratchVolume{Memory: b.chance(0.3)}
			if b.chance(0.5) {
				s.SizeLimit = b.byteQuantity()
			}
			v.Source = &podcv1.Volume_Scratch{Scratch: s}
		case 1:
			v.Source = &podcv1.Volume_Config{Config: &podcv1.ConfigVolume{Name: b.dnsSubdomain(), Optional: b.chance(0.3),
				Items: b.keyItems(map[string]bool{}), DefaultMode: b.fileMode()}}
		case 2:
			v.Source = &podcv1.Volume_Secret{Secret: &podcv1.SecretVolume{Name: b.dnsSubdomain(), Optional: b.chance(0.3),
				Items: b.keyItems(map[string]bool{}), DefaultMode: b.fileMode()}}
		case 4:
			v.Source = &podcv1.Volume_Projected{Projected: b.projected()}
		case 5:
			v.Source = &podcv1.Volume_DownwardApi{DownwardApi: &podcv1.DownwardApiVolume{Items: b.downwardFiles(map[string]bool{}), DefaultMode: b.fileMode()}}
		case 3:
			v.Source = &podcv1.Volume_Persistent{Persistent: &podcv1.PersistentVolume{ClaimName: b.dnsSubdomain(), ReadOnly: b.chance(0.3)}}
		}
		b.wi.Volumes = append(b.wi.Volumes, v)
		b.volumes = append(b.volumes, v.Name)
	}
}

// labels sets 0-3 labels, never podc's own.
func (b *builder) labels() {
	n := b.between(0, 3)
	if n == 0 {
		return
	}
	b.wi.Labels = map[string]string{}
	for range n {
		k := b.labelKey()
		if k == "app.kubernetes.io/name" || k == "app.kubernetes.io/managed-by" {
			continue
		}
		b.wi.Labels[k] = b.labelValue()
	}
}

// annotations sets 0-3 annotations with free-form values. Now and then one
// has a key that Kubernetes gives a meaning to, with a value of the right
// form: the intent's rules allow any annotation key.
func (b *builder) annotations() {
	n := b.between(0, 3)
	if n == 0 {
		return
	}
	b.wi.Annotations = map[string]string{}
	for range n {
		if b.chance(0.05) {
			k, v := b.knownAnnotation()
			b.wi.Annotations[k] = v
			continue
		}
		k := b.labelKey()
		if b.chance(0.1) {
			k = pick(b, "Example.com/Mixed-Case", "CamelCase")
		}
		b.wi.Annotations[k] = b.text()
	}
}

// knownAnnotation returns an annotation that Kubernetes reads, with a value
// that Kubernetes accepts for it.
func (b *builder) knownAnnotation() (string, string) {
	switch b.r.Intn(4) {
	case 0:
		return "controller.kubernetes.io/pod-deletion-cost", fmt.Sprint(b.between(-1000, 1000))
	case 1:
		return "kubernetes.io/description", b.text()
	case 2:
		return "service.kubernetes.io/topology-mode", pick(b, "Auto", "auto")
	}
	return "prometheus.io/scrape", "true"
}
