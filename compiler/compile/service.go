package compile

import (
	"fmt"
	"slices"

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
	byNumber := b.sidecarPortsByNumber()
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
	sidecar bool
}

// namedServices compiles the Services the intent names and shapes, in its
// order, each with the defaults it leaves unset written out: the type, the
// session affinity (and its timeout with client IP affinity), the external
// traffic policy of a NodePort or LoadBalancer Service, and each Service
// port. A headless Service is a ClusterIP Service with clusterIP None.
func (b *builder) namedServices() {
	ports := map[string]podPort{}
	for _, g := range []struct {
		field   string
		cs      []*podcv1.Container
		sidecar bool
	}{{"containers", b.wi.GetContainers(), false}, {"sidecars", b.wi.GetSidecars(), true}} {
		for i, c := range g.cs {
			for j, pt := range c.GetPorts() {
				if _, dup := ports[pt.GetName()]; !dup {
					ports[pt.GetName()] = podPort{pt, diag.Path(g.field).Index(i).Field("ports").Index(j), g.sidecar}
				}
			}
		}
	}
	byNumber := b.sidecarPortsByNumber()
	noted := map[string]bool{}
	for i, s := range b.wi.GetServices() {
		p := diag.Path("services").Index(i)
		typ := s.GetType()
		if typ == podcv1.ServiceType_SERVICE_TYPE_UNSPECIFIED {
			b.def(p.Field("type"), podcv1.ServiceType_SERVICE_TYPE_CLUSTER_IP.String(), "unset: a ClusterIP Service, reachable inside the cluster only")
		}
		external := intent.External(typ)
		var sps []corev1.ServicePort
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
				if sp.NodePort == 0 {
					b.note("%s (%s) has no nodePort: the cluster allocates one from its node port range", q, pt.GetName())
				}
			}
			sps = append(sps, sp)
		}

		svc := b.service(s.GetName(), serviceType(typ), sps)
		svc.Annotations = b.serviceAnnotations(s)
		spec := &svc.Spec
		if typ == podcv1.ServiceType_SERVICE_TYPE_HEADLESS {
			spec.ClusterIP = corev1.ClusterIPNone
		}
		switch s.GetSessionAffinity() {
		case podcv1.SessionAffinity_SESSION_AFFINITY_CLIENT_IP:
			spec.SessionAffinity = corev1.ServiceAffinityClientIP
			timeout := s.GetSessionAffinityTimeoutSeconds()
			if timeout == 0 {
				timeout = intent.DefaultSessionAffinityTimeout
				b.def(p.Field("sessionAffinityTimeoutSeconds"), fmt.Sprint(timeout), "unset: the Kubernetes default, three hours")
			}
			spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: &timeout}}
		case podcv1.SessionAffinity_SESSION_AFFINITY_NONE:
			spec.SessionAffinity = corev1.ServiceAffinityNone
		default:
			spec.SessionAffinity = corev1.ServiceAffinityNone
			b.def(p.Field("sessionAffinity"), podcv1.SessionAffinity_SESSION_AFFINITY_NONE.String(), "unset: each connection may go to any ready pod")
		}
		if external {
			switch s.GetExternalTrafficPolicy() {
			case podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_LOCAL:
				spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
			case podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_CLUSTER:
				spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
			default:
				spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
				b.def(p.Field("externalTrafficPolicy"), podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_CLUSTER.String(),
					"unset: any node forwards traffic from outside the cluster to any ready pod")
			}
		}
		spec.PublishNotReadyAddresses = s.GetPublishNotReadyAddresses()
		if class := s.GetLoadBalancerClass(); class != "" {
			spec.LoadBalancerClass = &class
		}
		if r := s.GetLoadBalancerSourceRanges(); len(r) > 0 {
			spec.LoadBalancerSourceRanges = slices.Clone(r)
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

// serviceAnnotations returns a fresh map of the annotations of Service s:
// the intent's, with the Service's own added over them; nil when there are
// none.
func (b *builder) serviceAnnotations(s *podcv1.Service) map[string]string {
	m := b.annotations()
	if len(s.GetAnnotations()) > 0 && m == nil {
		m = make(map[string]string, len(s.GetAnnotations()))
	}
	for k, v := range s.GetAnnotations() {
		m[k] = v
	}
	return m
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
