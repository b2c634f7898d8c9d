package importer

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// podSecurity maps the pod's security context at p: its ids, seccomp
// profile, fsGroup and change policy, supplemental groups and sysctls.
// A change policy unset or Always is the intent's unset one: Kubernetes
// reads unset as Always, and compile writes Always beside fsGroup.
func (b *builder) podSecurity(w *object, p fieldPath, sc *corev1.PodSecurityContext) {
	if sc == nil {
		return
	}
	ip := diag.Path("securityContext")
	out := &podcv1.PodSecurityContext{}
	for _, f := range []struct {
		field string
		v     *int64
		into  **int64
	}{
		{"runAsUser", sc.RunAsUser, &out.RunAsUser},
		{"runAsGroup", sc.RunAsGroup, &out.RunAsGroup},
		{"fsGroup", sc.FSGroup, &out.FsGroup},
	} {
		if f.v != nil && b.take(w, p.f(f.field), ip.Field(f.field)) {
			*f.into = copyPtr(f.v)
		}
	}
	if sc.RunAsNonRoot != nil && b.take(w, p.f("runAsNonRoot"), ip.Field("runAsNonRoot")) {
		out.RunAsNonRoot = copyPtr(sc.RunAsNonRoot)
	}
	if s := sc.SeccompProfile; s != nil {
		if prof, ok := seccomp(s.Type); ok {
			if b.take(w, p.f("seccompProfile"), ip.Field("seccompProfile")) {
				out.SeccompProfile = prof
			}
		} else {
			b.why(w, p.f("seccompProfile"), seccompReason)
		}
	}
	// Unset means Always (the kubelet changes the ownership of every
	// volume on every mount), which compile writes beside fsGroup and
	// leaves out without it: the same either way.
	cp := p.f("fsGroupChangePolicy")
	switch pol := sc.FSGroupChangePolicy; {
	case pol == nil && out.FsGroup != nil:
		b.note("%s: %s: unset beside fsGroup: compile writes Always, which is what the kubelet does when it is unset", w.ref, w.typedPath(cp))
	case pol == nil:
	case *pol == corev1.FSGroupChangeAlways:
		b.use(w, cp)
	case *pol == corev1.FSGroupChangeOnRootMismatch:
		if b.take(w, cp, ip.Field("fsGroupChangePolicy")) {
			out.FsGroupChangePolicy = podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_ON_ROOT_MISMATCH
		}
	}
	if len(sc.SupplementalGroups) > 0 && b.take(w, p.f("supplementalGroups"), ip.Field("supplementalGroups")) {
		out.SupplementalGroups = append([]int64(nil), sc.SupplementalGroups...)
	}
	for i, s := range sc.Sysctls {
		sp := p.f("sysctls").i(i)
		if b.dropped(w, sp) {
			continue
		}
		b.use(w, sp.f("name"))
		b.use(w, sp.f("value"))
		b.record(ip.Field("sysctls").Index(len(out.Sysctls)), w, sp, false)
		out.Sysctls = append(out.Sysctls, &podcv1.Sysctl{Name: s.Name, Value: s.Value})
	}
	if out.RunAsUser != nil || out.RunAsGroup != nil || out.FsGroup != nil || out.RunAsNonRoot != nil ||
		out.SeccompProfile != podcv1.SeccompProfile_SECCOMP_PROFILE_UNSPECIFIED ||
		out.FsGroupChangePolicy != podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_UNSPECIFIED ||
		len(out.SupplementalGroups) > 0 || len(out.Sysctls) > 0 {
		b.wi.SecurityContext = out
	}
}

// seccompReason is why a seccomp profile of another type is lost.
const seccompReason = "the intent's seccomp profiles are RuntimeDefault and Unconfined"

// seccomp maps a seccomp profile type the intent has.
func seccomp(t corev1.SeccompProfileType) (podcv1.SeccompProfile, bool) {
	switch t {
	case corev1.SeccompProfileTypeRuntimeDefault:
		return podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT, true
	case corev1.SeccompProfileTypeUnconfined:
		return podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED, true
	}
	return podcv1.SeccompProfile_SECCOMP_PROFILE_UNSPECIFIED, false
}
