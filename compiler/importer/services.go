package importer

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// svcPort is a port of a Service that carries a port of the pod.
type svcPort struct {
	index int // in the Service's ports
	port  corev1.ServicePort
	pod   *portRef
}

// svc is a Service of the workload with the pod ports it carries.
type svc struct {
	obj      *object
	typ      podcv1.ServiceType
	ports    []svcPort
	external bool
}

// resolveServices finds the pod port each Service port carries, and
// returns the Services that carry any. A Service port that carries no port
// of the app containers and sidecars is lost; so is a Service none of
// whose ports can be carried.
func (b *builder) resolveServices() []*svc {
	w := b.objs.workload
	var out []*svc
	for _, o := range b.objs.services {
		if b.dropped(o, fieldPath{}) {
			b.wholeLost = append(b.wholeLost, o.whole(b.drops[dropKey(o, fieldPath{})]))
			continue
		}
		spec := &o.service.Spec
		s := &svc{obj: o}
		switch {
		case spec.Type == corev1.ServiceTypeNodePort:
			s.typ, s.external = podcv1.ServiceType_SERVICE_TYPE_NODE_PORT, true
		case spec.Type == corev1.ServiceTypeLoadBalancer:
			s.typ, s.external = podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER, true
		case spec.Type == corev1.ServiceTypeExternalName:
			b.wholeLost = append(b.wholeLost, o.whole("an ExternalName Service names a host outside the pods; podc's Services select the pods"))
			continue
		case spec.ClusterIP == corev1.ClusterIPNone:
			s.typ = podcv1.ServiceType_SERVICE_TYPE_HEADLESS
		default:
			s.typ = podcv1.ServiceType_SERVICE_TYPE_CLUSTER_IP
		}
		var firstWhy string
		for j, sp := range spec.Ports {
			p := fieldPath{}.f("spec").f("ports").i(j)
			if b.dropped(o, p) {
				firstWhy = cmpOr(firstWhy, b.drops[dropKey(o, p)])
				continue
			}
			pr, why := b.target(w, s, sp)
			if pr == nil {
				b.why(o, p, why)
				firstWhy = cmpOr(firstWhy, why)
				continue
			}
			s.ports = append(s.ports, svcPort{index: j, port: sp, pod: pr})
		}
		if len(s.ports) == 0 {
			if firstWhy == "" {
				firstWhy = "it has no ports"
			}
			b.wholeLost = append(b.wholeLost, o.whole("none of its ports can be carried: "+firstWhy))
			continue
		}
		out = append(out, s)
	}
	return b.reachableByName(out)
}

// cmpOr returns a unless it is empty, else b.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// target finds the pod port that Service port sp targets, by name or
// number and protocol, among the ports of app containers and sidecars. A
// number no container declares is declared on the only app container when
// there is one, a loss of that container's ports. nil and why when the
// port targets nothing the intent can carry, or a port s already carries.
func (b *builder) target(w *object, s *svc, sp corev1.ServicePort) (*portRef, string) {
	proto := sp.Protocol
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	tp := sp.TargetPort
	byName := tp.Type == intstr.String && tp.StrVal != ""
	number := sp.Port
	if tp.Type == intstr.Int && tp.IntVal != 0 {
		number = tp.IntVal
	}
	var found *portRef
	for _, pr := range b.ports {
		if pr.role == roleInit || intent.ProtocolName(pr.port.Protocol) != string(proto) {
			continue
		}
		if byName && pr.name == tp.StrVal || !byName && pr.port.ContainerPort == number {
			found = pr
			break
		}
	}
	switch {
	case found != nil:
		for _, have := range s.ports {
			if have.pod == found {
				return nil, fmt.Sprintf("carries the pod's port %d/%s again, which port %q of this Service already carries; an intent's Service carries each port once",
					found.port.ContainerPort, proto, have.port.Name)
			}
		}
		return found, ""
	case byName:
		return nil, fmt.Sprintf("targets the port named %q, which no app container or sidecar declares", tp.StrVal)
	case len(b.wi.Containers) != 1 || len(b.wi.Sidecars) != 0:
		return nil, fmt.Sprintf("targets port %d/%s, which no container declares, and the pod has more than one container to declare it on", number, proto)
	}
	// The only app container listens on it without declaring it: declare it.
	c := b.wi.Containers[0]
	port := &podcv1.Port{ContainerPort: number}
	switch proto {
	case corev1.ProtocolUDP:
		port.Protocol = podcv1.Protocol_PROTOCOL_UDP
	case corev1.ProtocolSCTP:
		port.Protocol = podcv1.Protocol_PROTOCOL_SCTP
	}
	ip := diag.Path("containers").Index(0).Field("ports").Index(len(c.Ports))
	c.Ports = append(c.Ports, port)
	cp := w.podSpecPath().f("containers").i(0).f("ports")
	if !b.declared {
		b.lose(w, cp, fmt.Sprintf("compile declares port %d/%s on container %s, which does not declare it, because %s targets it", number, proto, c.Name, s.obj.ref))
		b.declared = true
	}
	pr := &portRef{port: port, container: 0, role: roleApp, cname: c.Name, ip: ip, synthetic: true}
	b.ports = append(b.ports, pr)
	return pr, ""
}

