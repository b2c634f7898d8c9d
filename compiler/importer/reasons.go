package importer

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// reasonFor says why the field at p of o, left unmapped, is lost: the
// mapping's own reason for it or for a field that holds it, else the
// reason for the kind of field, else that the intent has no field for it.
func (b *builder) reasonFor(o *object, p fieldPath) string {
	for q := p; len(q) > 0; q = q[:len(q)-1] {
		if r, ok := b.reasons[dropKey(o, q)]; ok {
			return r
		}
	}
	// A reason given for a field inside p: the first, in path order.
	prefix := dropKey(o, p)
	var inside []string
	for k := range b.reasons {
		if strings.HasPrefix(k, prefix+"\x00") {
			inside = append(inside, k)
		}
	}
	if len(inside) > 0 {
		sort.Strings(inside)
		return b.reasons[inside[0]]
	}
	// The reason for the innermost field on the way to p that has one.
	reason := "the intent has no field for it"
	t := o.rootType()
	for _, s := range p {
		parent := deref(t)
		ct, _ := child(t, s)
		if ct == nil {
			if parent != nil && parent.Kind() == reflect.Struct && !opaque(parent) {
				return fmt.Sprintf("not a field of %s in the Kubernetes API podc knows", parent.Name())
			}
			break
		}
		if parent != nil {
			if r, ok := fieldReasons[parent.Name()+"."+s.name]; ok {
				reason = r
			} else if r, ok := typeReasons[parent.Name()]; ok {
				reason = r
			}
		}
		t = ct
	}
	return reason
}

// Reasons by the kind of field.
const (
	byCluster = "written by the cluster, not part of a manifest"
)

// fieldReasons are the reasons for fields the intent does not have, by
// "<Go type of the parent>.<field>".
var fieldReasons = map[string]string{
	"PodSpec.priority":                          "the intent has priorityClassName, not a priority: the cluster's admission sets it from the class",
	"PodSpec.schedulerName":                     "the intent has no scheduler name: compile leaves the cluster's default scheduler",
	"PodSpec.nodeName":                          "the intent has no such scheduling setting",
	"PodSpec.preemptionPolicy":                  "the intent has no such scheduling setting",
	"PodSpec.schedulingGates":                   "the intent has no such scheduling setting",
	"PodSpec.setHostnameAsFQDN":                 "the intent has no such DNS setting",
	"PodSpec.enableServiceLinks":                "the intent has no setting for Service environment variables: compile leaves them on",
	"PodSpec.serviceAccount":                    "deprecated, and different from serviceAccountName, which the intent has",
	"Container.terminationMessagePath":          "the intent has no termination message settings",
	"Container.terminationMessagePolicy":        "the intent has no termination message settings",
	"Container.resizePolicy":                    "the intent has no resize policy",
	"Container.restartPolicy":                   "the intent's init steps run once: a restart policy makes them sidecars only as Always",
	"VolumeMount.mountPropagation":              "the intent's mounts have no mount propagation",
	"VolumeMount.subPathExpr":                   "the intent's mounts have subPath, not subPathExpr",
	"DeploymentSpec.paused":                     "the intent compiles Deployments that roll out",
	"ServiceSpec.clusterIP":                     "the intent's Services take the cluster IP the cluster allocates (or None, headless)",
	"ServiceSpec.clusterIPs":                    "the intent's Services take the cluster IP the cluster allocates (or None, headless)",
	"ServiceSpec.ipFamilyPolicy":                "the intent has no IP family settings",
	"ServiceSpec.ipFamilies":                    "the intent has no IP family settings",
	"ServiceSpec.internalTrafficPolicy":         "the intent has no internal traffic policy",
	"ServiceSpec.externalIPs":                   "the intent has no external IPs",
	"ServiceSpec.loadBalancerIP":                "the intent has no load balancer IP (deprecated in Kubernetes)",
	"ServiceSpec.allocateLoadBalancerNodePorts": "the intent's LoadBalancer Services always get node ports",
	"ServiceSpec.healthCheckNodePort":           "the intent has no health check node port: the cluster allocates it",
	"ServiceSpec.trafficDistribution":           "the intent has no traffic distribution",
	"ServiceSpec.sessionAffinityConfig":         "the intent's session affinity settings are for SESSION_AFFINITY_CLIENT_IP",
	"ObjectMeta.generateName":                   "the intent names the workload",
	"ObjectMeta.uid":                            byCluster,
	"ObjectMeta.resourceVersion":                byCluster,
	"ObjectMeta.generation":                     byCluster,
	"ObjectMeta.creationTimestamp":              byCluster,
	"ObjectMeta.managedFields":                  byCluster,
	"ObjectMeta.selfLink":                       byCluster,
	"ObjectMeta.ownerReferences":                "the intent's objects have no owners",
	"ObjectMeta.finalizers":                     "the intent's objects have no finalizers",
	"Pod.status":                                byCluster,
	"Deployment.status":                         byCluster,
	"Service.status":                            byCluster,
}

// typeReasons are the reasons for any field of a Go type the intent
// carries only in part.
var typeReasons = map[string]string{
	"SecurityContext":    "the intent's security context has runAsNonRoot, runAsUser, runAsGroup, readOnlyRootFilesystem, allowPrivilegeEscalation, privileged, capabilities and a RuntimeDefault or Unconfined seccomp profile",
	"Probe":              "the intent's probes have a handler and its timing",
	"ContainerPort":      "the intent's ports have a name, a number and a protocol",
	"ServicePort":        "the intent's Service ports have a name, a port and a node port",
	"ObjectMeta":         "the intent's metadata is a name, a namespace, labels and annotations",
	"PodTemplateSpec":    "the pod template's metadata is the intent's labels and annotations",
	"PodSecurityContext": "the intent's pod security context has runAsUser, runAsGroup, runAsNonRoot, a RuntimeDefault or Unconfined seccomp profile, fsGroup, fsGroupChangePolicy, supplementalGroups and sysctls",
}
