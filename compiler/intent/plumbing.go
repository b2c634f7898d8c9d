package intent

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// The kube-apiserver's bounds on a pod's resolver configuration.
const (
	maxNameservers     = 3
	maxSearches        = 32
	maxSearchListBytes = 2048
)

// plumbing checks the pod's DNS, host aliases, image pull secrets, host
// name and subdomain.
func (c *checker) plumbing() {
	wi := c.wi
	if !enumValid(wi.GetDnsPolicy(), podcv1.DnsPolicy_name) {
		c.addf("dnsPolicy", "unknown DNS policy %d: want DNS_POLICY_CLUSTER_FIRST, DNS_POLICY_CLUSTER_FIRST_WITH_HOST_NET, DNS_POLICY_DEFAULT or DNS_POLICY_NONE", wi.GetDnsPolicy())
	}
	if wi.GetDnsPolicy() == podcv1.DnsPolicy_DNS_POLICY_NONE && len(wi.GetDnsConfig().GetNameservers()) == 0 {
		c.addf("dnsConfig.nameservers", "at least one name server is needed with DNS_POLICY_NONE: the pod resolves with dnsConfig alone")
	}
	c.dnsConfig(diag.Path("dnsConfig"), wi.GetDnsConfig())
	for i, h := range wi.GetHostAliases() {
		p := diag.Path("hostAliases").Index(i)
		c.ip(p.Field("ip"), h.GetIp())
		if len(h.GetHostnames()) == 0 {
			c.addf(p.Field("hostnames"), "at least one host name is needed")
		}
		for j, n := range h.GetHostnames() {
			c.addMsgs(p.Field("hostnames").Index(j), "host name", n, content.IsDNS1123Subdomain(n))
		}
	}
	seen := map[string]int{}
	for i, s := range wi.GetImagePullSecrets() {
		p := diag.Path("imagePullSecrets").Index(i)
		c.objectName(p, "Secret", s)
		if j, dup := seen[s]; dup && s != "" {
			c.addf(p, "duplicate Secret %q: also at imagePullSecrets[%d]", s, j)
		}
		seen[s] = i
	}
	if h := wi.GetHostname(); h != "" {
		c.addMsgs("hostname", "host name", h, content.IsDNS1123Label(h))
	}
	if s := wi.GetSubdomain(); s != "" {
		c.addMsgs("subdomain", "subdomain", s, content.IsDNS1123Label(s))
	}
}

// dnsConfig checks the pod's resolver configuration as the kube-apiserver
// does.
func (c *checker) dnsConfig(p diag.Path, d *podcv1.DnsConfig) {
	if d == nil {
		return
	}
	if n := len(d.GetNameservers()); n > maxNameservers {
		c.addf(p.Field("nameservers"), "%d name servers, at most %d", n, maxNameservers)
	}
	for i, ns := range d.GetNameservers() {
		c.ip(p.Field("nameservers").Index(i), ns)
	}
	if n := len(d.GetSearches()); n > maxSearches {
		c.addf(p.Field("searches"), "%d search domains, at most %d", n, maxSearches)
	}
	if n := len(strings.Join(d.GetSearches(), " ")); n > maxSearchListBytes {
		c.addf(p.Field("searches"), "%d characters with the spaces between them, at most %d", n, maxSearchListBytes)
	}
	for i, s := range d.GetSearches() {
		if s == "." {
			continue
		}
		c.addMsgs(p.Field("searches").Index(i), "search domain", s, validation.IsDNS1123SubdomainWithUnderscore(strings.TrimSuffix(s, ".")))
	}
	for i, o := range d.GetOptions() {
		if o.GetName() == "" {
			c.addf(p.Field("options").Index(i).Field("name"), "required: the option's name, such as \"ndots\"")
		}
	}
}

// ip checks an IP address.
func (c *checker) ip(p diag.Path, s string) {
	if s == "" {
		c.addf(p, "required: an IP address")
		return
	}
	for _, e := range validation.IsValidIP(field.NewPath(""), s) {
		c.addf(p, "%q is not an IP address: %s", s, e.Detail)
	}
}
