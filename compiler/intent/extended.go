package intent

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// extended checks a container's extended resources: a name qualified by
// a domain other than kubernetes.io, each once, a whole limit, and a
// request, when given, equal to it.
func (c *checker) extended(p diag.Path, es []*podcv1.ExtendedResource) {
	seen := map[string]int{}
	for i, e := range es {
		ep := p.Index(i)
		name := e.GetName()
		switch {
		case name == "":
			c.addf(ep.Field("name"), "required: a resource name qualified by a domain, such as \"nvidia.com/gpu\"")
		case !strings.Contains(name, "/"):
			c.addf(ep.Field("name"), "%q is not an extended resource: its name is qualified by a domain, such as \"nvidia.com/gpu\" (cpu, memory and ephemeral storage have fields of their own)", name)
		case c.addMsgs(ep.Field("name"), "resource name", name, validation.IsQualifiedName(name)):
		case nativeDomain(name):
			c.addf(ep.Field("name"), "%q is in the kubernetes.io domain, which Kubernetes keeps for its own resources", name)
		case strings.HasPrefix(name, "requests."):
			c.addf(ep.Field("name"), "%q: a name starting with \"requests.\" is reserved for quotas", name)
		default:
			if j, dup := seen[name]; dup {
				c.addf(ep.Field("name"), "duplicate resource %q: also at extended[%d]", name, j)
			}
			seen[name] = i
		}
		var lim resource.Quantity
		limOK := false
		if l := e.GetLimit(); l == "" {
			c.addf(ep.Field("limit"), "required: devices are not shared, so a container says how many it gets")
		} else {
			lim, limOK = c.quantity(ep.Field("limit"), l, "count")
		}
		if r := e.GetRequest(); r != "" {
			if req, ok := c.quantity(ep.Field("request"), r, "count"); ok && limOK && req.Cmp(lim) != 0 {
				c.addf(ep.Field("request"), "%s is not the limit %s: devices are not shared, so the request equals the limit (leave it unset)", r, e.GetLimit())
			}
		}
	}
}

// nativeDomain reports whether a qualified resource name is in the
// kubernetes.io domain, or a subdomain of it.
func nativeDomain(name string) bool {
	domain, _, _ := strings.Cut(name, "/")
	return domain == "kubernetes.io" || strings.HasSuffix(domain, ".kubernetes.io")
}

// podResources checks the pod's own requests and limits: the target has
// them, each a quantity, the request no more than the limit, at least what
// the containers request together, and the limit at least each container's.
func (c *checker) podResources() {
	rs := c.wi.GetResources()
	if rs == nil {
		return
	}
	p := diag.Path("resources")
	if !c.opts.Target.Has(target.PodResources) {
		c.addf(p, "pod-level resources need Kubernetes 1.%d or newer; the target is %s: set each container's", target.PodResources.Since, c.opts.Target)
		return
	}
	for _, k := range []struct {
		field, kind string
		r           *podcv1.Resource
	}{{"cpu", "cpu", rs.GetCpu()}, {"memory", "memory", rs.GetMemory()}} {
		rp := p.Field(k.field)
		c.resource(lazyAt(rp), k.r, k.kind)
		var lim resource.Quantity
		limOK := false
		if l := k.r.GetLimit(); l != "" {
			q, err := ParseQuantity(l, k.kind)
			lim, limOK = q, err == nil
		}
		sum, some := ContainerRequests(c.wi, k.field)
		if r := k.r.GetRequest(); r != "" {
			if req, err := ParseQuantity(r, k.kind); err == nil && req.Cmp(sum) < 0 {
				c.addf(rp.Field("request"), "%s is less than the containers request together (%s): the pod's request covers theirs", r, sum.String())
			}
		} else if limOK && some && sum.Cmp(lim) > 0 {
			c.addf(rp.Field("limit"), "%s is less than the containers request together (%s), which the pod's request is set to", k.r.GetLimit(), sum.String())
		}
		if !limOK {
			continue
		}
		for _, r := range c.all() {
			cl := containerResource(r.c.GetResources(), k.field).GetLimit()
			if q, err := ParseQuantity(cl, k.kind); cl != "" && err == nil && q.Cmp(lim) > 0 {
				c.addf(rp.Field("limit"), "%s is less than the limit %s of %s: a container's limit is within the pod's", k.r.GetLimit(), cl, r.path)
			}
		}
	}
}

// containerResource returns a container's cpu or memory resource.
func containerResource(rs *podcv1.Resources, name string) *podcv1.Resource {
	if name == "cpu" {
		return rs.GetCpu()
	}
	return rs.GetMemory()
}

// ContainerRequests returns what the pod's containers request of cpu or
// memory together, as the kubelet counts it: the app containers and
// sidecars together, or an init step and the sidecars (which start before
// it), whichever is more. A container's request is its limit when it sets
// only that. some reports whether a container requests the resource at all.
// Quantities that do not parse count as none (the checks report them).
func ContainerRequests(wi *podcv1.WorkloadIntent, name string) (sum resource.Quantity, some bool) {
	kind := name
	if name != "cpu" {
		kind = "memory"
	}
	req := func(ct *podcv1.Container) resource.Quantity {
		r := containerResource(ct.GetResources(), name)
		s := r.GetRequest()
		if s == "" {
			s = r.GetLimit()
		}
		if s == "" {
			return resource.Quantity{}
		}
		some = true
		q, err := ParseQuantity(s, kind)
		if err != nil {
			return resource.Quantity{}
		}
		return q
	}
	var sidecars, running resource.Quantity
	for _, ct := range wi.GetSidecars() {
		sidecars.Add(req(ct))
	}
	running = sidecars.DeepCopy()
	for _, ct := range wi.GetContainers() {
		running.Add(req(ct))
	}
	sum = running
	for _, ct := range wi.GetInitSteps() {
		q := req(ct)
		q.Add(sidecars)
		if q.Cmp(sum) > 0 {
			sum = q
		}
	}
	return sum, some
}
