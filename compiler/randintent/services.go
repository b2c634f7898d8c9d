package randintent

import (
	"fmt"
	"net/netip"

	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// namedServices turns the intent's exposed ports into Services it names
// and shapes itself, of every type and with every field, keeping to the
// intent's rules: each port is exposed as far as the Services that carry
// it reach (NodePort and LoadBalancer Services carry EXPOSE_NODE ports
// only), each exposed port is in a Service, each EXPOSE_NODE port in a
// NodePort or LoadBalancer Service, and the Service named after the
// workload carries every port those carry. The ports' own servicePort and
// nodePort are dropped: each Service sets its own. Without an exposed port
// it changes nothing.
func (b *builder) namedServices() {
	var cluster, node []*podcv1.Port
	for _, cs := range [][]*podcv1.Container{b.wi.Containers, b.wi.Sidecars} {
		for _, c := range cs {
			for _, p := range c.Ports {
				switch p.Expose {
				case podcv1.Expose_EXPOSE_CLUSTER:
					cluster = append(cluster, p)
				case podcv1.Expose_EXPOSE_NODE:
					node = append(node, p)
				default:
					continue
				}
				p.ServicePort, p.NodePort = 0, 0
			}
		}
	}
	if len(cluster)+len(node) == 0 {
		return
	}
	names := map[string]bool{b.wi.Name: true}
	nodePorts := map[int32]bool{}
	var out []*podcv1.Service
	add := func(name string, typ podcv1.ServiceType, ports []*podcv1.Port) {
		out = append(out, b.service(name, typ, ports, nodePorts))
	}
	otherName := func() string { return unique(names, func() string { return b.dns1035(b.between(1, 20)) }) }
	clusterType := func() podcv1.ServiceType {
		return pick(b, podcv1.ServiceType_SERVICE_TYPE_UNSPECIFIED, podcv1.ServiceType_SERVICE_TYPE_CLUSTER_IP, podcv1.ServiceType_SERVICE_TYPE_HEADLESS)
	}
	externalType := func() podcv1.ServiceType {
		return pick(b, podcv1.ServiceType_SERVICE_TYPE_NODE_PORT, podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER)
	}

	// The Service named after the workload carries every EXPOSE_NODE port
	// and some cluster-only ones; when there are none of those, it may be
	// a NodePort or LoadBalancer Service itself.
	mainType := clusterType()
	if len(node) > 0 && len(cluster) == 0 && b.chance(0.4) {
		mainType = externalType()
	}
	main := append([]*podcv1.Port{}, node...)
	var rest []*podcv1.Port
	for _, p := range cluster {
		if len(main) == 0 || b.chance(0.7) {
			main = append(main, p)
		} else {
			rest = append(rest, p)
		}
	}
	add(b.wi.Name, mainType, main)
	if len(rest) > 0 {
		add(otherName(), clusterType(), rest)
	}
	// Each EXPOSE_NODE port in a NodePort or LoadBalancer Service, and
	// sometimes in more than one.
	if len(node) > 0 && !intent.External(mainType) {
		add(otherName(), externalType(), node)
	}
	if len(node) > 0 && b.chance(0.3) {
		add(otherName(), externalType(), b.subset(node))
	}
	if b.chance(0.3) {
		add(otherName(), clusterType(), b.subset(append(append([]*podcv1.Port{}, cluster...), node...)))
	}
	b.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	b.wi.Services = out
}

// subset returns a random non-empty subset of ps, in a random order.
func (b *builder) subset(ps []*podcv1.Port) []*podcv1.Port {
	var out []*podcv1.Port
	for _, i := range b.r.Perm(len(ps)) {
		if len(out) == 0 || b.chance(0.5) {
			out = append(out, ps[i])
		}
	}
	return out
}

// service returns a Service of type typ carrying ports, with random
// Service ports (unique per protocol in the Service; a headless Service's
// are its containerPorts), node ports (unique among the workload's
// Services: nodePorts), and every field its type allows.
func (b *builder) service(name string, typ podcv1.ServiceType, ports []*podcv1.Port, nodePorts map[int32]bool) *podcv1.Service {
	s := &podcv1.Service{Name: name, Type: typ}
	external := intent.External(typ)
	headless := typ == podcv1.ServiceType_SERVICE_TYPE_HEADLESS
	used := map[string]bool{}
	for _, p := range ports {
		sp := &podcv1.ServicePort{Name: intent.PortName(p)}
		proto := intent.ProtocolName(p.Protocol)
		switch {
		case headless:
			if b.chance(0.3) {
				sp.ServicePort = p.ContainerPort
			}
		case b.chance(0.4):
			sp.ServicePort = int32(b.between(1, 65535))
		}
		eff := func() int32 {
			if sp.ServicePort != 0 {
				return sp.ServicePort
			}
			return p.ContainerPort
		}
		// Container ports are unique per protocol in the pod, so a
		// headless Service's ports never clash.
		for used[fmt.Sprintf("%d/%s", eff(), proto)] {
			sp.ServicePort = int32(b.between(1, 65535))
		}
		used[fmt.Sprintf("%d/%s", eff(), proto)] = true
		if external && b.chance(0.5) {
			r := b.opts.NodePorts
			n := pick(b, r.Min, r.Max, r.Min+int32(b.r.Intn(int(r.Max-r.Min+1))))
			for nodePorts[n] {
				n = r.Min + int32(b.r.Intn(int(r.Max-r.Min+1)))
			}
			nodePorts[n] = true
			sp.NodePort = n
		}
		s.Ports = append(s.Ports, sp)
	}
	s.SessionAffinity = pick(b, podcv1.SessionAffinity_SESSION_AFFINITY_UNSPECIFIED, podcv1.SessionAffinity_SESSION_AFFINITY_NONE,
		podcv1.SessionAffinity_SESSION_AFFINITY_CLIENT_IP)
	if s.SessionAffinity == podcv1.SessionAffinity_SESSION_AFFINITY_CLIENT_IP && b.chance(0.5) {
		s.SessionAffinityTimeoutSeconds = int32(pick(b, 1, 86400, b.between(1, 86400)))
	}
	if external {
		s.ExternalTrafficPolicy = pick(b, podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_UNSPECIFIED,
			podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_CLUSTER, podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_LOCAL)
	}
	s.PublishNotReadyAddresses = b.chance(0.3)
	if typ == podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER {
		if b.chance(0.4) {
			s.LoadBalancerClass = pick(b, "example.com/"+b.dnsLabel(1, 20), b.dnsLabel(1, 20))
		}
		for range b.between(0, 3) {
			s.LoadBalancerSourceRanges = append(s.LoadBalancerSourceRanges, b.cidr())
		}
	}
	if b.chance(0.3) {
		s.Annotations = map[string]string{}
		for range b.between(1, 2) {
			if b.chance(0.2) {
				s.Annotations["service.beta.kubernetes.io/aws-load-balancer-internal"] = "true"
				continue
			}
			s.Annotations[b.labelKey()] = b.text()
		}
	}
	return s
}

// cidr returns a CIDR in canonical form, IPv4 or IPv6.
func (b *builder) cidr() string {
	if b.chance(0.7) {
		var a [4]byte
		b.r.Read(a[:])
		return netip.PrefixFrom(netip.AddrFrom4(a), b.between(0, 32)).Masked().String()
	}
	var a [16]byte
	b.r.Read(a[:])
	return netip.PrefixFrom(netip.AddrFrom16(a), b.between(0, 128)).Masked().String()
}