// reachableByName drops the ports of NodePort and LoadBalancer Services
// that the Service named after the workload does not carry: podc keeps
// every port reachable from outside the cluster reachable at the
// workload's in-cluster name too.
func (b *builder) reachableByName(svcs []*svc) []*svc {
	w := b.objs.workload
	var own *svc
	for _, s := range svcs {
		if s.obj.name == w.name {
			own = s
		}
	}
	var out []*svc
	for _, s := range svcs {
		if !s.external || s == own {
			out = append(out, s)
			continue
		}
		var keep []svcPort
		var firstWhy string
		for _, sp := range s.ports {
			if own != nil && own.carries(sp.pod) {
				keep = append(keep, sp)
				continue
			}
			why := fmt.Sprintf("reachable from outside the cluster through this %s Service, but the Service named %s, the workload's in-cluster name, does not carry it; podc keeps every port reachable from outside the cluster reachable at that name too",
				intent.ServiceTypeName(s.typ), w.name)
			if own == nil {
				why = fmt.Sprintf("reachable from outside the cluster through this %s Service, but no Service is named %s, the workload's in-cluster name; podc keeps every port reachable from outside the cluster reachable at that name too",
					intent.ServiceTypeName(s.typ), w.name)
			}
			b.why(s.obj, fieldPath{}.f("spec").f("ports").i(sp.index), why)
			firstWhy = cmpOr(firstWhy, why)
		}
		if len(keep) == 0 {
			b.wholeLost = append(b.wholeLost, s.obj.whole("none of its ports can be carried: "+firstWhy))
			continue
		}
		s.ports = keep
		out = append(out, s)
	}
	return out
}

// carries reports whether s carries pod port pr.
func (s *svc) carries(pr *portRef) bool {
	for _, sp := range s.ports {
		if sp.pod == pr {
			return true
		}
	}
	return false
}

