package intent

import (
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// resources checks a container's requests and limits: each a quantity, not
// negative, the request no more than the limit.
func (c *checker) resources(p diag.Path, rs *podcv1.Resources) {
	c.resource(p.Field("cpu"), rs.GetCpu(), "cpu")
	c.resource(p.Field("memory"), rs.GetMemory(), "memory")
	c.resource(p.Field("ephemeralStorage"), rs.GetEphemeralStorage(), "memory")
	c.extended(p.Field("extended"), rs.GetExtended())
}

func (c *checker) resource(p diag.Path, r *podcv1.Resource, kind string) {
	var (
		reqOK, limOK bool
		rq, lq       resource.Quantity
		req, lim     = r.GetRequest(), r.GetLimit()
	)
	if req != "" {
		rq, reqOK = c.quantity(p.Field("request"), req, kind)
	}
	if lim != "" {
		lq, limOK = c.quantity(p.Field("limit"), lim, kind)
	}
	if reqOK && limOK && rq.Cmp(lq) > 0 {
		c.addf(p.Field("request"), "%s is more than the limit %s: the request must not exceed the limit", req, lim)
	}
}
