package importer

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// plumbing maps the pod's DNS policy and configuration, host aliases,
// image pull secrets, service account token mount, host name and
// subdomain. ClusterFirst, the DNS policy compile writes when the intent
// sets none, is left out.
func (b *builder) plumbing(w *object, sp fieldPath, spec *corev1.PodSpec) {
	dp := sp.f("dnsPolicy")
	switch spec.DNSPolicy {
	case corev1.DNSClusterFirst, "":
		b.use(w, dp)
	case corev1.DNSClusterFirstWithHostNet:
		if b.take(w, dp, "dnsPolicy") {
			b.wi.DnsPolicy = podcv1.DnsPolicy_DNS_POLICY_CLUSTER_FIRST_WITH_HOST_NET
		}
	case corev1.DNSDefault:
		if b.take(w, dp, "dnsPolicy") {
			b.wi.DnsPolicy = podcv1.DnsPolicy_DNS_POLICY_DEFAULT
		}
	case corev1.DNSNone:
		if b.take(w, dp, "dnsPolicy") {
			b.wi.DnsPolicy = podcv1.DnsPolicy_DNS_POLICY_NONE
		}
	}
	if d := spec.DNSConfig; d != nil && b.take(w, sp.f("dnsConfig"), "dnsConfig") {
		cfg := &podcv1.DnsConfig{Nameservers: d.Nameservers, Searches: d.Searches}
		for _, o := range d.Options {
			cfg.Options = append(cfg.Options, &podcv1.DnsOption{Name: o.Name, Value: copyPtr(o.Value)})
		}
		if len(cfg.Nameservers)+len(cfg.Searches)+len(cfg.Options) > 0 {
			b.wi.DnsConfig = cfg
		}
	}
	for i, h := range spec.HostAliases {
		p := sp.f("hostAliases").i(i)
		if b.take(w, p, diag.Path("hostAliases").Index(len(b.wi.HostAliases))) {
			b.wi.HostAliases = append(b.wi.HostAliases, &podcv1.HostAlias{Ip: h.IP, Hostnames: h.Hostnames})
		}
	}
	for i, s := range spec.ImagePullSecrets {
		p := sp.f("imagePullSecrets").i(i)
		if b.take(w, p, diag.Path("imagePullSecrets").Index(len(b.wi.ImagePullSecrets))) {
			b.wi.ImagePullSecrets = append(b.wi.ImagePullSecrets, s.Name)
		}
	}
	if a := spec.AutomountServiceAccountToken; a != nil && b.take(w, sp.f("automountServiceAccountToken"), "automountServiceAccountToken") {
		b.wi.AutomountServiceAccountToken = copyPtr(a)
	}
	if h := spec.Hostname; h != "" && b.take(w, sp.f("hostname"), "hostname") {
		b.wi.Hostname = h
	}
	if s := spec.Subdomain; s != "" && b.take(w, sp.f("subdomain"), "subdomain") {
		b.wi.Subdomain = s
	}
}