// exposeAndName sets each carried pod port's expose (EXPOSE_NODE when a
// NodePort or LoadBalancer Service carries it) and name: its own, else the
// name of the first Service port that carries it, else one made from its
// protocol and number, which the intent leaves out when it is the one
// compile gives an exposed port without a name ("tcp-8080").
//
// Compile names each Service port after the pod port it carries and
// targets the pod port by that name. What that changes of the manifests is
// not lost when it is the same workload: a name given to a port that had
// none (a container port or a Service port) is an addition, like podc's
// labels; a targetPort by number, or unset (the Service port), is the same
// container port as the name of the port of that number, which is how
// Kubernetes resolves a named targetPort. A Service port named otherwise
// than the pod port it carries is lost: an intent's Service port takes the
// name of the container port.
func (b *builder) exposeAndName(svcs []*svc) {
	w := b.objs.workload
	used := map[string]bool{}
	for _, pr := range b.ports {
		if pr.name != "" {
			used[pr.name] = true
		}
	}
	// Why the name of a Service port could not name the unnamed pod port
	// it carries, by Service port.
	refused := map[*svcPort]string{}
	namedBy := map[*portRef]string{} // the Service that named an unnamed pod port
	for _, s := range svcs {
		for k := range s.ports {
			sp := &s.ports[k]
			pr := sp.pod
			if s.external {
				pr.port.Expose = podcv1.Expose_EXPOSE_NODE
			} else if pr.port.Expose != podcv1.Expose_EXPOSE_NODE {
				pr.port.Expose = podcv1.Expose_EXPOSE_CLUSTER
			}
			if pr.name != "" {
				continue
			}
			name := sp.port.Name
			switch errs := validation.IsValidPortName(name); {
			case name == "":
			case used[name]:
				refused[sp] = fmt.Sprintf("another port of the pod is named %s", name)
			case len(errs) > 0:
				refused[sp] = fmt.Sprintf("it is not a valid container port name: %s", strings.Join(errs, "; "))
			}
			if name == "" || refused[sp] != "" {
				name = madeName(pr.port, used)
			}
			pr.name = name
			namedBy[pr] = s.obj.ref
			used[name] = true
			// An exposed port without a name, compile names after its
			// protocol and number: the intent leaves that name out.
			if name != intent.PortName(pr.port) {
				pr.port.Name = name
			}
			if !pr.synthetic {
				b.note("%s: %s: unset: compile names the port %s, an addition, and %s targets it by that name",
					w.ref, w.typedPath(pr.path.f("name")), name, s.obj.ref)
			}
		}
	}
	for _, s := range svcs {
		for k := range s.ports {
			sp := &s.ports[k]
			p := fieldPath{}.f("spec").f("ports").i(sp.index)
			name := sp.pod.name
			switch n := sp.port.Name; {
			case n == name:
				b.use(s.obj, p.f("name"))
			case n == "":
				b.use(s.obj, p.f("name"))
				b.note("%s: %s: unset: compile names the Service port after the container port it carries, %s, an addition",
					s.obj.ref, s.obj.typedPath(p.f("name")), name)
			default:
				b.lose(s.obj, p.f("name"), serviceNameReason(sp, name, refused[sp], namedBy[sp.pod]))
			}
			b.targetPort(s, sp, p)
			b.use(s.obj, p.f("protocol"))
			b.why(s.obj, p.f("appProtocol"), "the intent's Service ports have no appProtocol")
			if s.typ == podcv1.ServiceType_SERVICE_TYPE_HEADLESS && sp.port.Port != sp.pod.port.ContainerPort {
				b.lose(s.obj, p.f("port"), fmt.Sprintf("compile gives a headless Service the containerPort, %d: clients reach the pods at it", sp.pod.port.ContainerPort))
			} else {
				b.use(s.obj, p.f("port"))
			}
			if s.external {
				b.use(s.obj, p.f("nodePort"))
			}
		}
	}
}

// serviceNameReason says why the name of Service port sp, other than
// name, the name of the pod port it carries, is lost: refused says why the
// pod port, unnamed, could not take it, and namedBy is the Service whose
// port named the pod port.
func serviceNameReason(sp *svcPort, name, refused, namedBy string) string {
	const rule = "an intent's Service port takes the name of the container port it carries, so clients that find the Service port by its name (DNS SRV records, an Ingress's or a monitor's port name) no longer find it"
	switch {
	case sp.pod.named:
		return fmt.Sprintf("named %s, but the container port it carries is named %s: %s", sp.port.Name, name, rule)
	case refused != "":
		return fmt.Sprintf("named %s, which the container port it carries, unnamed, cannot take (%s), so compile names both %s: %s", sp.port.Name, refused, name, rule)
	default:
		return fmt.Sprintf("named %s, but the container port it carries, unnamed, takes the name %s from the port of %s that carries it too: %s", sp.port.Name, name, namedBy, rule)
	}
}

