package intent

import (
	"k8s.io/apimachinery/pkg/util/validation"
	utilsysctl "k8s.io/component-helpers/node/util/sysctl"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// podSecurity checks the pod's security context: ids, the fsGroup change
// policy, supplemental groups and sysctls, each as the kube-apiserver
// checks them, and what the apiserver lets through but no pod could run
// with.
func (c *checker) podSecurity() {
	sc := c.wi.GetSecurityContext()
	if sc == nil {
		return
	}
	p := diag.Path("securityContext")
	if sc.RunAsUser != nil {
		for _, m := range validation.IsValidUserID(sc.GetRunAsUser()) {
			c.addf(p.Field("runAsUser"), "%d is not a valid user id: %s", sc.GetRunAsUser(), m)
		}
	}
	if sc.RunAsGroup != nil {
		for _, m := range validation.IsValidGroupID(sc.GetRunAsGroup()) {
			c.addf(p.Field("runAsGroup"), "%d is not a valid group id: %s", sc.GetRunAsGroup(), m)
		}
	}
	if sc.GetRunAsNonRoot() && sc.RunAsUser != nil && sc.GetRunAsUser() == 0 {
		c.addf(p.Field("runAsUser"), "0 is root, but runAsNonRoot is true: no container that keeps these could ever start")
	}
	if !enumValid(sc.GetSeccompProfile(), podcv1.SeccompProfile_name) {
		c.addf(p.Field("seccompProfile"), "unknown seccomp profile %d: want SECCOMP_PROFILE_RUNTIME_DEFAULT or SECCOMP_PROFILE_UNCONFINED", sc.GetSeccompProfile())
	}
	if sc.FsGroup != nil {
		for _, m := range validation.IsValidGroupID(sc.GetFsGroup()) {
			c.addf(p.Field("fsGroup"), "%d is not a valid group id: %s", sc.GetFsGroup(), m)
		}
	}
	switch {
	case !enumValid(sc.GetFsGroupChangePolicy(), podcv1.FsGroupChangePolicy_name):
		c.addf(p.Field("fsGroupChangePolicy"), "unknown fsGroup change policy %d: want FS_GROUP_CHANGE_POLICY_ALWAYS or FS_GROUP_CHANGE_POLICY_ON_ROOT_MISMATCH", sc.GetFsGroupChangePolicy())
	case sc.GetFsGroupChangePolicy() != podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_UNSPECIFIED && sc.FsGroup == nil:
		c.addf(p.Field("fsGroupChangePolicy"), "has no effect without fsGroup: set fsGroup, the group the volumes are changed to")
	}
	groups := map[int64]int{}
	for i, g := range sc.GetSupplementalGroups() {
		gp := p.Field("supplementalGroups").Index(i)
		if msgs := validation.IsValidGroupID(g); len(msgs) > 0 {
			for _, m := range msgs {
				c.addf(gp, "%d is not a valid group id: %s", g, m)
			}
			continue
		}
		if j, dup := groups[g]; dup {
			c.addf(gp, "duplicate group %d: also at supplementalGroups[%d]", g, j)
			continue
		}
		groups[g] = i
	}
	c.sysctls(p.Field("sysctls"), sc.GetSysctls())
}

// sysctls checks the pod's sysctls: names as the kube-apiserver reads them
// (with dots or slashes), each once, with a value, and none of a namespace
// the pod shares with the node.
func (c *checker) sysctls(p diag.Path, ss []*podcv1.Sysctl) {
	seen := map[string]int{}
	for i, s := range ss {
		sp := p.Index(i)
		name := s.GetName()
		switch {
		case name == "":
			c.addf(sp.Field("name"), "required: a kernel parameter such as \"net.ipv4.tcp_keepalive_time\"")
		case !corevalidation.IsValidSysctlName(name):
			c.addf(sp.Field("name"), "%q is not a sysctl name: lower case alphanumerics, '-' and '_' in parts joined by '.' or '/', at most %d characters", name, corevalidation.SysctlMaxLength)
		default:
			norm := utilsysctl.NormalizeName(name)
			if j, dup := seen[norm]; dup {
				c.addf(sp.Field("name"), "duplicate sysctl %q: also set at sysctls[%d]", name, j)
			} else {
				seen[norm] = i
			}
			if msg := c.hostSysctl(norm); msg != "" {
				c.addf(sp.Field("name"), "%q %s", name, msg)
			}
		}
		if s.GetValue() == "" {
			c.addf(sp.Field("value"), "required: the value to set")
		}
	}
}

// hostSysctl says why a sysctl of a namespace the pod shares with the node
// is refused, or "".
func (c *checker) hostSysctl(name string) string {
	ns, _, _ := utilsysctl.GetNamespace(name)
	switch {
	case ns == utilsysctl.NetNamespace && c.wi.GetHostNetwork():
		return "is a network namespace parameter, and with hostNetwork the pod shares the node's: it would change the node's"
	case ns == utilsysctl.IPCNamespace && c.wi.GetHostIpc():
		return "is an IPC namespace parameter, and with hostIpc the pod shares the node's: it would change the node's"
	}
	return ""
}

// rootConflicts refuses a container that would run as user 0 (its own
// runAsUser or the pod's) while runAsNonRoot (its own or the pod's) is
// true: the kubelet would never start it. A conflict within one security
// context is reported where that context is checked.
func (c *checker) rootConflicts(r ref) {
	pod := c.wi.GetSecurityContext()
	if pod == nil {
		return
	}
	sc := r.c.GetSecurityContext()
	own := r.path.Field("securityContext")
	nonRoot, nonRootAt := sc.GetRunAsNonRoot(), own.Field("runAsNonRoot")
	ownNonRoot := sc != nil && sc.RunAsNonRoot != nil
	if !ownNonRoot {
		nonRoot, nonRootAt = pod.GetRunAsNonRoot(), diag.Path("securityContext").Field("runAsNonRoot")
	}
	ownUser := sc != nil && sc.RunAsUser != nil
	user, userSet, userAt := sc.GetRunAsUser(), ownUser, own.Field("runAsUser")
	if !ownUser {
		user, userSet, userAt = pod.GetRunAsUser(), pod.RunAsUser != nil, diag.Path("securityContext").Field("runAsUser")
	}
	if !nonRoot || !userSet || user != 0 || ownNonRoot == ownUser {
		// Both from one context: reported with that context.
		return
	}
	c.addf(own, "would run as user 0 (%s) with runAsNonRoot true (%s): the container could never start", userAt, nonRootAt)
}
