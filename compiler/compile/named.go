package compile

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

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
