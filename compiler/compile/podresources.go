package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// podResources compiles the pod's own requests and limits and records them
// under the pod spec's node sn; nil when the intent sets none. A limit
// without a request sets the request to what the containers request
// together, or to the limit when none requests the resource, as the
// kube-apiserver would: written out and reported.
func (b *builder) podResources(sn provenance.Node) (*corev1.ResourceRequirements, error) {
	rs := b.wi.GetResources()
	if rs.GetCpu().GetRequest()+rs.GetCpu().GetLimit()+rs.GetMemory().GetRequest()+rs.GetMemory().GetLimit() == "" {
		return nil, nil
	}
	r := b.rec
	ip := b.in("resources")
	rn := b.put(sn, "resources", ip)
	out := &corev1.ResourceRequirements{}
	limits, requests := none, none
	node := func(m *provenance.Node, name string) provenance.Node {
		if *m == none {
			*m = r.Field(rn, name, provenance.Holder)
		}
		return *m
	}
	for _, k := range []struct {
		field string
		name  corev1.ResourceName
		r     *podcv1.Resource
		kind  string
	}{
		{"cpu", corev1.ResourceCPU, rs.GetCpu(), "cpu"},
		{"memory", corev1.ResourceMemory, rs.GetMemory(), "memory"},
	} {
		p := diag.Path("resources").Field(k.field)
		kp := r.In(ip, k.field)
		if l := k.r.GetLimit(); l != "" {
			if err := putQuantity(&out.Limits, k.name, l, k.kind, func() diag.Path { return p.Field("limit") }); err != nil {
				return nil, err
			}
			r.Key(node(&limits, "limits"), string(k.name), provenance.FromIntent(r.In(kp, "limit")))
		}
		req := k.r.GetRequest()
		var q corev1.ResourceList
		switch {
		case req != "":
			v, err := intent.ParseQuantity(req, k.kind)
			if err != nil {
				return nil, fmt.Errorf("compile %s: %w", p.Field("request"), err)
			}
			q = corev1.ResourceList{k.name: v}
		case k.r.GetLimit() != "":
			v, some := intent.ContainerRequests(b.wi, k.field)
			reason := "unset: the containers' requests together, which the pod's covers"
			if !some {
				v = out.Limits[k.name].DeepCopy()
				reason = "unset: no container requests it, so the request is the pod's limit"
			}
			q = corev1.ResourceList{k.name: v}
			b.def(p.Field("request"), v.String(), reason)
		}
		for name, v := range q {
			if out.Requests == nil {
				out.Requests = corev1.ResourceList{}
			}
			out.Requests[name] = v
			r.Key(node(&requests, "requests"), string(name), from(req != "", r.In(kp, "request")))
		}
	}
	return out, nil
}
