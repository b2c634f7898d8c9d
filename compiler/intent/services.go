package intent

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Limits of a Service's fields, as the kube-apiserver sets them.
const (
	// DefaultSessionAffinityTimeout is the client IP session affinity
	// timeout of a Service that sets none, in seconds.
	DefaultSessionAffinityTimeout = 10800
	// maxSessionAffinityTimeout is the longest client IP session affinity.
	maxSessionAffinityTimeout = 86400
)

// Annotation keys the kube-apiserver gives a meaning on Services.
const (
	annotationLBSourceRanges = "service.beta.kubernetes.io/load-balancer-source-ranges"
	annotationTopologyMode   = "service.kubernetes.io/topology-mode"
	annotationTopologyHints  = "service.kubernetes.io/topology-aware-hints"
)

// External reports whether a Service of type t is reachable from outside
// the cluster: every port of a NodePort or LoadBalancer Service gets a node
// port.
func External(t podcv1.ServiceType) bool {
	return t == podcv1.ServiceType_SERVICE_TYPE_NODE_PORT || t == podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER
}

// ServiceTypeName returns the Kubernetes name of a Service type, with
// "Headless" for a headless ClusterIP Service and "ClusterIP" for an unset
// type.
func ServiceTypeName(t podcv1.ServiceType) string {
	switch t {
	case podcv1.ServiceType_SERVICE_TYPE_NODE_PORT:
		return "NodePort"
	case podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER:
		return "LoadBalancer"
	case podcv1.ServiceType_SERVICE_TYPE_HEADLESS:
		return "Headless"
	}
	return "ClusterIP"
}

// namedPort is a port of the pod found by its name.
type namedPort struct {
	port *podcv1.Port
	path diag.Path
	c    ref
}

// podPorts returns every named port of the pod by name, the first of each
// name (ports reports the duplicates).
func podPorts(wi *podcv1.WorkloadIntent) map[string]namedPort {
	out := map[string]namedPort{}
	for _, r := range all(wi) {
		for i, pt := range r.c.GetPorts() {
			name := pt.GetName()
			if r.role != roleInit {
				name = PortName(pt)
			}
			if _, dup := out[name]; name != "" && !dup {
				out[name] = namedPort{pt, r.path.Field("ports").Index(i), r}
			}
		}
	}
	return out
}

