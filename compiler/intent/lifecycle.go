package intent

import (
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// DefaultTerminationGracePeriodSeconds is the pod's termination grace
// period when the intent sets none: the kube-apiserver's default.
const DefaultTerminationGracePeriodSeconds = 30

// GracePeriod returns the pod's termination grace period in seconds: the
// intent's, else the default.
func GracePeriod(wi *podcv1.WorkloadIntent) int64 {
	if wi.TerminationGracePeriodSeconds != nil {
		return wi.GetTerminationGracePeriodSeconds()
	}
	return DefaultTerminationGracePeriodSeconds
}

// gracePeriod checks the pod's termination grace period.
func (c *checker) gracePeriod() {
	if g := c.wi.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		c.addf("terminationGracePeriodSeconds", "%d is negative: want 0 or more seconds", *g)
	}
}

// lifecycle checks a container's hooks: none on an init step, exactly one
// action each, a sleep the target has and the grace period allows.
func (c *checker) lifecycle(r ref) {
	lc := r.c.GetLifecycle()
	if lc == nil {
		return
	}
	p := r.path.Field("lifecycle")
	if r.role == roleInit {
		c.addf(p, "init steps may not have lifecycle hooks: an init step runs to completion before the app starts")
		return
	}
	c.hook(p.Field("postStart"), lc.GetPostStart(), r.c)
	c.hook(p.Field("preStop"), lc.GetPreStop(), r.c)
}

// hook checks one lifecycle hook of container ct; nil is no hook.
func (c *checker) hook(p diag.Path, h *podcv1.LifecycleHandler, ct *podcv1.Container) {
	if h == nil {
		return
	}
	switch a := h.GetHandler().(type) {
	case *podcv1.LifecycleHandler_Exec:
		if len(a.Exec.GetCommand()) == 0 {
			c.addf(p.Field("exec").Field("command"), "required: the command to run")
		}
	case *podcv1.LifecycleHandler_HttpGet:
		c.httpGet(lazyAt(p.Field("httpGet")), a.HttpGet, ct)
	case *podcv1.LifecycleHandler_Sleep:
		sp := p.Field("sleep")
		if !c.opts.Target.Has(target.SleepHooks) {
			c.addf(sp, "sleep hooks need Kubernetes 1.%d or newer; the target is %s: use exec with a sleep command", target.SleepHooks.Since, c.opts.Target)
		}
		switch s, grace := a.Sleep.GetSeconds(), GracePeriod(c.wi); {
		case s < 1:
			c.addf(sp.Field("seconds"), "%d: want 1 or more seconds (a hook that does not wait does nothing)", s)
		case grace >= 0 && s > grace:
			c.addf(sp.Field("seconds"), "%d is longer than the pod's termination grace period (%d seconds): the container would be killed first", s, grace)
		}
	default:
		c.addf(p, "an action is required: one of exec, httpGet or sleep")
	}
}
