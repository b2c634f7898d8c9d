package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// resources compiles requests and limits. A limit without a request sets
// the request equal to the limit, written out and reported.
func (b *builder) resources(p diag.Path, rs *podcv1.Resources) (corev1.ResourceRequirements, error) {
	var out corev1.ResourceRequirements
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
		rp := p.Field(k.field)
		if lim := k.r.GetLimit(); lim != "" {
			q, err := intent.ParseQuantity(lim, k.kind)
			if err != nil {
				return out, fmt.Errorf("compile %s: %w", rp.Field("limit"), err)
			}
			if out.Limits == nil {
				out.Limits = corev1.ResourceList{}
			}
			out.Limits[k.name] = q
		}
		req := k.r.GetRequest()
		if req == "" && k.r.GetLimit() != "" {
			req = k.r.GetLimit()
			q := out.Limits[k.name]
			b.def(rp.Field("request"), q.String(), "unset: a limit without a request sets the request equal to the limit")
		}
		if req != "" {
			q, err := intent.ParseQuantity(req, k.kind)
			if err != nil {
				return out, fmt.Errorf("compile %s: %w", rp.Field("request"), err)
			}
			if out.Requests == nil {
				out.Requests = corev1.ResourceList{}
			}
			out.Requests[k.name] = q
		}
	}
	return out, nil
}
