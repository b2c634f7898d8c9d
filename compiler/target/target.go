// Package target knows the Kubernetes versions podc compiles for and which
// features of the objects podc emits each of them has.
package target

import (
	"fmt"
	"strconv"
	"strings"
)

// Oldest and Newest bound the Kubernetes minor versions podc compiles for.
// Newest is the minor of the k8s.io/api module podc is built with.
const (
	Oldest = 25
	Newest = 37
)

// Version is a Kubernetes 1.x minor version.
type Version struct{ Minor int }

// Default is the version used when a request names none: the newest.
var Default = Version{Minor: Newest}

// Parse reads "1.31" (or "v1.31", "1.31.4") and checks that podc supports it.
// An empty string is the Default.
func Parse(s string) (Version, error) {
	if s == "" {
		return Default, nil
	}
	t := strings.TrimPrefix(s, "v")
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != "1" {
		return Version{}, fmt.Errorf("%q is not a Kubernetes version: want 1.NN", s)
	}
	minor, err := strconv.Atoi(parts[1])
	if err != nil || minor < 0 {
		return Version{}, fmt.Errorf("%q is not a Kubernetes version: want 1.NN", s)
	}
	if len(parts) == 3 {
		if p, err := strconv.Atoi(parts[2]); err != nil || p < 0 {
			return Version{}, fmt.Errorf("%q is not a Kubernetes version: want 1.NN", s)
		}
	}
	v := Version{Minor: minor}
	if minor < Oldest || minor > Newest {
		return Version{}, fmt.Errorf("Kubernetes %s is not supported: podc compiles for 1.%d to 1.%d", v, Oldest, Newest)
	}
	return v, nil
}

// String returns "1.NN".
func (v Version) String() string { return fmt.Sprintf("1.%d", v.Minor) }

// Feature is a pod feature that only some Kubernetes versions have.
type Feature struct {
	// Name names the feature for messages.
	Name string
	// Since is the first minor version that has it on by default.
	Since int
}

// Features gated by version.
var (
	// NativeSidecars are init containers with restartPolicy Always.
	NativeSidecars = Feature{Name: "native sidecars", Since: 29}
	// GRPCProbes are probes with a grpc handler.
	GRPCProbes = Feature{Name: "gRPC probes", Since: 27}
	// SleepHooks are lifecycle hooks with a sleep action.
	SleepHooks = Feature{Name: "sleep lifecycle hooks", Since: 30}
	// HostIPs is the downward API field status.hostIPs.
	HostIPs = Feature{Name: "the status.hostIPs field", Since: 29}
	// SpreadNodePolicies are a topology spread constraint's
	// nodeAffinityPolicy and nodeTaintsPolicy.
	SpreadNodePolicies = Feature{Name: "nodeAffinityPolicy and nodeTaintsPolicy", Since: 26}
	// SpreadMinDomains is a topology spread constraint's minDomains.
	SpreadMinDomains = Feature{Name: "minDomains", Since: 27}
	// SpreadMatchLabelKeys is a topology spread constraint's
	// matchLabelKeys.
	SpreadMatchLabelKeys = Feature{Name: "matchLabelKeys", Since: 27}
	// AffinityMatchLabelKeys are a pod affinity term's matchLabelKeys and
	// mismatchLabelKeys.
	AffinityMatchLabelKeys = Feature{Name: "pod affinity matchLabelKeys and mismatchLabelKeys", Since: 31}
	// PodResources are requests and limits of the pod as a whole.
	PodResources = Feature{Name: "pod-level resources", Since: 34}
	// UnhealthyPodEviction is a PodDisruptionBudget's
	// unhealthyPodEvictionPolicy (beta, on by default, in 1.27).
	UnhealthyPodEviction = Feature{Name: "unhealthy pod eviction policies", Since: 27}
)

// Has reports whether v has the feature.
func (v Version) Has(f Feature) bool { return v.Minor >= f.Since }
