package compile

import (
	"fmt"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// podSecurityContext compiles the pod's security context and records it
// under the pod spec's node spec; nil when the intent sets nothing in it.
// With fsGroup set, an unset change policy is written out as Always, the
// kubelet's behaviour. A sysctl outside the target kubelet's safe set gets
// a note: the pod needs nodes that allow it.
func (b *builder) podSecurityContext(spec provenance.Node) *corev1.PodSecurityContext {
	sc := b.wi.GetSecurityContext()
	if sc == nil {
		return nil
	}
	p := diag.Path("securityContext")
	out := &corev1.PodSecurityContext{
		RunAsUser:    copyPtr(sc.RunAsUser),
		RunAsGroup:   copyPtr(sc.RunAsGroup),
		RunAsNonRoot: copyPtr(sc.RunAsNonRoot),
		FSGroup:      copyPtr(sc.FsGroup),
	}
	out.SeccompProfile = seccompProfile(sc.GetSeccompProfile())
	if sc.FsGroup != nil {
		policy := corev1.FSGroupChangeAlways
		switch sc.GetFsGroupChangePolicy() {
		case podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_ON_ROOT_MISMATCH:
			policy = corev1.FSGroupChangeOnRootMismatch
		case podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_UNSPECIFIED:
			b.def(p.Field("fsGroupChangePolicy"), "FS_GROUP_CHANGE_POLICY_ALWAYS",
				"unset with fsGroup: the kubelet changes every volume's ownership to fsGroup on every mount")
		}
		out.FSGroupChangePolicy = &policy
	}
	if gs := sc.GetSupplementalGroups(); len(gs) > 0 {
		out.SupplementalGroups = append([]int64(nil), gs...)
	}
	var unsafe []string
	for _, s := range sc.GetSysctls() {
		out.Sysctls = append(out.Sysctls, corev1.Sysctl{Name: s.GetName(), Value: s.GetValue()})
		if safe, since := b.opts.Target.SafeSysctl(s.GetName()); !safe {
			if since > 0 {
				unsafe = append(unsafe, fmt.Sprintf("%s (safe from 1.%d)", s.GetName(), since))
			} else {
				unsafe = append(unsafe, s.GetName())
			}
		}
	}
	if len(unsafe) > 0 {
		b.note("sysctls outside the safe set of Kubernetes %s's kubelet: %s; the pod starts only on nodes whose kubelet allows them (--allowed-unsafe-sysctls), elsewhere it is rejected (SysctlForbidden)",
			b.opts.Target, strings.Join(unsafe, ", "))
	}
	if reflect.DeepEqual(out, &corev1.PodSecurityContext{}) {
		return nil
	}
	b.recordPodSecurity(spec, sc, out)
	return out
}

// recordPodSecurity records the pod security context out, compiled from
// sc, as field securityContext of the pod spec's node spec.
func (b *builder) recordPodSecurity(spec provenance.Node, sc *podcv1.PodSecurityContext, out *corev1.PodSecurityContext) {
	r := b.rec
	ip := b.in("securityContext")
	sn := b.put(spec, "securityContext", ip)
	b.putIf(out.RunAsUser != nil, sn, "runAsUser", r.In(ip, "runAsUser"))
	b.putIf(out.RunAsGroup != nil, sn, "runAsGroup", r.In(ip, "runAsGroup"))
	b.putIf(out.RunAsNonRoot != nil, sn, "runAsNonRoot", r.In(ip, "runAsNonRoot"))
	b.putIf(out.FSGroup != nil, sn, "fsGroup", r.In(ip, "fsGroup"))
	if out.FSGroupChangePolicy != nil {
		set := sc.GetFsGroupChangePolicy() != podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_UNSPECIFIED
		r.Field(sn, "fsGroupChangePolicy", from(set, r.In(ip, "fsGroupChangePolicy")))
	}
	if out.SeccompProfile != nil {
		sp := r.In(ip, "seccompProfile")
		b.put(b.put(sn, "seccompProfile", sp), "type", sp)
	}
	if n := len(out.SupplementalGroups); n > 0 {
		gp := r.In(ip, "supplementalGroups")
		l := b.put(sn, "supplementalGroups", gp)
		for i := range n {
			r.Index(l, i, provenance.FromIntent(r.At(gp, i)))
		}
	}
	if len(out.Sysctls) > 0 {
		sp := r.In(ip, "sysctls")
		l := b.put(sn, "sysctls", sp)
		for i := range out.Sysctls {
			ep := r.At(sp, i)
			en := r.Index(l, i, provenance.FromIntent(ep))
			b.put(en, "name", r.In(ep, "name"))
			b.put(en, "value", r.In(ep, "value"))
		}
	}
}

// seccompProfile maps a seccomp profile; unset is nil.
func seccompProfile(p podcv1.SeccompProfile) *corev1.SeccompProfile {
	switch p {
	case podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT:
		return &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	case podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED:
		return &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	}
	return nil
}