// services checks the Services the intent names and shapes, and how they
// carry the pod's ports: each port of a Service names a port of an app
// container or sidecar, exposed at least as far as the Service reaches; each
// exposed port is in some Service, as far as it is exposed; and the Service
// named after the workload carries every port reachable from outside the
// cluster, so the workload's in-cluster name reaches it. Without services,
// it checks the annotations of the Services the ports' expose forms.
func (c *checker) services() {
	svcs := c.wi.GetServices()
	if len(svcs) == 0 {
		c.simpleServiceAnnotations()
		return
	}
	ports := podPorts(c.wi)
	names := map[string]diag.Path{}
	// The Services each pod port is in: any, and NodePort or LoadBalancer.
	inAny := map[string]bool{}
	inExternal := map[string]bool{}
	type nodePortUse struct {
		svc   int
		proto podcv1.Protocol
		path  diag.Path
	}
	nodePorts := map[int32]nodePortUse{}
	// The ports of the Service named after the workload, and the ports of
	// the external Services that it must carry.
	byName := map[string]int{}
	type externalPort struct {
		name string
		path diag.Path
		svc  string
	}
	var external []externalPort

	for i, s := range svcs {
		p := diag.Path("services").Index(i)
		name := s.GetName()
		switch {
		case name == "":
			c.addf(p.Field("name"), "required: a DNS-1035 label (lower case letters, digits and '-', starting with a letter)")
		case c.addMsgs(p.Field("name"), "Service name", name, validation.IsDNS1035Label(name)):
		default:
			if prev, dup := names[name]; dup {
				c.addf(p.Field("name"), "duplicate Service name %q: also at %s", name, prev)
			} else {
				names[name] = p
				byName[name] = i
			}
		}

		typ := s.GetType()
		if !enumValid(typ, podcv1.ServiceType_name) {
			c.addf(p.Field("type"), "unknown type %d: want SERVICE_TYPE_CLUSTER_IP, SERVICE_TYPE_NODE_PORT, SERVICE_TYPE_LOAD_BALANCER or SERVICE_TYPE_HEADLESS", typ)
		}
		ext := External(typ)
		headless := typ == podcv1.ServiceType_SERVICE_TYPE_HEADLESS
		lb := typ == podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER

		if len(s.GetPorts()) == 0 {
			c.addf(p.Field("ports"), "required: at least one port; a Service without ports reaches nothing")
		}
		inThis := map[string]diag.Path{}
		servicePorts := map[string]diag.Path{}
		for j, sp := range s.GetPorts() {
			q := p.Field("ports").Index(j)
			pn := sp.GetName()
			np, found := ports[pn]
			switch {
			case pn == "":
				c.addf(q.Field("name"), "required: the name of a port of an app container or sidecar")
			case !found:
				c.addf(q.Field("name"), "no port named %q in the app containers or sidecars", pn)
			case np.c.role == roleInit:
				c.addf(q.Field("name"), "%q is a port of init step %s: init steps finish before the app starts, so the Service would point at nothing", pn, np.c.path)
				found = false
			}
			if prev, dup := inThis[pn]; pn != "" && dup {
				c.addf(q.Field("name"), "port %q is already in this Service at %s", pn, prev)
			} else if pn != "" {
				inThis[pn] = q
			}
			if found {
				switch e := np.port.GetExpose(); {
				case e == podcv1.Expose_EXPOSE_UNSPECIFIED || e == podcv1.Expose_EXPOSE_NONE:
					c.addf(q.Field("name"), "port %q is not exposed (%s.expose is %s): set its expose to EXPOSE_CLUSTER or EXPOSE_NODE to put it in a Service",
						pn, np.path, podcv1.Expose_EXPOSE_NONE)
				case e == podcv1.Expose_EXPOSE_CLUSTER && ext:
					c.addf(q.Field("name"), "port %q is cluster-only (%s.expose is EXPOSE_CLUSTER), and every port of a %s Service gets a node port, reachable from outside the cluster: set its expose to EXPOSE_NODE, or carry it in a ClusterIP or headless Service",
						pn, np.path, ServiceTypeName(typ))
				}
				inAny[pn] = true
				if ext {
					inExternal[pn] = true
					external = append(external, externalPort{pn, q, name})
				}
			}

			port := sp.GetServicePort()
			portOK := true
			if port != 0 {
				switch {
				case len(validation.IsValidPortNum(int(port))) > 0:
					c.addf(q.Field("servicePort"), "%d is out of range: want 1-65535", port)
					portOK = false
				case headless && found && port != np.port.GetContainerPort():
					c.addf(q.Field("servicePort"), "a headless Service has no virtual IP to map ports: clients reach each pod at its containerPort %d; drop servicePort or set it to %d",
						np.port.GetContainerPort(), np.port.GetContainerPort())
					portOK = false
				}
			}
			proto := np.port.GetProtocol()
			if found && portOK && enumValid(proto, podcv1.Protocol_name) {
				eff := port
				if eff == 0 {
					eff = np.port.GetContainerPort()
				}
				key := fmt.Sprintf("%d/%s", eff, ProtocolName(proto))
				if prev, dup := servicePorts[key]; dup && eff > 0 {
					at := q.Field("servicePort")
					if port == 0 {
						at = q // the Service port defaults to the containerPort
					}
					c.addf(at, "Service port %s is already used in this Service by %s: set a different servicePort", key, prev)
				} else {
					servicePorts[key] = q
				}
			}

			if n := sp.GetNodePort(); n != 0 {
				switch {
				case !ext:
					c.addf(q.Field("nodePort"), "only allowed in a NodePort or LoadBalancer Service: a node port makes the port reachable from outside the cluster")
				case !c.opts.NodePorts.Contains(n):
					c.addf(q.Field("nodePort"), "%d is outside the platform's node port range %s", n, c.opts.NodePorts)
				default:
					prev, used := nodePorts[n]
					switch {
					case used && prev.svc != i:
						c.addf(q.Field("nodePort"), "node port %d is already used by %s: a node port belongs to one Service", n, prev.path)
					case used && prev.proto == proto && found:
						c.addf(q.Field("nodePort"), "node port %d/%s is already used by %s", n, ProtocolName(proto), prev.path)
					case !used:
						nodePorts[n] = nodePortUse{i, proto, q}
					}
				}
			}
		}

		aff := s.GetSessionAffinity()
		if !enumValid(aff, podcv1.SessionAffinity_name) {
			c.addf(p.Field("sessionAffinity"), "unknown session affinity %d: want SESSION_AFFINITY_NONE or SESSION_AFFINITY_CLIENT_IP", aff)
		}
		if t := s.GetSessionAffinityTimeoutSeconds(); t != 0 {
			switch {
			case aff != podcv1.SessionAffinity_SESSION_AFFINITY_CLIENT_IP:
				c.addf(p.Field("sessionAffinityTimeoutSeconds"), "only used with SESSION_AFFINITY_CLIENT_IP: set sessionAffinity, or drop the timeout")
			case t < 0 || t > maxSessionAffinityTimeout:
				c.addf(p.Field("sessionAffinityTimeoutSeconds"), "%d is out of range: want 1-%d seconds", t, maxSessionAffinityTimeout)
			}
		}
		etp := s.GetExternalTrafficPolicy()
		switch {
		case !enumValid(etp, podcv1.ExternalTrafficPolicy_name):
			c.addf(p.Field("externalTrafficPolicy"), "unknown external traffic policy %d: want EXTERNAL_TRAFFIC_POLICY_CLUSTER or EXTERNAL_TRAFFIC_POLICY_LOCAL", etp)
		case etp != podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_UNSPECIFIED && !ext:
			c.addf(p.Field("externalTrafficPolicy"), "only for NodePort and LoadBalancer Services: it says how traffic from outside the cluster reaches the pods")
		}
		if class := s.GetLoadBalancerClass(); class != "" {
			if !lb {
				c.addf(p.Field("loadBalancerClass"), "only for a LoadBalancer Service")
			} else {
				c.addMsgs(p.Field("loadBalancerClass"), "load balancer class", class, validation.IsQualifiedName(class))
			}
		}
		if ranges := s.GetLoadBalancerSourceRanges(); len(ranges) > 0 {
			if !lb {
				c.addf(p.Field("loadBalancerSourceRanges"), "only for a LoadBalancer Service")
			} else {
				for k, r := range ranges {
					rp := p.Field("loadBalancerSourceRanges").Index(k)
					if errs := validation.IsValidCIDR(field.NewPath(""), r); len(errs) > 0 {
						c.addf(rp, "%q is not a valid CIDR: %s", r, errs[0].Detail)
					}
				}
			}
		}
		annotations := s.GetAnnotations()
		for _, k := range sortedKeys(annotations) {
			c.addMsgs(p.Field("annotations").Key(k), "annotation key", k, content.IsLabelKey(strings.ToLower(k)))
		}
		merged := c.serviceAnnotations(s)
		if len(annotations) > 0 {
			if err := apivalidation.ValidateAnnotationsSize(merged); err != nil {
				c.addf(p.Field("annotations"), "too large together with the intent's annotations and serviceAnnotations (keys and values): %v", err)
			}
		}
		c.serviceAnnotationMeanings(merged, lb, func(k string) diag.Path {
			if _, ok := annotations[k]; ok {
				return p.Field("annotations").Key(k)
			}
			return c.serviceAnnotationField(k)
		})
	}

	// Each exposed port is in some Service, as far as it is exposed.
	for _, r := range c.all() {
		if r.role == roleInit {
			continue
		}
		for i, pt := range r.c.GetPorts() {
			pp := r.path.Field("ports").Index(i)
			if pt.GetServicePort() != 0 {
				c.addf(pp.Field("servicePort"), "not used with services: each Service sets its own, in services[].ports[].servicePort")
			}
			if pt.GetNodePort() != 0 {
				c.addf(pp.Field("nodePort"), "not used with services: each NodePort or LoadBalancer Service sets its own, in services[].ports[].nodePort")
			}
			name := PortName(pt)
			if name == "" || ports[name].path != pp {
				continue // unnamed or a duplicate: ports reports it
			}
			switch pt.GetExpose() {
			case podcv1.Expose_EXPOSE_CLUSTER, podcv1.Expose_EXPOSE_NODE:
				if !inAny[name] {
					c.addf(pp.Field("expose"), "%s, but the port is in none of the intent's services: add it to one, or set expose to EXPOSE_NONE", pt.GetExpose())
				} else if pt.GetExpose() == podcv1.Expose_EXPOSE_NODE && !inExternal[name] {
					c.addf(pp.Field("expose"), "EXPOSE_NODE, but the port is in no NodePort or LoadBalancer Service: add it to one, or set expose to EXPOSE_CLUSTER")
				}
			}
		}
	}

	// The in-cluster name reaches every port exposed beyond the cluster.
	own := c.wi.GetName()
	if own == "" {
		return
	}
	for _, e := range external {
		k, ok := byName[own]
		switch {
		case e.svc == own:
		case len(validation.IsDNS1035Label(own)) > 0:
			c.addf(e.path.Field("name"), "port %q is reachable from outside the cluster through Service %q, so the workload's in-cluster name must reach it too, but the workload's name %q is not a Service name (a DNS-1035 label, starting with a letter): rename the workload",
				e.name, e.svc, own)
		case !ok:
			c.addf(e.path.Field("name"), "port %q is reachable from outside the cluster through Service %q, so the workload's in-cluster name must reach it too: add a Service named %q that carries it",
				e.name, e.svc, own)
		case !carries(svcs[k], e.name):
			c.addf(e.path.Field("name"), "port %q is reachable from outside the cluster through Service %q, so the workload's in-cluster name must reach it too: add it to Service %q (services[%d])",
				e.name, e.svc, own, k)
		}
	}
}

