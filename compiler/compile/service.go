package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// namedSidecarPortsSince is the first Kubernetes minor whose endpoint
// controllers resolve a Service's named targetPort on a native sidecar.
const namedSidecarPortsSince = 32

// services compiles the Services that expose the pod's ports: a ClusterIP
// Service "<name>" with the EXPOSE_CLUSTER and EXPOSE_NODE ports, so the
// workload's in-cluster name reaches every port exposed beyond it, and a
// NodePort Service "<name>-nodeport" with the EXPOSE_NODE ports only. They
// are separate because every port of a NodePort Service gets a node port: a
// cluster-only port must never be reachable from outside the cluster. Each
// Service port is named after the container port and targets it by that
// name.
func (b *builder) services() {
	var cluster, node []corev1.ServicePort
	add := func(p diag.Path, pt *podcv1.Port, byNumber bool) {
		if e := pt.GetExpose(); e != podcv1.Expose_EXPOSE_CLUSTER && e != podcv1.Expose_EXPOSE_NODE {
			return
		}
		sp := corev1.ServicePort{
			Name:       pt.GetName(),
			Protocol:   protocol(pt.GetProtocol()),
			Port:       pt.GetServicePort(),
			TargetPort: intstr.FromString(pt.GetName()),
		}
		if byNumber {
			sp.TargetPort = intstr.FromInt32(pt.GetContainerPort())
			b.note("%s (%s): the Service targets port %d by number: before Kubernetes 1.%d Services do not resolve the named ports of native sidecars",
				p, pt.GetName(), pt.GetContainerPort(), namedSidecarPortsSince)
		}
		if sp.Port == 0 {
			sp.Port = pt.GetContainerPort()
			b.def(p.Field("servicePort"), fmt.Sprint(sp.Port), "unset: the Service port is the containerPort")
		}
		cluster = append(cluster, sp)
		if pt.GetExpose() == podcv1.Expose_EXPOSE_NODE {
			sp.NodePort = pt.GetNodePort()
			if sp.NodePort == 0 {
				b.note("%s (%s) has no nodePort: the cluster allocates one from its node port range", p, pt.GetName())
			}
			node = append(node, sp)
		}
	}
	// Init steps are never exposed: they finish before the app starts.
	for i, c := range b.wi.GetContainers() {
		for j, pt := range c.GetPorts() {
			add(diag.Path("containers").Index(i).Field("ports").Index(j), pt, false)
		}
	}
	// Native sidecars are init containers; Services resolve their named
	// ports only since 1.32 (kubernetes/kubernetes#127958).
	byNumber := b.opts.Target.Has(target.NativeSidecars) && b.opts.Target.Minor < namedSidecarPortsSince
	for i, c := range b.wi.GetSidecars() {
		for j, pt := range c.GetPorts() {
			add(diag.Path("sidecars").Index(i).Field("ports").Index(j), pt, byNumber)
		}
	}
	name := b.wi.GetName()
	if len(cluster) > 0 {
		b.out.Services = append(b.out.Services, b.service(name, corev1.ServiceTypeClusterIP, cluster))
	}
	if len(node) > 0 {
		b.out.Services = append(b.out.Services, b.service(name+intent.NodePortSuffix, corev1.ServiceTypeNodePort, node))
	}
}

// service returns one Service selecting exactly the workload's pods.
func (b *builder) service(name string, typ corev1.ServiceType, ports []corev1.ServicePort) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: b.objectMeta(name),
		Spec: corev1.ServiceSpec{
			Type:     typ,
			Selector: b.selector(),
			Ports:    ports,
		},
	}
}
