package randintent

import (
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// plumbing sets the pod's DNS, host aliases, image pull secrets, token
// mount, host name and subdomain now and then.
func (b *builder) plumbing() {
	wi := b.wi
	wi.DnsPolicy = pick(b, podcv1.DnsPolicy_DNS_POLICY_UNSPECIFIED, podcv1.DnsPolicy_DNS_POLICY_UNSPECIFIED, podcv1.DnsPolicy_DNS_POLICY_CLUSTER_FIRST,
		podcv1.DnsPolicy_DNS_POLICY_CLUSTER_FIRST_WITH_HOST_NET, podcv1.DnsPolicy_DNS_POLICY_DEFAULT, podcv1.DnsPolicy_DNS_POLICY_NONE)
	if wi.DnsPolicy == podcv1.DnsPolicy_DNS_POLICY_NONE || b.chance(0.15) {
		d := &podcv1.DnsConfig{}
		for range b.between(0, 3) {
			d.Nameservers = append(d.Nameservers, pick(b, "10.96.0.10", "1.1.1.1", "2001:db8::53", "8.8.8.8"))
		}
		if wi.DnsPolicy == podcv1.DnsPolicy_DNS_POLICY_NONE && len(d.Nameservers) == 0 {
			d.Nameservers = []string{"10.96.0.10"}
		}
		for range b.between(0, 2) {
			d.Searches = append(d.Searches, pick(b, "svc.cluster.local", "example.com.", "my_corp.internal", "."))
		}
		if b.chance(0.5) {
			o := &podcv1.DnsOption{Name: pick(b, "ndots", "edns0", "timeout")}
			if o.Name != "edns0" {
				v := pick(b, "1", "2", "5")
				o.Value = &v
			}
			d.Options = append(d.Options, o)
		}
		wi.DnsConfig = d
	}
	if b.chance(0.1) {
		wi.HostAliases = []*podcv1.HostAlias{{Ip: pick(b, "10.1.2.3", "127.0.0.2", "fd00::1"), Hostnames: []string{b.dnsSubdomain()}}}
	}
	if b.chance(0.15) {
		wi.ImagePullSecrets = []string{b.dnsSubdomain()}
	}
	if b.chance(0.2) {
		v := b.chance(0.5)
		wi.AutomountServiceAccountToken = &v
	}
	if b.chance(0.1) {
		wi.Hostname = b.dnsLabel(1, 20)
		if b.chance(0.5) {
			wi.Subdomain = b.dnsLabel(1, 20)
		}
	}
}

// terminal gives a container stdin, and now and then a terminal with it.
func (b *builder) terminal(c *podcv1.Container) {
	if b.chance(0.1) {
		c.Stdin = true
		c.Tty = b.chance(0.5)
		c.StdinOnce = b.chance(0.3)
	}
}