// carries reports whether Service s has a port named port.
func carries(s *podcv1.Service, port string) bool {
	for _, sp := range s.GetPorts() {
		if sp.GetName() == port {
			return true
		}
	}
	return false
}

// serviceAnnotations returns the annotations of Service s: the intent's,
// with the Service's own added (a key in both takes the Service's value).
func (c *checker) serviceAnnotations(s *podcv1.Service) map[string]string {
	m := make(map[string]string, len(c.wi.GetAnnotations())+len(c.wi.GetServiceAnnotations())+len(s.GetAnnotations()))
	for _, src := range []map[string]string{c.wi.GetAnnotations(), c.wi.GetServiceAnnotations(), s.GetAnnotations()} {
		for k, v := range src {
			m[k] = v
		}
	}
	return m
}

// serviceAnnotationField returns the intent field that sets annotation k
// on every Service: serviceAnnotations over annotations.
func (c *checker) serviceAnnotationField(k string) diag.Path {
	if _, ok := c.wi.GetServiceAnnotations()[k]; ok {
		return diag.Path("serviceAnnotations").Key(k)
	}
	return diag.Path("annotations").Key(k)
}

// simpleServiceAnnotations checks the intent's annotations as the
// kube-apiserver checks them on the Services that expose forms, when the
// intent exposes any port.
func (c *checker) simpleServiceAnnotations() {
	if cluster, node := exposes(c.wi); !cluster && !node {
		return
	}
	c.serviceAnnotationMeanings(c.serviceAnnotations(nil), false, c.serviceAnnotationField)
}

// serviceAnnotationMeanings checks the annotation keys the kube-apiserver
// gives a meaning on a Service: the source ranges annotation, which the
// loadBalancerSourceRanges field says better (and which the apiserver
// refuses on any other type), and the two topology annotations, which must
// agree when both are set. at names the intent field that set a key.
func (c *checker) serviceAnnotationMeanings(m map[string]string, lb bool, at func(string) diag.Path) {
	if _, ok := m[annotationLBSourceRanges]; ok {
		if lb {
			c.addf(at(annotationLBSourceRanges), "use the Service's loadBalancerSourceRanges instead of this annotation")
		} else {
			c.addf(at(annotationLBSourceRanges), "only a LoadBalancer Service may have it, and the kube-apiserver refuses it on any other Service: use a LoadBalancer Service's loadBalancerSourceRanges")
		}
	}
	mode, hasMode := m[annotationTopologyMode]
	hints, hasHints := m[annotationTopologyHints]
	if hasMode && hasHints && mode != hints {
		c.addf(at(annotationTopologyMode), "%q must equal the value of %s (%q) when both are set; drop the deprecated %s",
			mode, annotationTopologyHints, hints, annotationTopologyHints)
	}
}