// targetPort accounts for the targetPort of Service port sp at p of s,
// which compile writes as the name of the pod port it carries. The same
// name, or a number (unset: the Service port) that is that port's, is the
// same container port: Kubernetes resolves a named targetPort to the
// containerPort of the pod's port of that name and protocol. target
// chose the pod port by that name or number; any other targetPort is
// lost, so that a change there cannot make a different port pass as the
// same.
func (b *builder) targetPort(s *svc, sp *svcPort, p fieldPath) {
	name, number := sp.pod.name, sp.pod.port.ContainerPort
	tp := sp.port.TargetPort
	given, n := fmt.Sprintf("%d by number", tp.IntVal), tp.IntVal
	if tp.IntVal == 0 && tp.StrVal == "" {
		given, n = fmt.Sprintf("unset (the Service port, %d)", sp.port.Port), sp.port.Port
	}
	switch {
	case tp.Type == intstr.String && tp.StrVal != "":
		if tp.StrVal != name {
			b.lose(s.obj, p.f("targetPort"), fmt.Sprintf("targets the port named %s, but compile targets the pod port it carries by its name, %s", tp.StrVal, name))
			return
		}
	case n == number:
		b.note("%s: %s: %s: compile targets the same container port by its name, %s", s.obj.ref, s.obj.typedPath(p.f("targetPort")), given, name)
	default:
		b.lose(s.obj, p.f("targetPort"), fmt.Sprintf("%s, but compile targets the pod port it carries by its name, %s: port %d", given, name, number))
		return
	}
	b.use(s.obj, p.f("targetPort"))
}

// madeName makes a port name from its protocol and number ("tcp-8080"),
// unused in the pod.
func madeName(p *podcv1.Port, used map[string]bool) string {
	base := fmt.Sprintf("%s-%d", strings.ToLower(intent.ProtocolName(p.Protocol)), p.ContainerPort)
	name := base
	for n := 2; used[name]; n++ {
		name = fmt.Sprintf("p%d-%d", p.ContainerPort, n)
	}
	return name
}

// emitServices writes the Services: in the simple form, when the ports'
// expose forms exactly them, or else as the intent's named Services. own
// holds each Service's own annotations.
func (b *builder) emitServices(svcs []*svc, own map[*object]map[string]string) {
	for _, s := range svcs {
		spec := fieldPath{}.f("spec")
		b.use(s.obj, spec.f("type"))
		if s.typ == podcv1.ServiceType_SERVICE_TYPE_HEADLESS {
			b.use(s.obj, spec.f("clusterIP"))
			if cips := s.obj.service.Spec.ClusterIPs; len(cips) == 1 && cips[0] == corev1.ClusterIPNone {
				b.use(s.obj, spec.f("clusterIPs"))
			}
		}
	}
	if len(svcs) == 0 {
		return
	}
	if b.simpleForm(svcs, own) {
		for _, s := range svcs {
			for _, sp := range s.ports {
				if sp.port.Port != sp.pod.port.ContainerPort {
					sp.pod.port.ServicePort = sp.port.Port
				}
				if s.external {
					sp.pod.port.NodePort = sp.port.NodePort
				}
			}
			b.serviceSettings(s, nil)
		}
		b.note("Services: the ports' expose forms them (Service %s%s)", b.objs.workload.name, map[bool]string{true: " and its NodePort Service " + b.objs.workload.name + intent.NodePortSuffix}[len(svcs) == 2])
		return
	}
	for i, s := range svcs {
		out := &podcv1.Service{Name: s.obj.name}
		if s.typ != podcv1.ServiceType_SERVICE_TYPE_CLUSTER_IP {
			out.Type = s.typ
		}
		for k, sp := range s.ports {
			ref := &podcv1.ServicePort{Name: sp.pod.name}
			if sp.port.Port != sp.pod.port.ContainerPort && s.typ != podcv1.ServiceType_SERVICE_TYPE_HEADLESS {
				ref.ServicePort = sp.port.Port
			}
			if s.external {
				ref.NodePort = sp.port.NodePort
			}
			out.Ports = append(out.Ports, ref)
			b.record(diag.Path("services").Index(i).Field("ports").Index(k), s.obj, fieldPath{}.f("spec").f("ports").i(sp.index), false)
		}
		for _, k := range sortedKeys(own[s.obj]) {
			if out.Annotations == nil {
				out.Annotations = map[string]string{}
			}
			out.Annotations[k] = own[s.obj][k]
			b.record(diag.Path("services").Index(i).Field("annotations").Key(k), s.obj, fieldPath{}.f("metadata").f("annotations").k(k), false)
		}
		b.serviceSettings(s, out)
		b.record(diag.Path("services").Index(i), s.obj, fieldPath{}, false)
		b.wi.Services = append(b.wi.Services, out)
	}
	b.note("Services: named in the intent's services, as the manifests shape them")
}

