package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// namedSidecarPortsSince is the first Kubernetes minor whose endpoint
// controllers resolve a Service's named targetPort on a native sidecar.
const namedSidecarPortsSince = 32

// services compiles the Services that expose the pod's ports: the intent's
// own when it names them (see namedServices), else those its ports' expose
// forms: a ClusterIP
// Service "<name>" with the EXPOSE_CLUSTER and EXPOSE_NODE ports, so the
// workload's in-cluster name reaches every port exposed beyond it, and a
// NodePort Service "<name>-nodeport" with the EXPOSE_NODE ports only. They
// are separate because every port of a NodePort Service gets a node port: a
// cluster-only port must never be reachable from outside the cluster. Each
// Service port is named after the container port and targets it by that
// name.
func (b *builder) services() {
	if len(b.wi.GetServices()) > 0 {
		b.namedServices()
		return
	}
	r := b.rec
	var cluster, node []corev1.ServicePort
	// The record of each Service port: the intent port, and where its
	// Service port, targetPort and protocol came from.
	type portRec struct {
		port                    provenance.Path
		name, protocol, svcPort provenance.From
		nodePort, expose        provenance.Path
	}
	var clusterRec, nodeRec []portRec
	add := func(p diag.Path, ip provenance.Path, pt *podcv1.Port, byNumber bool) {
		if e := pt.GetExpose(); e != podcv1.Expose_EXPOSE_CLUSTER && e != podcv1.Expose_EXPOSE_NODE {
			return
		}
		sp := corev1.ServicePort{
			Name:       pt.GetName(),
			Protocol:   protocol(pt.GetProtocol()),
			Port:       pt.GetServicePort(),
			TargetPort: intstr.FromString(pt.GetName()),
		}
		pr := portRec{
			port:     ip,
			name:     b.portName(p, ip),
			protocol: from(pt.GetProtocol() != podcv1.Protocol_PROTOCOL_UNSPECIFIED, r.In(ip, "protocol")),
			svcPort:  from(sp.Port != 0, r.In(ip, "servicePort")),
			nodePort: r.In(ip, "nodePort"),
			expose:   r.In(ip, "expose"),
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
		clusterRec = append(clusterRec, pr)
		if pt.GetExpose() == podcv1.Expose_EXPOSE_NODE {
			sp.NodePort = pt.GetNodePort()
			if sp.NodePort == 0 {
				b.note("%s (%s) has no nodePort: the cluster allocates one from its node port range", p, pt.GetName())
			}
			node = append(node, sp)
			nodeRec = append(nodeRec, pr)
		}
	}
	// Init steps are never exposed: they finish before the app starts.
	cp := b.in("containers")
	for i, c := range b.wi.GetContainers() {
		pp := r.In(r.At(cp, i), "ports")
		for j, pt := range c.GetPorts() {
			add(diag.Path("containers").Index(i).Field("ports").Index(j), r.At(pp, j), pt, false)
		}
	}
	byNumber := b.sidecarPortsByNumber()
	scp := b.in("sidecars")
	for i, c := range b.wi.GetSidecars() {
		pp := r.In(r.At(scp, i), "ports")
		for j, pt := range c.GetPorts() {
			add(diag.Path("sidecars").Index(i).Field("ports").Index(j), r.At(pp, j), pt, byNumber)
		}
	}
	// record records a Service of the ports' expose under root: its type
	// stands for the expose of its first port.
	record := func(name string, typ corev1.ServiceType, ports []corev1.ServicePort, recs []portRec) {
		own := provenance.CompilerDefault(provenance.Intent)
		root := r.Object("Service/"+name, own)
		svc := b.service(root, own, name, b.in("name"), nil, provenance.Intent, typ, ports)
		spec := r.Field(root, "spec", provenance.Holder)
		r.Field(spec, "type", provenance.CompilerDefault(recs[0].expose))
		b.recordSelector(r.Field(spec, "selector", provenance.Holder))
		list := r.Field(spec, "ports", provenance.Holder)
		for i, pr := range recs {
			n := r.Index(list, i, provenance.FromIntent(pr.port))
			if ports[i].Name != "" {
				r.Field(n, "name", pr.name)
			}
			r.Field(n, "protocol", pr.protocol)
			r.Field(n, "port", pr.svcPort)
			r.Field(n, "targetPort", provenance.FromIntent(pr.port))
			if ports[i].NodePort != 0 {
				r.Field(n, "nodePort", provenance.FromIntent(pr.nodePort))
			}
		}
		b.out.Services = append(b.out.Services, svc)
	}
	name := b.wi.GetName()
	if len(cluster) > 0 {
		record(name, corev1.ServiceTypeClusterIP, cluster, clusterRec)
	}
	if len(node) > 0 {
		record(name+intent.NodePortSuffix, corev1.ServiceTypeNodePort, node, nodeRec)
	}
}

// sidecarPortsByNumber reports whether Services target the ports of
// sidecars by number: native sidecars are init containers, and Services
// resolve their named ports only since 1.32 (kubernetes/kubernetes#127958).
func (b *builder) sidecarPortsByNumber() bool {
	return b.opts.Target.Has(target.NativeSidecars) && b.opts.Target.Minor < namedSidecarPortsSince
}

// service returns one Service called name selecting exactly the
// workload's pods, and records its apiVersion and kind (from the same
// source as the Service, from) and its metadata under root: its name came
// from namePath; s is the intent Service at sp it was compiled from, nil
// for the Services the ports' expose forms. The caller records its spec.
func (b *builder) service(root provenance.Node, from provenance.From, name string, namePath provenance.Path, s *podcv1.Service, sp provenance.Path, typ corev1.ServiceType, ports []corev1.ServicePort) *corev1.Service {
	b.typeMeta(root, from)
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: b.objectMeta(root, metaService, name, namePath, s, sp),
		Spec: corev1.ServiceSpec{
			Type:     typ,
			Selector: b.selector(),
			Ports:    ports,
		},
	}
}
