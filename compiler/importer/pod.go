package importer

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// controller maps the kind of the workload and a Deployment's replicas
// and rollout.
func (b *builder) controller() {
	w := b.objs.workload
	if w.pod != nil {
		b.wi.Controller = podcv1.Controller_CONTROLLER_POD
		return
	}
	d := w.deployment
	b.wi.Controller = podcv1.Controller_CONTROLLER_DEPLOYMENT
	spec := fieldPath{}.f("spec")
	if d.Spec.Replicas != nil {
		r := *d.Spec.Replicas
		b.wi.Replicas = &r
		b.use(w, spec.f("replicas"))
		b.record("replicas", w, spec.f("replicas"), false)
	}
	b.rollout(w, &d.Spec)
}

// podSpec maps the pod-level fields, the volumes and the containers of
// the pod spec at sp.
func (b *builder) podSpec(w *object, sp fieldPath) {
	spec := w.spec()
	switch spec.RestartPolicy {
	case corev1.RestartPolicyOnFailure:
		b.wi.RestartPolicy = podcv1.RestartPolicy_RESTART_POLICY_ON_FAILURE
	case corev1.RestartPolicyNever:
		b.wi.RestartPolicy = podcv1.RestartPolicy_RESTART_POLICY_NEVER
	case corev1.RestartPolicyAlways:
		b.wi.RestartPolicy = podcv1.RestartPolicy_RESTART_POLICY_ALWAYS
	}
	if spec.RestartPolicy != "" {
		b.use(w, sp.f("restartPolicy"))
		b.record("restartPolicy", w, sp.f("restartPolicy"), true)
	}
	b.wi.HostNetwork = spec.HostNetwork
	b.wi.HostPid = spec.HostPID
	b.wi.HostIpc = spec.HostIPC
	for _, f := range []string{"hostNetwork", "hostPID", "hostIPC"} {
		b.use(w, sp.f(f))
	}
	b.record("hostPid", w, sp.f("hostPID"), true)
	b.record("shareProcessNamespace", w, sp.f("shareProcessNamespace"), true)
	if s := spec.ShareProcessNamespace; s != nil {
		if *s {
			b.wi.ShareProcessNamespace = true
			b.use(w, sp.f("shareProcessNamespace"))
		} else {
			b.lose(w, sp.f("shareProcessNamespace"), explicitFalse)
		}
	}
	if sa := spec.ServiceAccountName; sa != "" {
		b.wi.ServiceAccountName = sa
		b.use(w, sp.f("serviceAccountName"))
		b.record("serviceAccountName", w, sp.f("serviceAccountName"), true)
	}
	if spec.DeprecatedServiceAccount != "" && spec.DeprecatedServiceAccount == spec.ServiceAccountName {
		b.use(w, sp.f("serviceAccount")) // the apiserver keeps the two equal
	}
	b.podSecurity(w, sp.f("securityContext"), spec.SecurityContext)
	b.gracePeriod(w, sp, spec.TerminationGracePeriodSeconds)
	b.scheduling(w, sp, spec)
	b.plumbing(w, sp, spec)
	vols := b.volumes(w, sp, spec.Volumes)
	b.tokenAccount(w, sp, spec)
	b.containers(w, sp, spec, vols)
	b.podResources(w, sp.f("resources"), spec.Resources)
}

// take reports whether the value at p of o goes into the intent at ip:
// it does unless the intent's checks refused it in an earlier round. It
// marks the value carried and records where it came from.
func (b *builder) take(o *object, p fieldPath, ip diag.Path) bool {
	if b.dropped(o, p) {
		return false
	}
	b.use(o, p)
	b.record(ip, o, p, false)
	return true
}

// gracePeriod maps the pod's termination grace period: the default,
// which compile writes, is left out.
func (b *builder) gracePeriod(w *object, sp fieldPath, g *int64) {
	p := sp.f("terminationGracePeriodSeconds")
	switch {
	case g == nil:
	case *g == intent.DefaultTerminationGracePeriodSeconds:
		b.use(w, p)
	case b.take(w, p, "terminationGracePeriodSeconds"):
		v := *g
		b.wi.TerminationGracePeriodSeconds = &v
	}
}

// explicitFalse is the reason an explicit false is lost where the intent
// writes nothing for false.
const explicitFalse = "an explicit false, which compile leaves unset (the same meaning)"

// spec is the workload's pod spec.
func (o *object) spec() *corev1.PodSpec {
	if o.pod != nil {
		return &o.pod.Spec
	}
	return &o.deployment.Spec.Template.Spec
}

// optional maps an optional flag: true is said by the intent, an explicit
// false is lost (compile leaves it unset).
func (b *builder) optional(o *object, p fieldPath, v *bool, into *bool) {
	switch {
	case v == nil:
	case *v:
		*into = true
		b.use(o, p)
	default:
		b.lose(o, p, explicitFalse)
	}
}
