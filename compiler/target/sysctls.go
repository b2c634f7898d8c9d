package target

import utilsysctl "k8s.io/component-helpers/node/util/sysctl"

// safeSysctls are the sysctls the kubelet allows without
// --allowed-unsafe-sysctls, each with the first minor version whose
// kubelet has it in its safe set (the Pod Security Standards baseline
// allows the same ones). Versions before Oldest are given as Oldest.
var safeSysctls = map[string]int{
	"kernel.shm_rmid_forced":              Oldest,
	"net.ipv4.ip_local_port_range":        Oldest,
	"net.ipv4.tcp_syncookies":             Oldest,
	"net.ipv4.ping_group_range":           Oldest,
	"net.ipv4.ip_unprivileged_port_start": Oldest,
	"net.ipv4.ip_local_reserved_ports":    27,
	"net.ipv4.tcp_keepalive_time":         29,
	"net.ipv4.tcp_fin_timeout":            29,
	"net.ipv4.tcp_keepalive_intvl":        29,
	"net.ipv4.tcp_keepalive_probes":       29,
	"net.ipv4.tcp_rmem":                   32,
	"net.ipv4.tcp_wmem":                   32,
	"net.ipv4.tcp_slow_start_after_idle":  37,
	"net.ipv4.tcp_notsent_lowat":          37,
}

// SafeSysctl reports whether the kubelet of version v allows the sysctl
// name (dotted or slashed) without --allowed-unsafe-sysctls, and since
// which minor version it does (0 when never).
func (v Version) SafeSysctl(name string) (safe bool, since int) {
	since, ok := safeSysctls[utilsysctl.NormalizeName(name)]
	if !ok {
		return false, 0
	}
	return v.Minor >= since, since
}
