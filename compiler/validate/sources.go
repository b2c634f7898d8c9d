package validate

import (
	"strings"

	"github.com/podc-dev/podc/compiler/provenance"
)

// intentField returns the intent field behind the field path of object ref
// as the kube-apiserver reports it: the recorded source of that field or,
// for a field podc did not write (one the apiserver defaults, one a
// reported field stands inside), of its nearest recorded ancestor. "" when
// the record has none, or the source stands for the whole intent.
func intentField(src *provenance.Record, ref, path string) string {
	s, ok := src.Nearest(ref, recordPath(path))
	if !ok {
		return ""
	}
	return s.IntentField
}

// policyRuleAt returns the policy rule whose default wrote the field of a
// finding on a compiled object ("Kind/name: path"), or a field inside it;
// "" when none did.
func policyRuleAt(src *provenance.Record, manifestField string) string {
	ref, path, ok := strings.Cut(manifestField, ": ")
	if !ok {
		return ""
	}
	return src.PolicyWithin(ref, recordPath(path))
}

// renamed are the fields the kube-apiserver reports under a name other
// than the one podc writes, or that it derives from one podc writes: the
// deprecated serviceAccount copies serviceAccountName; generateName stands
// for the name; a Service's clusterIPs and its allocation of load balancer
// node ports follow from its type (podc writes clusterIP only for a
// headless one), its health check node port from its external traffic
// policy; the apiserver spells loadBalancerSourceRanges with a capital.
// A whole rename stands for the field, whatever inside it is reported.
var renamed = []struct {
	from, to string
	whole    bool
}{
	{"spec.serviceAccount", "spec.serviceAccountName", false},
	{"spec.template.spec.serviceAccount", "spec.template.spec.serviceAccountName", false},
	{"metadata.generateName", "metadata.name", false},
	{"spec.clusterIPs", "spec.type", true},
	{"spec.clusterIP", "spec.type", true},
	{"spec.allocateLoadBalancerNodePorts", "spec.type", true},
	{"allocateLoadBalancerNodePorts", "spec.type", true},
	{"spec.healthCheckNodePort", "spec.externalTrafficPolicy", true},
	{"spec.LoadBalancerSourceRanges", "spec.loadBalancerSourceRanges", false},
}

// recordPath turns a field path as the kube-apiserver reports it into the
// path of the field in the compiled object, where the two differ: the pod
// template's labels and annotations are reported without "metadata", some
// annotation keys as dotted fields
// ("metadata.annotations.seccomp.security.alpha.kubernetes.io/pod"), and
// the fields in renamed under their other names.
func recordPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "spec.template."); ok && (strings.HasPrefix(rest, "labels") || strings.HasPrefix(rest, "annotations")) {
		p = "spec.template.metadata." + rest
	}
	for _, prefix := range []string{"metadata.annotations.", "spec.template.metadata.annotations."} {
		if key, ok := strings.CutPrefix(p, prefix); ok {
			p = prefix[:len(prefix)-1] + "[" + key + "]"
		}
	}
	for _, r := range renamed {
		if rest, ok := strings.CutPrefix(p, r.from); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			if r.whole {
				return r.to
			}
			return r.to + rest
		}
	}
	return p
}
