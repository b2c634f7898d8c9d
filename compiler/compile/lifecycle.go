package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// gracePeriod writes the pod's termination grace period, the default when
// the intent sets none, and records it under the pod spec's node spec.
func (b *builder) gracePeriod(spec provenance.Node) *int64 {
	g := intent.GracePeriod(b.wi)
	set := b.wi.TerminationGracePeriodSeconds != nil
	b.rec.Field(spec, "terminationGracePeriodSeconds", from(set, b.in("terminationGracePeriodSeconds")))
	if !set {
		b.def("terminationGracePeriodSeconds", fmt.Sprint(g), "unset: containers get the Kubernetes default to stop before they are killed")
	}
	return &g
}

// lifecycle compiles a container's hooks at intent path p, recorded as
// field lifecycle of the container's node n from the intent lifecycle lp;
// nil when there are none.
func (b *builder) lifecycle(p diag.Path, n provenance.Node, lp provenance.Path, lc *podcv1.Lifecycle) *corev1.Lifecycle {
	if lc.GetPostStart() == nil && lc.GetPreStop() == nil {
		return nil
	}
	ln := b.put(n, "lifecycle", lp)
	return &corev1.Lifecycle{
		PostStart: b.hook(p.Field("postStart"), ln, "postStart", b.rec.In(lp, "postStart"), lc.GetPostStart()),
		PreStop:   b.hook(p.Field("preStop"), ln, "preStop", b.rec.In(lp, "preStop"), lc.GetPreStop()),
	}
}

// hook compiles one hook, recorded as field name of node ln from the
// intent hook hp; nil stays nil.
func (b *builder) hook(p diag.Path, ln provenance.Node, name string, hp provenance.Path, h *podcv1.LifecycleHandler) *corev1.LifecycleHandler {
	if h == nil {
		return nil
	}
	r := b.rec
	hn := b.put(ln, name, hp)
	out := &corev1.LifecycleHandler{}
	switch a := h.GetHandler().(type) {
	case *podcv1.LifecycleHandler_Exec:
		out.Exec = &corev1.ExecAction{Command: copyStrings(a.Exec.GetCommand())}
		ep := r.In(hp, "exec")
		b.putStrings(b.put(hn, "exec", ep), "command", r.In(ep, "command"), len(out.Exec.Command))
	case *podcv1.LifecycleHandler_HttpGet:
		out.HTTPGet = b.httpGet(p.Field("httpGet"), hn, r.In(hp, "httpGet"), a.HttpGet, "hook")
	case *podcv1.LifecycleHandler_Sleep:
		out.Sleep = &corev1.SleepAction{Seconds: a.Sleep.GetSeconds()}
		sp := r.In(hp, "sleep")
		b.put(b.put(hn, "sleep", sp), "seconds", r.In(sp, "seconds"))
	}
	return out
}
