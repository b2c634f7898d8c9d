package importer

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
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
	extended := map[string]bool{}
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
			switch {
			case name == corev1.ResourceCPU, name == corev1.ResourceMemory, name == corev1.ResourceEphemeralStorage:
			case strings.Contains(string(name), "/"):
				extended[string(name)] = true
			default:
				b.why(w, p.f(m.field).k(string(name)), fmt.Sprintf("the intent's resources are cpu, memory, ephemeral storage and extended resources qualified by a domain (nvidia.com/gpu), not %s", name))
				if _, req := rr.Requests[name]; m.field == "limits" && !req && w.pod != nil {
					b.lose(w, p.f("requests").k(string(name)), "unset, and the apiserver sets it from the limit, which is lost")
				}
			}
		}
	}
	for _, name := range sortedKeys(extended) {
		if e := b.extendedResource(w, p, rr, corev1.ResourceName(name), ip.Field("extended").Index(len(out.Extended))); e != nil {
			out.Extended = append(out.Extended, e)
			set = true
		}
	}
	if !set {
		return nil
	}
	return out
}

// extendedResource maps the limit and request of extended resource name
// (a device, "nvidia.com/gpu"), nil when it is refused. A request equal to
// the limit is what compile writes when it is unset; the apiserver does
// the same for a Pod, not for a pod template, so in a Deployment an unset
// request is a loss.
func (b *builder) extendedResource(w *object, p fieldPath, rr corev1.ResourceRequirements, name corev1.ResourceName, ip diag.Path) *podcv1.ExtendedResource {
	lp, rp := p.f("limits").k(string(name)), p.f("requests").k(string(name))
	lim, hasLim := rr.Limits[name]
	req, hasReq := rr.Requests[name]
	switch {
	case !hasLim:
		b.why(w, rp, "a device's request without a limit: the intent's extended resources have a limit")
		return nil
	case b.dropped(w, lp):
		b.why(w, rp, b.drops[dropKey(w, lp)])
		return nil
	}
	e := &podcv1.ExtendedResource{Name: string(name), Limit: lim.String()}
	b.use(w, lp)
	b.record(ip, w, lp, false)
	switch {
	case hasReq && req.Cmp(lim) == 0:
		b.use(w, rp)
	case hasReq:
		e.Request = req.String()
		b.use(w, rp)
	case w.deployment != nil:
		b.lose(w, rp, fmt.Sprintf("unset, but compile sets a device's request equal to its limit, %s (the apiserver does so for each pod it creates, not for the pod template)", e.Limit))
	}
	return e
}

// podResources maps the pod's own cpu and memory requests and limits at
// p, after the containers. For a limit without a request compile writes
// the containers' requests together (or the limit), as the apiserver does
// for a Pod: where the apiserver's defaulting does not give the same (a
// pod template), that request is a loss.
func (b *builder) podResources(w *object, p fieldPath, rr *corev1.ResourceRequirements) {
	if rr == nil {
		return
	}
	out := &podcv1.PodResources{}
	ip := diag.Path("resources")
	for _, k := range []struct {
		name  corev1.ResourceName
		field string
		into  **podcv1.Resource
	}{{corev1.ResourceCPU, "cpu", &out.Cpu}, {corev1.ResourceMemory, "memory", &out.Memory}} {
		r := &podcv1.Resource{}
		lp, rp := p.f("limits").k(string(k.name)), p.f("requests").k(string(k.name))
		lim, hasLim := rr.Limits[k.name]
		req, hasReq := rr.Requests[k.name]
		if hasLim && b.take(w, lp, ip.Field(k.field).Field("limit")) {
			r.Limit = lim.String()
		}
		if hasReq && b.take(w, rp, ip.Field(k.field).Field("request")) {
			r.Request = req.String()
		}
		if r.Limit == "" && r.Request == "" {
			continue
		}
		*k.into = r
		if r.Request != "" {
			continue
		}
		want, some := intent.ContainerRequests(b.wi, k.field)
		if !some {
			want = lim
		}
		var got resource.Quantity
		defaulted := false
		if d := b.defaulted.spec.Resources; d != nil {
			got, defaulted = d.Requests[k.name]
		}
		if !defaulted || got.Cmp(want) != 0 {
			b.lose(w, rp, fmt.Sprintf("unset, but compile sets the pod's request to %s, what its containers request together (or the limit when none requests it)", want.String()))
		}
	}
	for _, f := range []string{"limits", "requests"} {
		for name := range map[string]corev1.ResourceList{"limits": rr.Limits, "requests": rr.Requests}[f] {
			if name != corev1.ResourceCPU && name != corev1.ResourceMemory {
				b.why(w, p.f(f).k(string(name)), fmt.Sprintf("the intent's pod resources are cpu and memory, not %s", name))
			}
		}
	}
	if out.Cpu != nil || out.Memory != nil {
		b.wi.Resources = out
	}
}
