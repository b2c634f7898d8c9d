package randintent

import (
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// gracePeriod sets the pod's termination grace period now and then, 0
// included.
func (b *builder) gracePeriod() {
	if b.chance(0.3) {
		g := int64(pick(b, 0, 1, 5, 30, 60, 120, 3600))
		b.wi.TerminationGracePeriodSeconds = &g
	}
}

// lifecycle gives an app container or sidecar hooks now and then, of
// every action the target has; a sleep never outlasts the grace period.
func (b *builder) lifecycle(c *podcv1.Container) *podcv1.Lifecycle {
	if !b.chance(0.3) {
		return nil
	}
	return &podcv1.Lifecycle{PostStart: b.hook(c), PreStop: b.hook(c)}
}

func (b *builder) hook(c *podcv1.Container) *podcv1.LifecycleHandler {
	if b.chance(0.3) {
		return nil
	}
	actions := 2
	grace := intent.GracePeriod(b.wi)
	if b.opts.Target.Has(target.SleepHooks) && grace >= 1 {
		actions = 3
	}
	switch b.r.Intn(actions) {
	case 0:
		cmd := []string{pick(b, "/bin/drain", "sh", "nginx")}
		for range b.between(0, 2) {
			cmd = append(cmd, b.text())
		}
		return &podcv1.LifecycleHandler{Handler: &podcv1.LifecycleHandler_Exec{Exec: &podcv1.ExecAction{Command: cmd}}}
	case 1:
		h := &podcv1.HTTPGetAction{Port: b.probePort(c), Scheme: pick(b, podcv1.Scheme_SCHEME_UNSPECIFIED, podcv1.Scheme_SCHEME_HTTP, podcv1.Scheme_SCHEME_HTTPS)}
		if b.chance(0.6) {
			h.Path = pick(b, "/", "/drain", "/warm?all=1")
		}
		if b.chance(0.3) {
			h.Headers = append(h.Headers, &podcv1.HTTPHeader{Name: "X-Hook", Value: b.text()})
		}
		return &podcv1.LifecycleHandler{Handler: &podcv1.LifecycleHandler_HttpGet{HttpGet: h}}
	}
	return &podcv1.LifecycleHandler{Handler: &podcv1.LifecycleHandler_Sleep{Sleep: &podcv1.SleepAction{Seconds: int64(b.between(1, int(min(grace, 300))))}}}
}
