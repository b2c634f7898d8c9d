package randintent

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// extended gives a container devices now and then: a limit, and the
// request equal to it or unset.
func (b *builder) extended(rs *podcv1.Resources) {
	if !b.chance(0.1) {
		return
	}
	for i, name := range []string{"nvidia.com/gpu", "example.com/fpga"}[:b.between(1, 2)] {
		e := &podcv1.ExtendedResource{Name: name, Limit: fmt.Sprint(b.between(0, 4))}
		if b.chance(0.5) {
			e.Request = e.Limit
		}
		if i == 0 && b.chance(0.3) {
			e.Limit = pick(b, "1k", "2e0")
			e.Request = ""
		}
		rs.Extended = append(rs.Extended, e)
	}
}

// podResources sets the pod's own cpu and memory now and then, where the
// target has them: a limit at least every container's limit and what they
// request together, and a request, when set, between the two.
func (b *builder) podResources() {
	if !b.opts.Target.Has(target.PodResources) || !b.chance(0.2) {
		return
	}
	rs := &podcv1.PodResources{}
	for _, k := range []struct {
		name, kind string
		extra      string
		set        **podcv1.Resource
	}{{"cpu", "cpu", "500m", &rs.Cpu}, {"memory", "memory", "64Mi", &rs.Memory}} {
		if !b.chance(0.7) {
			continue
		}
		sum, _ := intent.ContainerRequests(b.wi, k.name)
		base := sum.DeepCopy()
		for _, cs := range [][]*podcv1.Container{b.wi.InitSteps, b.wi.Containers, b.wi.Sidecars} {
			for _, c := range cs {
				r := c.GetResources().GetCpu()
				if k.name == "memory" {
					r = c.GetResources().GetMemory()
				}
				if q, err := intent.ParseQuantity(r.GetLimit(), k.kind); r.GetLimit() != "" && err == nil && q.Cmp(base) > 0 {
					base = q
				}
			}
		}
		extra := resource.MustParse(k.extra)
		lim := base.DeepCopy()
		lim.Add(extra)
		r := &podcv1.Resource{Limit: lim.String()}
		if b.chance(0.5) {
			req := sum.DeepCopy()
			if b.chance(0.5) {
				req.Add(resource.MustParse(k.extra))
				if req.Cmp(lim) > 0 {
					req = lim.DeepCopy()
				}
			}
			r.Request = req.String()
			if req.IsZero() {
				r.Request = "0"
			}
		}
		*k.set = r
	}
	if rs.Cpu != nil || rs.Memory != nil {
		b.wi.Resources = rs
	}
}
