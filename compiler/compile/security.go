package compile

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// securityContext compiles a container's security context and records it
// under the container's node n, from the intent security context ip; nil
// when the intent sets nothing in it.
func (b *builder) securityContext(n provenance.Node, ip provenance.Path, sc *podcv1.SecurityContext) *corev1.SecurityContext {
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
	b.recordSecurity(n, ip, sc, out)
	return out
}

// recordSecurity records the security context out, compiled from sc at ip,
// as field securityContext of the container's node n.
func (b *builder) recordSecurity(n provenance.Node, ip provenance.Path, sc *podcv1.SecurityContext, out *corev1.SecurityContext) {
	r := b.rec
	sn := b.put(n, "securityContext", ip)
	b.putIf(out.RunAsNonRoot != nil, sn, "runAsNonRoot", r.In(ip, "runAsNonRoot"))
	b.putIf(out.RunAsUser != nil, sn, "runAsUser", r.In(ip, "runAsUser"))
	b.putIf(out.RunAsGroup != nil, sn, "runAsGroup", r.In(ip, "runAsGroup"))
	b.putIf(out.ReadOnlyRootFilesystem != nil, sn, "readOnlyRootFilesystem", r.In(ip, "readOnlyRootFilesystem"))
	b.putIf(out.AllowPrivilegeEscalation != nil, sn, "allowPrivilegeEscalation", r.In(ip, "allowPrivilegeEscalation"))
	b.putIf(out.Privileged != nil, sn, "privileged", r.In(ip, "privileged"))
	if out.Capabilities != nil {
		cn := r.Field(sn, "capabilities", provenance.Holder)
		b.putStrings(cn, "add", r.In(ip, "capabilitiesAdd"), len(sc.GetCapabilitiesAdd()))
		b.putStrings(cn, "drop", r.In(ip, "capabilitiesDrop"), len(sc.GetCapabilitiesDrop()))
	}
	if out.SeccompProfile != nil {
		sp := r.In(ip, "seccompProfile")
		b.put(b.put(sn, "seccompProfile", sp), "type", sp)
	}
}

// copyPtr returns a copy of *p, or nil.
func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
