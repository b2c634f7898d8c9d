package intent

import (
	"k8s.io/apimachinery/pkg/api/resource"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// resources checks a container's requests and limits: each a quantity, not
// negative, the request no more than the limit.
func (c *checker) resources(p lazyPath, rs *podcv1.Resources) {
	c.resource(p.Field("cpu"), rs.GetCpu(), "cpu")
	c.resource(p.Field("memory"), rs.GetMemory(), "memory")
	c.resource(p.Field("ephemeralStorage"), rs.GetEphemeralStorage(), "memory")
	if ext := rs.GetExtended(); len(ext) > 0 {
		c.extended(p.path().Field("extended"), ext)
	}
}

func (c *checker) resource(p lazyPath, r *podcv1.Resource, kind string) {
	var (
		reqOK, limOK bool
		rq, lq       resource.Quantity
		req, lim     = r.GetRequest(), r.GetLimit()
	)
	if req != "" {
		rp := p.Field("request")
		rq, reqOK = c.quantityAt(&rp, req, kind)
	}
	if lim != "" {
		lp := p.Field("limit")
		lq, limOK = c.quantityAt(&lp, lim, kind)
	}
	if reqOK && limOK && rq.Cmp(lq) > 0 {
		c.addf(p.path().Field("request"), "%s is more than the limit %s: the request must not exceed the limit", req, lim)
	}
}
