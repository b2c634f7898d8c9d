package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// none stands for a node not recorded yet.
const none provenance.Node = -1

// resources compiles requests and limits and records them under the
// container's node n, from the intent resources ip. A limit without a
// request sets the request equal to the limit, written out and reported.
func (b *builder) resources(p diag.Path, n provenance.Node, ip provenance.Path, rs *podcv1.Resources) (corev1.ResourceRequirements, error) {
	var out corev1.ResourceRequirements
	r := b.rec
	// The resources, limits and requests nodes are recorded when the
	// first quantity is written into them.
	rn, limits, requests := none, none, none
	node := func(m *provenance.Node, name string) provenance.Node {
		if rn == none {
			rn = b.put(n, "resources", ip)
		}
		if *m == none {
			*m = r.Field(rn, name, provenance.Holder)
		}
		return *m
	}
	kinds := []struct {
		field string
		name  corev1.ResourceName
		r     *podcv1.Resource
		kind  string
	}{
		{"cpu", corev1.ResourceCPU, rs.GetCpu(), "cpu"},
		{"memory", corev1.ResourceMemory, rs.GetMemory(), "memory"},
		{"ephemeralStorage", corev1.ResourceEphemeralStorage, rs.GetEphemeralStorage(), "memory"},
	}
	for _, k := range kinds {
		// rp is the intent path of k's request or limit, made only for a
		// default or an error.
		rp := func(which string) diag.Path { return p + "." + diag.Path(k.field) + "." + diag.Path(which) }
		if lim := k.r.GetLimit(); lim != "" {
			if err := putQuantity(&out.Limits, k.name, lim, k.kind, func() diag.Path { return rp("limit") }); err != nil {
				return out, err
			}
			r.Key(node(&limits, "limits"), string(k.name), provenance.FromIntent(r.In(r.In(ip, k.field), "limit")))
		}
		req := k.r.GetRequest()
		explicit := req != ""
		if req == "" && k.r.GetLimit() != "" {
			req = k.r.GetLimit()
			q := out.Limits[k.name]
			b.def(rp("request"), q.String(), "unset: a limit without a request sets the request equal to the limit")
		}
		if req != "" {
			q, err := intent.ParseQuantity(req, k.kind)
			if err != nil {
				return out, fmt.Errorf("compile %s: %w", rp("request"), err)
			}
			if out.Requests == nil {
				out.Requests = corev1.ResourceList{}
			}
			out.Requests[k.name] = q
			r.Key(node(&requests, "requests"), string(k.name), from(explicit, r.In(r.In(ip, k.field), "request")))
		}
	}
	// Extended resources: the limit, and the request equal to it, written
	// out when unset.
	ep := r.In(ip, "extended")
	for i, e := range rs.GetExtended() {
		xp := p.Field("extended").Index(i)
		xip := r.At(ep, i)
		q, err := intent.ParseQuantity(e.GetLimit(), "count")
		if err != nil {
			return out, fmt.Errorf("compile %s: %w", xp.Field("limit"), err)
		}
		name := corev1.ResourceName(e.GetName())
		if out.Limits == nil {
			out.Limits = corev1.ResourceList{}
		}
		if out.Requests == nil {
			out.Requests = corev1.ResourceList{}
		}
		out.Limits[name] = q
		out.Requests[name] = q.DeepCopy()
		r.Key(node(&limits, "limits"), e.GetName(), provenance.FromIntent(r.In(xip, "limit")))
		r.Key(node(&requests, "requests"), e.GetName(), from(e.GetRequest() != "", r.In(xip, "request")))
		if e.GetRequest() == "" {
			b.def(xp.Field("request"), q.String(), "unset: a device's request equals its limit")
		}
	}
	return out, nil
}

// putQuantity parses s, a quantity of kind, into rl under name, making rl
// when it is nil; an error names the intent field at() makes.
func putQuantity(rl *corev1.ResourceList, name corev1.ResourceName, s, kind string, at func() diag.Path) error {
	q, err := intent.ParseQuantity(s, kind)
	if err != nil {
		return fmt.Errorf("compile %s: %w", at(), err)
	}
	if *rl == nil {
		*rl = corev1.ResourceList{}
	}
	(*rl)[name] = q
	return nil
}
