package intent

import (
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/podc-dev/podc/compiler/diag"
)

// volumes checks the declared volumes and returns their names, for mounts.
func (c *checker) volumes() map[string]bool {
	names := map[string]bool{}
	seen := map[string]int{}
	for i, v := range c.wi.GetVolumes() {
		p := diag.Path("volumes").Index(i)
		name := v.GetName()
		switch {
		case name == "":
			c.addf(p.Field("name"), "required: a DNS-1123 label")
		case c.addMsgs(p.Field("name"), "volume name", name, content.IsDNS1123Label(name)):
		default:
			if j, dup := seen[name]; dup {
				c.addf(p.Field("name"), "duplicate volume name %q: also declared at volumes[%d]", name, j)
			} else {
				seen[name] = i
			}
		}
		if name != "" {
			names[name] = true
		}
		switch {
		case v.GetScratch() != nil:
			if s := v.GetScratch().GetSizeLimit(); s != "" {
				c.quantity(p.Field("scratch").Field("sizeLimit"), s, "memory")
			}
		case v.GetConfig() != nil:
			cp := p.Field("config")
			c.objectName(cp.Field("name"), "ConfigMap", v.GetConfig().GetName())
			c.keyItems(cp.Field("items"), "ConfigMap", v.GetConfig().GetItems(), map[string]diag.Path{})
			c.fileMode(cp.Field("defaultMode"), v.GetConfig().DefaultMode)
		case v.GetSecret() != nil:
			sp := p.Field("secret")
			c.objectName(sp.Field("name"), "Secret", v.GetSecret().GetName())
			c.keyItems(sp.Field("items"), "Secret", v.GetSecret().GetItems(), map[string]diag.Path{})
			c.fileMode(sp.Field("defaultMode"), v.GetSecret().DefaultMode)
		case v.GetPersistent() != nil:
			c.objectName(p.Field("persistent").Field("claimName"), "PersistentVolumeClaim", v.GetPersistent().GetClaimName())
		case v.GetProjected() != nil:
			c.projected(p.Field("projected"), v.GetProjected())
		case v.GetDownwardApi() != nil:
			dp := p.Field("downwardApi")
			c.downwardFiles(dp.Field("items"), v.GetDownwardApi().GetItems(), map[string]diag.Path{})
			c.fileMode(dp.Field("defaultMode"), v.GetDownwardApi().DefaultMode)
		default:
			c.addf(p, "exactly one source is required: scratch, config, secret, persistent, projected or downwardApi")
		}
	}
	return names
}

// objectName checks the name of a ConfigMap, Secret or claim: required, a
// DNS-1123 subdomain.
func (c *checker) objectName(p diag.Path, kind, name string) {
	if name == "" {
		c.addf(p, "required: the name of the %s", kind)
		return
	}
	c.addMsgs(p, kind+" name", name, content.IsDNS1123Subdomain(name))
}

// quantity parses a Kubernetes quantity and refuses malformed or negative
// ones. kind ("cpu" or "memory") picks the example in the message.
// quantityAt is quantity at lazy path p, written out only for a finding.
func (c *checker) quantityAt(p *lazyPath, s, kind string) (resource.Quantity, bool) {
	q, err := ParseQuantity(s, kind)
	if err != nil {
		c.addf(p.path(), "%v", err)
		return q, false
	}
	return q, true
}

func (c *checker) quantity(p diag.Path, s, kind string) (resource.Quantity, bool) {
	q, err := ParseQuantity(s, kind)
	if err != nil {
		c.addf(p, "%v", err)
		return q, false
	}
	return q, true
}
