package compile

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// plumbing compiles the pod's DNS, host aliases, image pull secrets,
// service account token mount, host name and subdomain into spec and
// records them under the pod spec's node sn; the DNS policy is written out
// when unset.
func (b *builder) plumbing(spec *corev1.PodSpec, sn provenance.Node) {
	wi := b.wi
	r := b.rec
	spec.DNSPolicy = corev1.DNSClusterFirst
	switch wi.GetDnsPolicy() {
	case podcv1.DnsPolicy_DNS_POLICY_CLUSTER_FIRST_WITH_HOST_NET:
		spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	case podcv1.DnsPolicy_DNS_POLICY_DEFAULT:
		spec.DNSPolicy = corev1.DNSDefault
	case podcv1.DnsPolicy_DNS_POLICY_NONE:
		spec.DNSPolicy = corev1.DNSNone
	case podcv1.DnsPolicy_DNS_POLICY_UNSPECIFIED:
		reason := "unset: the cluster's DNS first, then the node's upstream servers"
		if wi.GetHostNetwork() {
			reason = "unset: with hostNetwork, ClusterFirst resolves with the node's resolver; DNS_POLICY_CLUSTER_FIRST_WITH_HOST_NET resolves cluster names"
		}
		b.def("dnsPolicy", "DNS_POLICY_CLUSTER_FIRST", reason)
	}
	r.Field(sn, "dnsPolicy", from(wi.GetDnsPolicy() != podcv1.DnsPolicy_DNS_POLICY_UNSPECIFIED, b.in("dnsPolicy")))
	if d := wi.GetDnsConfig(); d != nil && (len(d.GetNameservers())+len(d.GetSearches())+len(d.GetOptions()) > 0) {
		dp := b.in("dnsConfig")
		dn := b.put(sn, "dnsConfig", dp)
		cfg := &corev1.PodDNSConfig{Nameservers: copyStrings(d.GetNameservers()), Searches: copyStrings(d.GetSearches())}
		b.putStrings(dn, "nameservers", r.In(dp, "nameservers"), len(cfg.Nameservers))
		b.putStrings(dn, "searches", r.In(dp, "searches"), len(cfg.Searches))
		if len(d.GetOptions()) > 0 {
			op := r.In(dp, "options")
			list := b.put(dn, "options", op)
			for i, o := range d.GetOptions() {
				ep := r.At(op, i)
				en := r.Index(list, i, provenance.FromIntent(ep))
				b.put(en, "name", r.In(ep, "name"))
				opt := corev1.PodDNSConfigOption{Name: o.GetName()}
				if o.Value != nil {
					v := o.GetValue()
					opt.Value = &v
					b.put(en, "value", r.In(ep, "value"))
				}
				cfg.Options = append(cfg.Options, opt)
			}
		}
		spec.DNSConfig = cfg
	}
	if hs := wi.GetHostAliases(); len(hs) > 0 {
		hp := b.in("hostAliases")
		list := b.put(sn, "hostAliases", hp)
		for i, h := range hs {
			ep := r.At(hp, i)
			en := r.Index(list, i, provenance.FromIntent(ep))
			b.put(en, "ip", r.In(ep, "ip"))
			b.putStrings(en, "hostnames", r.In(ep, "hostnames"), len(h.GetHostnames()))
			spec.HostAliases = append(spec.HostAliases, corev1.HostAlias{IP: h.GetIp(), Hostnames: copyStrings(h.GetHostnames())})
		}
	}
	if ss := wi.GetImagePullSecrets(); len(ss) > 0 {
		sp := b.in("imagePullSecrets")
		list := b.put(sn, "imagePullSecrets", sp)
		for i, s := range ss {
			b.put(r.Index(list, i, provenance.FromIntent(r.At(sp, i))), "name", r.At(sp, i))
			spec.ImagePullSecrets = append(spec.ImagePullSecrets, corev1.LocalObjectReference{Name: s})
		}
	}
	if wi.AutomountServiceAccountToken != nil {
		spec.AutomountServiceAccountToken = copyPtr(wi.AutomountServiceAccountToken)
		b.put(sn, "automountServiceAccountToken", b.in("automountServiceAccountToken"))
	}
	if h := wi.GetHostname(); h != "" {
		spec.Hostname = h
		b.put(sn, "hostname", b.in("hostname"))
	}
	if s := wi.GetSubdomain(); s != "" {
		spec.Subdomain = s
		b.put(sn, "subdomain", b.in("subdomain"))
	}
}