// simpleForm reports whether the ports' expose forms exactly the Services:
// a ClusterIP Service named after the workload with every exposed port, in
// the pod's order, and perhaps its NodePort Service "<name>-nodeport" with
// the EXPOSE_NODE ports, each at the same Service port, with no settings
// of their own.
func (b *builder) simpleForm(svcs []*svc, own map[*object]map[string]string) bool {
	w := b.objs.workload
	var cluster, node *svc
	for _, s := range svcs {
		switch {
		case s.obj.name == w.name && s.typ == podcv1.ServiceType_SERVICE_TYPE_CLUSTER_IP:
			cluster = s
		case s.obj.name == w.name+intent.NodePortSuffix && s.typ == podcv1.ServiceType_SERVICE_TYPE_NODE_PORT:
			node = s
		default:
			return false
		}
		if len(own[s.obj]) > 0 || !plainService(s) {
			return false
		}
	}
	if cluster == nil {
		return false
	}
	// The order compile writes: app containers, then sidecars, each's
	// ports in order.
	var exposed, nodePorts []*portRef
	for _, r := range []role{roleApp, roleSidecar} {
		for _, pr := range b.ports {
			if pr.role == r && pr.port.Expose != podcv1.Expose_EXPOSE_UNSPECIFIED {
				exposed = append(exposed, pr)
				if pr.port.Expose == podcv1.Expose_EXPOSE_NODE {
					nodePorts = append(nodePorts, pr)
				}
			}
		}
	}
	if !sameOrder(cluster, exposed) || node == nil && len(nodePorts) > 0 || node != nil && !sameOrder(node, nodePorts) {
		return false
	}
	if node != nil {
		for _, sp := range node.ports {
			for _, cp := range cluster.ports {
				if cp.pod == sp.pod && cp.port.Port != sp.port.Port {
					return false
				}
			}
		}
	}
	return true
}

// sameOrder reports whether s carries exactly prs, in order.
func sameOrder(s *svc, prs []*portRef) bool {
	if len(s.ports) != len(prs) {
		return false
	}
	for i, sp := range s.ports {
		if sp.pod != prs[i] {
			return false
		}
	}
	return true
}

// plainService reports whether s has no settings beyond its type and
// ports: what the simple form writes.
func plainService(s *svc) bool {
	spec := &s.obj.service.Spec
	return (spec.SessionAffinity == "" || spec.SessionAffinity == corev1.ServiceAffinityNone) && spec.SessionAffinityConfig == nil &&
		(spec.ExternalTrafficPolicy == "" || spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyCluster) &&
		!spec.PublishNotReadyAddresses
}

// serviceSettings maps a Service's session affinity, external traffic
// policy, readiness publishing and load balancer settings into out (nil in
// the simple form, where plainService holds).
func (b *builder) serviceSettings(s *svc, out *podcv1.Service) {
	o := s.obj
	spec := &o.service.Spec
	sp := fieldPath{}.f("spec")
	b.use(o, sp.f("sessionAffinity"))
	if out == nil {
		b.use(o, sp.f("externalTrafficPolicy"))
		return
	}
	if spec.SessionAffinity == corev1.ServiceAffinityClientIP {
		out.SessionAffinity = podcv1.SessionAffinity_SESSION_AFFINITY_CLIENT_IP
		if c := spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil {
			if t := *c.ClientIP.TimeoutSeconds; t != intent.DefaultSessionAffinityTimeout {
				out.SessionAffinityTimeoutSeconds = t
			}
			b.use(o, sp.f("sessionAffinityConfig").f("clientIP").f("timeoutSeconds"))
		}
	}
	if s.external {
		if spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal {
			out.ExternalTrafficPolicy = podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_LOCAL
		}
		b.use(o, sp.f("externalTrafficPolicy"))
	}
	if spec.PublishNotReadyAddresses {
		out.PublishNotReadyAddresses = true
	}
	b.use(o, sp.f("publishNotReadyAddresses"))
	if s.typ == podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER {
		if c := spec.LoadBalancerClass; c != nil && *c != "" {
			out.LoadBalancerClass = *c
			b.use(o, sp.f("loadBalancerClass"))
		}
		out.LoadBalancerSourceRanges = spec.LoadBalancerSourceRanges
		b.use(o, sp.f("loadBalancerSourceRanges"))
	}
}
