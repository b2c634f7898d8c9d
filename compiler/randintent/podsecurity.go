package randintent

import (
	"strings"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Sysctls to draw from: the kubelet's safe set, in dotted or slashed form,
// and namespaced ones beyond it (for policies to refuse), of the network
// and IPC namespaces.
var (
	safeSysctls = []string{
		"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
		"net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_rmem", "net.ipv4.tcp_notsent_lowat",
	}
	unsafeSysctls = []string{"net.core.somaxconn", "net.ipv4.conf.all.rp_filter", "kernel.msgmax", "kernel.sem", "fs.mqueue.msg_max"}
)

// podSecurity sets the pod's security context now and then, with every
// field, never running as root under runAsNonRoot, and never a sysctl of a
// namespace the pod shares with the node.
func (b *builder) podSecurity() {
	if !b.chance(0.3) {
		return
	}
	sc := &podcv1.PodSecurityContext{}
	if b.chance(0.5) {
		v := b.chance(0.7)
		sc.RunAsNonRoot = &v
	}
	if b.chance(0.4) {
		u := int64(pick(b, 0, 1000, 10001, 65534, 2147483647))
		if sc.GetRunAsNonRoot() && u == 0 {
			u = 1000
		}
		sc.RunAsUser = &u
	}
	if b.chance(0.3) {
		g := int64(b.between(0, 65535))
		sc.RunAsGroup = &g
	}
	sc.SeccompProfile = pick(b, podcv1.SeccompProfile_SECCOMP_PROFILE_UNSPECIFIED, podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT, podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED)
	if b.chance(0.4) {
		g := int64(pick(b, 0, 2000, 65534))
		sc.FsGroup = &g
		sc.FsGroupChangePolicy = pick(b, podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_UNSPECIFIED,
			podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_ALWAYS, podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_ON_ROOT_MISMATCH)
	}
	seenGroup := map[int64]bool{}
	for range b.between(0, 3) {
		g := int64(b.between(0, 70000))
		if !seenGroup[g] {
			seenGroup[g] = true
			sc.SupplementalGroups = append(sc.SupplementalGroups, g)
		}
	}
	seen := map[string]bool{}
	for range b.between(0, 3) {
		name := pick(b, safeSysctls...)
		if b.chance(0.15) {
			name = pick(b, unsafeSysctls...)
		}
		net := strings.HasPrefix(name, "net.")
		ipc := strings.HasPrefix(name, "kernel.") || strings.HasPrefix(name, "fs.mqueue.")
		if seen[name] || net && b.wi.HostNetwork || ipc && b.wi.HostIpc {
			continue
		}
		seen[name] = true
		if b.chance(0.3) {
			name = strings.ReplaceAll(name, ".", "/")
		}
		sc.Sysctls = append(sc.Sysctls, &podcv1.Sysctl{Name: name, Value: pick(b, "1", "0", "600", "1024 65535", "4096 87380 16777216")})
	}
	b.wi.SecurityContext = sc
}

// notRootUnderNonRoot keeps a container from running as user 0, its own
// or the pod's, while runAsNonRoot, its own or the pod's, is true.
func (b *builder) notRootUnderNonRoot(sc *podcv1.SecurityContext) *podcv1.SecurityContext {
	pod := b.wi.GetSecurityContext()
	nonRoot := pod.GetRunAsNonRoot()
	if sc != nil && sc.RunAsNonRoot != nil {
		nonRoot = sc.GetRunAsNonRoot()
	}
	user, set := pod.GetRunAsUser(), pod != nil && pod.RunAsUser != nil
	if sc != nil && sc.RunAsUser != nil {
		user, set = sc.GetRunAsUser(), true
	}
	if !nonRoot || !set || user != 0 {
		return sc
	}
	if sc == nil {
		sc = &podcv1.SecurityContext{}
	}
	u := int64(1000)
	sc.RunAsUser = &u
	return sc
}
