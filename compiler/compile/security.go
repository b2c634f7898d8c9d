package compile

import (
	corev1 "k8s.io/api/core/v1"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// securityContext compiles a container's security context; nil when the
// intent sets nothing in it.
func securityContext(sc *podcv1.SecurityContext) *corev1.SecurityContext {
	if sc == nil {
		return nil
	}
	out := &corev1.SecurityContext{
		RunAsNonRoot:             copyPtr(sc.RunAsNonRoot),
		RunAsUser:                copyPtr(sc.RunAsUser),
		RunAsGroup:               copyPtr(sc.RunAsGroup),
		ReadOnlyRootFilesystem:   copyPtr(sc.ReadOnlyRootFilesystem),
		AllowPrivilegeEscalation: copyPtr(sc.AllowPrivilegeEscalation),
		Privileged:               copyPtr(sc.Privileged),
	}
	set := sc.RunAsNonRoot != nil || sc.RunAsUser != nil || sc.RunAsGroup != nil ||
		sc.ReadOnlyRootFilesystem != nil || sc.AllowPrivilegeEscalation != nil || sc.Privileged != nil
	if len(sc.GetCapabilitiesAdd()) > 0 || len(sc.GetCapabilitiesDrop()) > 0 {
		caps := &corev1.Capabilities{}
		for _, c := range sc.GetCapabilitiesAdd() {
			caps.Add = append(caps.Add, corev1.Capability(c))
		}
		for _, c := range sc.GetCapabilitiesDrop() {
			caps.Drop = append(caps.Drop, corev1.Capability(c))
		}
		out.Capabilities = caps
		set = true
	}
	switch sc.GetSeccompProfile() {
	case podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT:
		out.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
		set = true
	case podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED:
		out.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
		set = true
	}
	if !set {
		return nil
	}
	return out
}

// copyPtr returns a copy of *p, or nil.
func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
