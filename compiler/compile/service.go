package compile

import (
	"fmt"
	"slices"

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
		port                     provenance.Path
		name, protocol, svcPort  provenance.From
		target, nodePort, expose provenance.Path
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
			name:     provenance.FromIntent(r.In(ip, "name")),
			protocol: from(pt.GetProtocol() != podcv1.Protocol_PROTOCOL_UNSPECIFIED, r.In(ip, "protocol")),
			svcPort:  from(sp.Port != 0, r.In(ip, "servicePort")),
			target:   ip,
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
			r.Field(n, "targetPort", provenance.FromIntent(pr.target))
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

// podPort is a port of an app container or sidecar, with its intent path.
type podPort struct {
	port    *podcv1.Port
	path    diag.Path
	ip      provenance.Path
	sidecar bool
}

// namedServices compiles the Services the intent names and shapes, in its
// order, each with the defaults it leaves unset written out: the type, the
// session affinity (and its timeout with client IP affinity), the external
// traffic policy of a NodePort or LoadBalancer Service, and each Service
// port. A headless Service is a ClusterIP Service with clusterIP None.
func (b *builder) namedServices() {
	r := b.rec
	ports := map[string]podPort{}
	for _, g := range []struct {
		field   string
		cs      []*podcv1.Container
		sidecar bool
	}{{"containers", b.wi.GetContainers(), false}, {"sidecars", b.wi.GetSidecars(), true}} {
		gp := b.in(g.field)
		for i, c := range g.cs {
			for j, pt := range c.GetPorts() {
				if _, dup := ports[pt.GetName()]; !dup {
					ports[pt.GetName()] = podPort{pt, diag.Path(g.field).Index(i).Field("ports").Index(j), r.At(r.In(r.At(gp, i), "ports"), j), g.sidecar}
				}
			}
		}
	}
	byNumber := b.sidecarPortsByNumber()
	noted := map[string]bool{}
	svcs := b.in("services")
	for i, s := range b.wi.GetServices() {
		p := diag.Path("services").Index(i)
		ip := r.At(svcs, i)
		own := provenance.FromIntent(ip)
		root := r.Object("Service/"+s.GetName(), own)
		spn := r.Field(root, "spec", provenance.Holder)
		typ := s.GetType()
		typeFrom := from(typ != podcv1.ServiceType_SERVICE_TYPE_UNSPECIFIED, r.In(ip, "type"))
		r.Field(spn, "type", typeFrom)
		if typ == podcv1.ServiceType_SERVICE_TYPE_UNSPECIFIED {
			b.def(p.Field("type"), podcv1.ServiceType_SERVICE_TYPE_CLUSTER_IP.String(), "unset: a ClusterIP Service, reachable inside the cluster only")
		}
		b.recordSelector(r.Field(spn, "selector", provenance.Holder))
		external := intent.External(typ)
		var sps []corev1.ServicePort
		spp := r.In(ip, "ports")
		var list provenance.Node = none
		for j, ref := range s.GetPorts() {
			q := p.Field("ports").Index(j)
			pp, ok := ports[ref.GetName()]
			if !ok {
				continue // intent.Check refuses it
			}
			pt := pp.port
			sp := corev1.ServicePort{
				Name:       pt.GetName(),
				Protocol:   protocol(pt.GetProtocol()),
				Port:       ref.GetServicePort(),
				TargetPort: intstr.FromString(pt.GetName()),
			}
			if list == none {
				list = b.put(spn, "ports", spp)
			}
			qp := r.At(spp, j)
			n := r.Index(list, len(sps), provenance.FromIntent(qp))
			b.putIf(sp.Name != "", n, "name", r.In(qp, "name"))
			r.Field(n, "protocol", from(pt.GetProtocol() != podcv1.Protocol_PROTOCOL_UNSPECIFIED, r.In(pp.ip, "protocol")))
			r.Field(n, "port", from(sp.Port != 0, r.In(qp, "servicePort")))
			r.Field(n, "targetPort", provenance.FromIntent(pp.ip))
			if pp.sidecar && byNumber {
				sp.TargetPort = intstr.FromInt32(pt.GetContainerPort())
				if !noted[pt.GetName()] {
					noted[pt.GetName()] = true
					b.note("%s (%s): Services target port %d by number: before Kubernetes 1.%d Services do not resolve the named ports of native sidecars",
						pp.path, pt.GetName(), pt.GetContainerPort(), namedSidecarPortsSince)
				}
			}
			if sp.Port == 0 {
				sp.Port = pt.GetContainerPort()
				b.def(q.Field("servicePort"), fmt.Sprint(sp.Port), "unset: the Service port is the containerPort")
			}
			if external {
				sp.NodePort = ref.GetNodePort()
				b.putIf(sp.NodePort != 0, n, "nodePort", r.In(qp, "nodePort"))
				if sp.NodePort == 0 {
					b.note("%s (%s) has no nodePort: the cluster allocates one from its node port range", q, pt.GetName())
				}
			}
			sps = append(sps, sp)
		}

		svc := b.service(root, own, s.GetName(), r.In(ip, "name"), s, ip, serviceType(typ), sps)
		spec := &svc.Spec
		if typ == podcv1.ServiceType_SERVICE_TYPE_HEADLESS {
			spec.ClusterIP = corev1.ClusterIPNone
			r.Field(spn, "clusterIP", typeFrom)
		}
		switch s.GetSessionAffinity() {
		case podcv1.SessionAffinity_SESSION_AFFINITY_CLIENT_IP:
			spec.SessionAffinity = corev1.ServiceAffinityClientIP
			r.Field(spn, "sessionAffinity", provenance.FromIntent(r.In(ip, "sessionAffinity")))
			timeout := s.GetSessionAffinityTimeoutSeconds()
			tf := from(timeout != 0, r.In(ip, "sessionAffinityTimeoutSeconds"))
			if timeout == 0 {
				timeout = intent.DefaultSessionAffinityTimeout
				b.def(p.Field("sessionAffinityTimeoutSeconds"), fmt.Sprint(timeout), "unset: the Kubernetes default, three hours")
			}
			cfg := r.Field(spn, "sessionAffinityConfig", tf)
			r.Field(r.Field(cfg, "clientIP", tf), "timeoutSeconds", tf)
			spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: &timeout}}
		case podcv1.SessionAffinity_SESSION_AFFINITY_NONE:
			spec.SessionAffinity = corev1.ServiceAffinityNone
			r.Field(spn, "sessionAffinity", provenance.FromIntent(r.In(ip, "sessionAffinity")))
		default:
			spec.SessionAffinity = corev1.ServiceAffinityNone
			r.Field(spn, "sessionAffinity", provenance.CompilerDefault(r.In(ip, "sessionAffinity")))
			b.def(p.Field("sessionAffinity"), podcv1.SessionAffinity_SESSION_AFFINITY_NONE.String(), "unset: each connection may go to any ready pod")
		}
		if external {
			etp := r.In(ip, "externalTrafficPolicy")
			switch s.GetExternalTrafficPolicy() {
			case podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_LOCAL:
				spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
				b.put(spn, "externalTrafficPolicy", etp)
			case podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_CLUSTER:
				spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
				b.put(spn, "externalTrafficPolicy", etp)
			default:
				spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
				r.Field(spn, "externalTrafficPolicy", provenance.CompilerDefault(etp))
				b.def(p.Field("externalTrafficPolicy"), podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_CLUSTER.String(),
					"unset: any node forwards traffic from outside the cluster to any ready pod")
			}
		}
		spec.PublishNotReadyAddresses = s.GetPublishNotReadyAddresses()
		b.putIf(spec.PublishNotReadyAddresses, spn, "publishNotReadyAddresses", r.In(ip, "publishNotReadyAddresses"))
		if class := s.GetLoadBalancerClass(); class != "" {
			spec.LoadBalancerClass = &class
			b.put(spn, "loadBalancerClass", r.In(ip, "loadBalancerClass"))
		}
		if rs := s.GetLoadBalancerSourceRanges(); len(rs) > 0 {
			spec.LoadBalancerSourceRanges = slices.Clone(rs)
			b.putStrings(spn, "loadBalancerSourceRanges", r.In(ip, "loadBalancerSourceRanges"), len(rs))
		}
		b.out.Services = append(b.out.Services, svc)
	}
}

// serviceType returns the Kubernetes type of a Service: ClusterIP for a
// headless one.
func serviceType(t podcv1.ServiceType) corev1.ServiceType {
	switch t {
	case podcv1.ServiceType_SERVICE_TYPE_NODE_PORT:
		return corev1.ServiceTypeNodePort
	case podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER:
		return corev1.ServiceTypeLoadBalancer
	}
	return corev1.ServiceTypeClusterIP
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
		ObjectMeta: b.objectMeta(root, name, namePath, s, sp),
		Spec: corev1.ServiceSpec{
			Type:     typ,
			Selector: b.selector(),
			Ports:    ports,
		},
	}
}
