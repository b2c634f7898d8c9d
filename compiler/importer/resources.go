package importer

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// resources maps the cpu, memory and ephemeral storage requests and
// limits. Compile writes a limit without a request as a request equal to
// the limit; the apiserver does the same for a Pod, not for a pod
// template, so in a Deployment that request is a loss.
func (b *builder) resources(w *object, p fieldPath, rr corev1.ResourceRequirements, ip diag.Path) *podcv1.Resources {
	out := &podcv1.Resources{}
	kinds := []struct {
		name  corev1.ResourceName
		field string
		into  **podcv1.Resource
	}{
		{corev1.ResourceCPU, "cpu", &out.Cpu},
		{corev1.ResourceMemory, "memory", &out.Memory},
		{corev1.ResourceEphemeralStorage, "ephemeralStorage", &out.EphemeralStorage},
	}
	set := false
	for _, k := range kinds {
		r := &podcv1.Resource{}
		lp, rp := p.f("limits").k(string(k.name)), p.f("requests").k(string(k.name))
		lim, hasLim := rr.Limits[k.name]
		req, hasReq := rr.Requests[k.name]
		if hasLim && !b.dropped(w, lp) {
			r.Limit = lim.String()
			b.use(w, lp)
			b.record(ip.Field(k.field).Field("limit"), w, lp, false)
		}
		if hasReq && !b.dropped(w, rp) {
			r.Request = req.String()
			b.use(w, rp)
			b.record(ip.Field(k.field).Field("request"), w, rp, false)
		}
		if r.Limit != "" && !hasReq && w.deployment != nil {
			b.lose(w, rp, fmt.Sprintf("unset, but compile sets the request equal to the limit, %s (the apiserver does so for each pod it creates, not for the pod template)", r.Limit))
		}
		if r.Limit != "" || r.Request != "" {
			*k.into = r
			set = true
		}
	}
	for _, m := range []struct {
		field string
		list  corev1.ResourceList
	}{{"limits", rr.Limits}, {"requests", rr.Requests}} {
		for name := range m.list {
			switch name {
			case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
			default:
				b.why(w, p.f(m.field).k(string(name)), "podc import reads cpu, memory and ephemeral-storage: the intent can say other resources, but podc import does not read them yet")
				if _, req := rr.Requests[name]; m.field == "limits" && !req && w.pod != nil {
					b.lose(w, p.f("requests").k(string(name)), "unset, and the apiserver sets it from the limit, which is lost")
				}
			}
		}
	}
	if !set {
		return nil
	}
	return out
}
