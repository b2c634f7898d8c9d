package intent

import (
	"regexp"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// capabilityName is a Linux capability as Kubernetes writes it: upper case,
// with or without the CAP_ prefix ("NET_BIND_SERVICE", "ALL"). Compiled
// on first use: most intents add no capabilities.
var capabilityName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`) })

// security checks a container's security context.
func (c *checker) security(lp lazyPath, sc *podcv1.SecurityContext) {
	if sc == nil {
		return
	}
	if sc.RunAsUser != nil {
		for _, m := range validation.IsValidUserID(sc.GetRunAsUser()) {
			c.addf(lp.path().Field("runAsUser"), "%d is not a valid user id: %s", sc.GetRunAsUser(), m)
		}
	}
	if sc.RunAsGroup != nil {
		for _, m := range validation.IsValidGroupID(sc.GetRunAsGroup()) {
			c.addf(lp.path().Field("runAsGroup"), "%d is not a valid group id: %s", sc.GetRunAsGroup(), m)
		}
	}
	if sc.RunAsNonRoot != nil && sc.GetRunAsNonRoot() && sc.RunAsUser != nil && sc.GetRunAsUser() == 0 {
		c.addf(lp.path().Field("runAsUser"), "0 is root, but runAsNonRoot is true: the container could never start")
	}
	noEscalation := sc.AllowPrivilegeEscalation != nil && !sc.GetAllowPrivilegeEscalation()
	if noEscalation && sc.GetPrivileged() {
		c.addf(lp.path().Field("allowPrivilegeEscalation"), "cannot be false when privileged is true: a privileged container can always escalate")
	}
	if !enumValid(sc.GetSeccompProfile(), podcv1.SeccompProfile_name) {
		c.addf(lp.path().Field("seccompProfile"), "unknown seccomp profile %d: want SECCOMP_PROFILE_RUNTIME_DEFAULT or SECCOMP_PROFILE_UNCONFINED", sc.GetSeccompProfile())
	}
	lists := []struct {
		name string
		caps []string
	}{{"capabilitiesAdd", sc.GetCapabilitiesAdd()}, {"capabilitiesDrop", sc.GetCapabilitiesDrop()}}
	for _, l := range lists {
		seen := map[string]int{}
		for i, cp := range l.caps {
			il := lp.Item(l.name, i)
			if !capabilityName().MatchString(cp) {
				c.addf(il.path(), "%q is not a capability name: upper case letters, digits and '_', like \"NET_BIND_SERVICE\" or \"ALL\"", cp)
				continue
			}
			if j, dup := seen[cp]; dup {
				c.addf(il.path(), "duplicate capability %q: also at %s[%d]", cp, l.name, j)
				continue
			}
			seen[cp] = i
			if l.name == "capabilitiesAdd" && noEscalation && cp == "CAP_SYS_ADMIN" {
				c.addf(il.path(), "CAP_SYS_ADMIN cannot be added when allowPrivilegeEscalation is false")
			}
		}
	}
}
