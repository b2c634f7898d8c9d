package randintent

import (
	"fmt"
	"strconv"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// role is the part of the intent a container is generated for.
type role int

const (
	roleInit role = iota
	roleApp
	roleSidecar
)

func (b *builder) container(ro role) *podcv1.Container {
	c := &podcv1.Container{
		Name:       unique(b.names, func() string { return b.dnsLabel(1, 20) }),
		Image:      b.image(),
		PullPolicy: pick(b, podcv1.PullPolicy_PULL_POLICY_UNSPECIFIED, podcv1.PullPolicy_PULL_POLICY_ALWAYS, podcv1.PullPolicy_PULL_POLICY_IF_NOT_PRESENT, podcv1.PullPolicy_PULL_POLICY_NEVER),
	}
	for range b.between(0, 2) {
		c.Command = append(c.Command, b.text())
	}
	for range b.between(0, 3) {
		c.Args = append(c.Args, b.text())
	}
	if b.chance(0.3) {
		c.WorkingDir = b.absPath()
	}
	b.env(c)
	for range b.between(0, 3) {
		c.Ports = append(c.Ports, b.port(ro))
	}
	if b.chance(0.7) {
		c.Resources = b.resources()
	}
	if ro != roleInit {
		c.Probes = b.probes(c)
		c.Lifecycle = b.lifecycle(c)
	}
	b.mounts(c)
	if b.chance(0.4) {
		c.SecurityContext = b.security()
	}
	c.SecurityContext = b.notRootUnderNonRoot(c.SecurityContext)
	b.terminal(c)
	return c
}

// image returns an image reference in one of its many forms.
func (b *builder) image() string {
	repo := pick(b, "nginx", "busybox", "library/redis", "team/app", "org/sub/tool", "a", "my_app", "my-app", "app.v2", "app__x")
	reg := pick(b, "", "", "registry.example.com/", "localhost/", "localhost:5000/", "ghcr.io/", "10.0.0.1:8443/", "Registry.Example.com/")
	switch b.r.Intn(6) {
	case 0:
		return reg + repo
	case 1:
		return reg + repo + ":latest"
	case 2:
		return reg + repo + "@sha256:" + b.from("0123456789abcdef", 64)
	case 3:
		return reg + repo + ":" + pick(b, "1.2.3", "v1", "stable-alpine", "1.27.3", "A_tag.9-x") + "@sha256:" + b.from("0123456789abcdef", 64)
	}
	return reg + repo + ":" + pick(b, "1.2.3", "v1", "stable-alpine", "1.27.3", "A_tag.9-x", "x")
}

func (b *builder) env(c *podcv1.Container) {
	seen := map[string]bool{}
	for range b.between(0, 4) {
		e := &podcv1.EnvVar{Name: unique(seen, b.envName)}
		switch b.r.Intn(6) {
		case 4:
			e.Source = &podcv1.EnvVar_Field{Field: b.envField()}
		case 5:
			r := b.resourceRef()
			if b.chance(0.5) {
				b.refs = b.refs[:len(b.refs)-1] // the container's own
			}
			e.Source = &podcv1.EnvVar_Resource{Resource: r}
		case 0:
			e.Source = &podcv1.EnvVar_Value{Value: b.text()}
		case 1:
			e.Source = &podcv1.EnvVar_ConfigMapKey{ConfigMapKey: b.keyRef()}
		case 2:
			e.Source = &podcv1.EnvVar_SecretKey{SecretKey: b.keyRef()}
		}
		c.Env = append(c.Env, e)
	}
	for range b.between(0, 2) {
		e := &podcv1.EnvFrom{}
		if b.chance(0.5) {
			e.Source = &podcv1.EnvFrom_ConfigMap{ConfigMap: b.dnsSubdomain()}
		} else {
			e.Source = &podcv1.EnvFrom_Secret{Secret: b.dnsSubdomain()}
		}
		if b.chance(0.3) {
			e.Prefix = b.envName()
		}
		c.EnvFrom = append(c.EnvFrom, e)
	}
}

func (b *builder) keyRef() *podcv1.KeyRef {
	key := b.from(anyAlnum+"-_", 1) + b.from(anyAlnum+"-_.", b.between(0, 12))
	return &podcv1.KeyRef{Name: b.dnsSubdomain(), Key: key, Optional: b.chance(0.3)}
}

// port returns a port unique in the pod by name and containerPort/protocol,
// exposed only where the intent allows it.
func (b *builder) port(ro role) *podcv1.Port {
	p := &podcv1.Port{
		Protocol: pick(b, podcv1.Protocol_PROTOCOL_UNSPECIFIED, podcv1.Protocol_PROTOCOL_TCP, podcv1.Protocol_PROTOCOL_UDP, podcv1.Protocol_PROTOCOL_SCTP),
	}
	proto := intent.ProtocolName(p.Protocol)
	p.ContainerPort = int32(b.between(1, 65535))
	if b.chance(0.5) {
		p.ContainerPort = pick[int32](b, 80, 443, 8080, 9090, 53, 5353, 1, 65535)
	}
	for b.bound[fmt.Sprintf("%d/%s", p.ContainerPort, proto)] {
		p.ContainerPort = int32(b.between(1, 65535))
	}
	b.bound[fmt.Sprintf("%d/%s", p.ContainerPort, proto)] = true

	if ro != roleInit {
		p.Expose = pick(b, podcv1.Expose_EXPOSE_UNSPECIFIED, podcv1.Expose_EXPOSE_NONE, podcv1.Expose_EXPOSE_CLUSTER, podcv1.Expose_EXPOSE_NODE)
	}
	exposed := p.Expose == podcv1.Expose_EXPOSE_CLUSTER || p.Expose == podcv1.Expose_EXPOSE_NODE
	switch {
	case exposed && b.chance(0.15) && !b.portNames[intent.PortName(p)]:
		// Unnamed: podc names it after its protocol and number.
		b.portNames[intent.PortName(p)] = true
	case exposed || b.chance(0.6):
		p.Name = unique(b.portNames, b.portName)
	}
	if exposed {
		// Every exposed port is in the ClusterIP Service "<name>".
		svc := "cluster"
		if b.chance(0.5) {
			p.ServicePort = int32(b.between(1, 65535))
		}
		eff := func() int32 {
			if p.ServicePort != 0 {
				return p.ServicePort
			}
			return p.ContainerPort
		}
		for b.servicePorts[fmt.Sprintf("%s %d/%s", svc, eff(), proto)] {
			p.ServicePort = int32(b.between(1, 65535))
		}
		b.servicePorts[fmt.Sprintf("%s %d/%s", svc, eff(), proto)] = true
		if p.Expose == podcv1.Expose_EXPOSE_NODE && b.chance(0.6) {
			r := b.opts.NodePorts
			np := func() int32 {
				switch b.r.Intn(4) {
				case 0:
					return r.Min
				case 1:
					return r.Max
				}
				return r.Min + int32(b.r.Intn(int(r.Max-r.Min+1)))
			}
			p.NodePort = np()
			for b.nodePorts[fmt.Sprintf("%d/%s", p.NodePort, proto)] {
				p.NodePort = r.Min + int32(b.r.Intn(int(r.Max-r.Min+1)))
			}
			b.nodePorts[fmt.Sprintf("%d/%s", p.NodePort, proto)] = true
		}
	}
	return p
}

func (b *builder) probes(c *podcv1.Container) *podcv1.Probes {
	if !b.chance(0.6) {
		return nil
	}
	ps := &podcv1.Probes{}
	if b.chance(0.5) {
		ps.Liveness = b.probe(c, false)
	}
	if b.chance(0.5) {
		ps.Readiness = b.probe(c, true)
	}
	if b.chance(0.4) {
		ps.Startup = b.probe(c, false)
	}
	return ps
}

// probe returns a probe with one handler; its port is one of c's named
// ports or a number.
func (b *builder) probe(c *podcv1.Container, readiness bool) *podcv1.Probe {
	p := &podcv1.Probe{}
	handlers := 3
	if b.opts.Target.Has(target.GRPCProbes) {
		handlers = 4
	}
	switch b.r.Intn(handlers) {
	case 0:
		cmd := []string{pick(b, "/bin/check", "cat", "sh")}
		for range b.between(0, 2) {
			cmd = append(cmd, b.text())
		}
		p.Handler = &podcv1.Probe_Exec{Exec: &podcv1.ExecAction{Command: cmd}}
	case 1:
		p.Handler = &podcv1.Probe_TcpSocket{TcpSocket: &podcv1.TCPSocketAction{Port: b.probePort(c)}}
	case 2:
		h := &podcv1.HTTPGetAction{Port: b.probePort(c), Scheme: pick(b, podcv1.Scheme_SCHEME_UNSPECIFIED, podcv1.Scheme_SCHEME_HTTP, podcv1.Scheme_SCHEME_HTTPS)}
		if b.chance(0.7) {
			h.Path = pick(b, "/", "/healthz", "/ready?full=1", "/a/b/c", "/ü")
		}
		for range b.between(0, 2) {
			h.Headers = append(h.Headers, &podcv1.HTTPHeader{
				Name:  pick(b, "X-Probe", "Authorization", "accept", "X-Custom-1"),
				Value: b.text(),
			})
		}
		p.Handler = &podcv1.Probe_HttpGet{HttpGet: h}
	case 3:
		g := &podcv1.GRPCAction{Port: int32(b.between(1, 65535))}
		if b.chance(0.5) {
			g.Service = pick(b, "grpc.health.v1.Health", "my-service", "")
		}
		p.Handler = &podcv1.Probe_Grpc{Grpc: g}
	}
	if b.chance(0.5) {
		p.InitialDelaySeconds = int32(b.between(0, 300))
		p.PeriodSeconds = int32(b.between(0, 60))
		p.TimeoutSeconds = int32(b.between(0, 30))
		p.FailureThreshold = int32(b.between(0, 10))
		if readiness {
			p.SuccessThreshold = int32(b.between(0, 5))
		} else {
			p.SuccessThreshold = int32(b.between(0, 1))
		}
	}
	return p
}

func (b *builder) probePort(c *podcv1.Container) string {
	var named []string
	for _, p := range c.Ports {
		if p.Name != "" {
			named = append(named, p.Name)
		}
	}
	if len(named) > 0 && b.chance(0.6) {
		return pick(b, named...)
	}
	return strconv.Itoa(b.between(1, 65535))
}

// mounts mounts declared volumes at distinct paths.
func (b *builder) mounts(c *podcv1.Container) {
	if len(b.volumes) == 0 {
		return
	}
	paths := map[string]bool{}
	for range b.between(0, 3) {
		m := &podcv1.Mount{
			Volume:   pick(b, b.volumes...),
			Path:     unique(paths, b.absPath),
			ReadOnly: b.chance(0.4),
		}
		if b.chance(0.2) {
			m.SubPath = b.relPath()
		}
		c.Mounts = append(c.Mounts, m)
	}
}

// Capabilities that the Pod Security Standards' baseline allows to add, and
// some it does not (for policies to refuse).
var (
	baselineCapabilities = []string{"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
	otherCapabilities    = []string{"ALL", "SYS_TIME", "NET_RAW", "CAP_NET_ADMIN", "SYS_PTRACE"}
)

func (b *builder) security() *podcv1.SecurityContext {
	sc := &podcv1.SecurityContext{}
	if b.chance(0.5) {
		v := b.chance(0.7)
		sc.RunAsNonRoot = &v
	}
	if b.chance(0.4) {
		u := int64(b.between(0, 65535))
		if sc.GetRunAsNonRoot() && u == 0 {
			u = 1000
		}
		sc.RunAsUser = &u
	}
	if b.chance(0.3) {
		g := int64(b.between(0, 65535))
		sc.RunAsGroup = &g
	}
	if b.chance(0.4) {
		v := b.chance(0.7)
		sc.ReadOnlyRootFilesystem = &v
	}
	if b.chance(0.05) {
		v := true
		sc.Privileged = &v
	}
	if b.chance(0.5) {
		v := b.chance(0.3) || sc.GetPrivileged()
		sc.AllowPrivilegeEscalation = &v
	}
	seen := map[string]bool{}
	adds := 0
	if b.chance(0.3) {
		adds = b.between(1, 2)
	}
	for range adds {
		c := pick(b, baselineCapabilities...)
		if b.chance(0.1) {
			c = pick(b, otherCapabilities...)
		}
		if !seen[c] {
			seen[c] = true
			sc.CapabilitiesAdd = append(sc.CapabilitiesAdd, c)
		}
	}
	if b.chance(0.5) {
		sc.CapabilitiesDrop = []string{"ALL"}
	}
	sc.SeccompProfile = pick(b, podcv1.SeccompProfile_SECCOMP_PROFILE_UNSPECIFIED, podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT, podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED)
	return sc
}
