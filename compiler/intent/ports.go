package intent

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// ports checks every port of the pod at once. The pod's containers share
// one network, so port names and containerPort/protocol pairs are unique
// across init steps, containers and sidecars. It also checks the Services the
// exposed ports will form when the intent names no Services: the ClusterIP
// Service of every exposed port and the NodePort Service of the EXPOSE_NODE
// ports (services checks the ones it names).
func (c *checker) ports() {
	names := map[string]portAt{}
	bound := map[portKey]portAt{}
	type exposedAt struct {
		at     portAt
		expose podcv1.Expose
	}
	servicePorts := map[portKey]exposedAt{}
	nodePorts := map[portKey]portAt{}
	for _, r := range c.all() {
		for i, pt := range r.c.GetPorts() {
			at := portAt{r.path, i}
			proto := pt.GetProtocol()
			protoOK := enumValid(proto, podcv1.Protocol_name)
			if !protoOK {
				c.addf(at.path().Field("protocol"), "unknown protocol %d: want PROTOCOL_TCP, PROTOCOL_UDP or PROTOCOL_SCTP", proto)
			}
			protoName := ProtocolName(proto)
			expose := pt.GetExpose()
			exposed := expose == podcv1.Expose_EXPOSE_CLUSTER || expose == podcv1.Expose_EXPOSE_NODE
			if !enumValid(expose, podcv1.Expose_name) {
				c.addf(at.path().Field("expose"), "unknown expose value %d: want EXPOSE_NONE, EXPOSE_CLUSTER or EXPOSE_NODE", expose)
			}
			if exposed && r.role == roleInit {
				c.addf(at.path().Field("expose"), "an init step's port cannot be exposed: init steps finish before the app starts, so a Service would point at nothing")
				exposed = false
			}

			name := pt.GetName()
			generated := false
			if name == "" && exposed && r.role != roleInit {
				name, generated = PortName(pt), true
			}
			switch {
			case name == "":
			case !generated && c.addMsgs(at.path().Field("name"), "port name", name, validation.IsValidPortName(name)):
			default:
				prev, dup := names[name]
				switch {
				case dup && generated:
					c.addf(at.path().Field("name"), "an exposed port without a name is named %q, which %s uses too: name one of them", name, prev)
				case dup:
					c.addf(at.path().Field("name"), "duplicate port name %q: also declared at %s (port names are unique in the pod)", name, prev)
				default:
					names[name] = at
				}
			}

			cp := pt.GetContainerPort()
			cpOK := false
			switch {
			case cp == 0:
				c.addf(at.path().Field("containerPort"), "required: the port the container listens on, 1-65535")
			case len(validation.IsValidPortNum(int(cp))) > 0:
				c.addf(at.path().Field("containerPort"), "%d is out of range: want 1-65535", cp)
			default:
				cpOK = true
				key := portKey{cp, protoName}
				if prev, dup := bound[key]; dup && protoOK {
					c.addf(at.path().Field("containerPort"), "%s is already declared at %s: the pod's containers share one network, so each port/protocol is declared once", key, prev)
				} else {
					bound[key] = at
				}
			}

			// With services, each Service sets its own Service and node
			// ports; services refuses them here.
			simple := len(c.wi.GetServices()) == 0 || r.role == roleInit
			sp := pt.GetServicePort()
			if sp != 0 && simple {
				switch {
				case !exposed && r.role != roleInit:
					c.addf(at.path().Field("servicePort"), "only used by an exposed port: set expose to EXPOSE_CLUSTER or EXPOSE_NODE, or drop servicePort")
				case len(validation.IsValidPortNum(int(sp))) > 0:
					c.addf(at.path().Field("servicePort"), "%d is out of range: want 1-65535", sp)
				}
			}
			if simple && exposed && protoOK && (sp == 0 && cpOK || sp > 0 && sp <= 65535) {
				eff := sp
				if eff == 0 {
					eff = cp
				}
				// Every exposed port is in the ClusterIP Service "<name>";
				// the NodePort Service holds a subset of its ports, so
				// ports unique in the one are unique in the other.
				svc := "Service " + c.wi.GetName()
				key := portKey{eff, protoName}
				if prev, dup := servicePorts[key]; dup {
					field := at.path().Field("servicePort")
					if sp == 0 {
						field = at.path().Field("containerPort") // the Service port defaults to it
					}
					why := ""
					if expose == podcv1.Expose_EXPOSE_NODE || prev.expose == podcv1.Expose_EXPOSE_NODE {
						why = " (an EXPOSE_NODE port is in it too, so the workload's in-cluster name reaches every port)"
					}
					c.addf(field, "Service port %d/%s is already used in %s by %s%s: set a different servicePort", eff, protoName, svc, prev.at, why)
				} else {
					servicePorts[key] = exposedAt{at, expose}
				}
			}

			np := pt.GetNodePort()
			if np != 0 && simple {
				switch {
				case expose != podcv1.Expose_EXPOSE_NODE || r.role == roleInit:
					c.addf(at.path().Field("nodePort"), "only allowed when expose is EXPOSE_NODE: a nodePort makes the port reachable from outside the cluster")
				case !c.opts.NodePorts.Contains(np):
					c.addf(at.path().Field("nodePort"), "%d is outside the platform's node port range %s", np, c.opts.NodePorts)
				case protoOK:
					key := portKey{np, protoName}
					if prev, dup := nodePorts[key]; dup {
						c.addf(at.path().Field("nodePort"), "node port %s is already used by %s", key, prev)
					} else {
						nodePorts[key] = at
					}
				}
			}
		}
	}
}

// portAt is where a port is in the intent: the i-th port of the container
// at path, written out only when a finding names it.
type portAt struct {
	container diag.Path
	i         int
}

func (a portAt) path() diag.Path { return a.container.Field("ports").Index(a.i) }
func (a portAt) String() string  { return string(a.path()) }

// portKey is a port number with its protocol: "8080/TCP".
type portKey struct {
	n     int32
	proto string
}

func (k portKey) String() string { return strconv.Itoa(int(k.n)) + "/" + k.proto }

// ProtocolName returns the Kubernetes name of a port protocol: "TCP" for
// an unset protocol.
func ProtocolName(p podcv1.Protocol) string {
	switch p {
	case podcv1.Protocol_PROTOCOL_UDP:
		return "UDP"
	case podcv1.Protocol_PROTOCOL_SCTP:
		return "SCTP"
	}
	return "TCP"
}

// PortName is the name of a port: its own, or for an exposed port without
// one, its protocol and number ("tcp-8080"), which Services target it by
// and the compiler writes out. An unexposed port without a name has none.
// The number and protocol are unique in the pod, and the name an IANA
// service name.
func PortName(pt *podcv1.Port) string {
	if n := pt.GetName(); n != "" {
		return n
	}
	switch pt.GetExpose() {
	case podcv1.Expose_EXPOSE_CLUSTER, podcv1.Expose_EXPOSE_NODE:
		return strings.ToLower(ProtocolName(pt.GetProtocol())) + "-" + strconv.Itoa(int(pt.GetContainerPort()))
	}
	return ""
}
