package importer

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// probes maps a container's liveness, readiness and startup probes.
func (b *builder) probes(w *object, p fieldPath, c *corev1.Container, ip diag.Path) *podcv1.Probes {
	pp := ip.Field("probes")
	out := &podcv1.Probes{
		Liveness:  b.probe(w, p.f("livenessProbe"), c.LivenessProbe, pp.Field("liveness")),
		Readiness: b.probe(w, p.f("readinessProbe"), c.ReadinessProbe, pp.Field("readiness")),
		Startup:   b.probe(w, p.f("startupProbe"), c.StartupProbe, pp.Field("startup")),
	}
	if out.Liveness == nil && out.Readiness == nil && out.Startup == nil {
		return nil
	}
	return out
}

// probe maps one probe: its handler and timing.
func (b *builder) probe(w *object, p fieldPath, pr *corev1.Probe, ip diag.Path) *podcv1.Probe {
	if pr == nil || b.dropped(w, p) {
		return nil
	}
	out := &podcv1.Probe{
		InitialDelaySeconds: pr.InitialDelaySeconds,
		PeriodSeconds:       pr.PeriodSeconds,
		TimeoutSeconds:      pr.TimeoutSeconds,
		SuccessThreshold:    pr.SuccessThreshold,
		FailureThreshold:    pr.FailureThreshold,
	}
	h := pr.ProbeHandler
	switch {
	case h.Exec != nil:
		out.Handler = &podcv1.Probe_Exec{Exec: &podcv1.ExecAction{Command: h.Exec.Command}}
		b.use(w, p.f("exec").f("command"))
	case h.HTTPGet != nil:
		out.Handler = &podcv1.Probe_HttpGet{HttpGet: b.httpGet(w, p.f("httpGet"), h.HTTPGet, "probes")}
	case h.TCPSocket != nil:
		out.Handler = &podcv1.Probe_TcpSocket{TcpSocket: &podcv1.TCPSocketAction{Port: probePort(h.TCPSocket.Port)}}
		b.use(w, p.f("tcpSocket").f("port"))
		b.why(w, p.f("tcpSocket").f("host"), "the intent's TCP probes connect to the pod's own IP")
	case h.GRPC != nil:
		g := &podcv1.GRPCAction{Port: h.GRPC.Port}
		b.use(w, p.f("grpc").f("port"))
		if s := h.GRPC.Service; s != nil {
			if *s != "" {
				g.Service = *s
				b.use(w, p.f("grpc").f("service"))
			} else {
				b.lose(w, p.f("grpc").f("service"), "an explicit empty service, which compile leaves unset (the same meaning)")
			}
		}
		out.Handler = &podcv1.Probe_Grpc{Grpc: g}
	default:
		b.why(w, p, "a probe without a handler")
		return nil
	}
	for _, f := range []string{"initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold"} {
		b.use(w, p.f(f))
	}
	b.why(w, p.f("terminationGracePeriodSeconds"), "the intent's probes have no grace period of their own")
	b.record(ip, w, p, false)
	return out
}

// httpGet maps the HTTP GET action at p of a probe or a hook (what, for
// the reason a host is lost).
func (b *builder) httpGet(w *object, p fieldPath, g *corev1.HTTPGetAction, what string) *podcv1.HTTPGetAction {
	a := &podcv1.HTTPGetAction{Path: g.Path, Port: probePort(g.Port)}
	if g.Scheme == corev1.URISchemeHTTPS {
		a.Scheme = podcv1.Scheme_SCHEME_HTTPS
	}
	for i, hd := range g.HTTPHeaders {
		a.Headers = append(a.Headers, &podcv1.HTTPHeader{Name: hd.Name, Value: hd.Value})
		b.use(w, p.f("httpHeaders").i(i).f("name"))
		b.use(w, p.f("httpHeaders").i(i).f("value"))
	}
	for _, f := range []string{"path", "port", "scheme"} {
		b.use(w, p.f(f))
	}
	b.why(w, p.f("host"), "the intent's HTTP "+what+" ask the pod's own IP")
	return a
}

// probePort is a probe's port as the intent writes it: a number as digits,
// or a port name.
func probePort(p intstr.IntOrString) string {
	if p.Type == intstr.Int {
		return strconv.Itoa(int(p.IntVal))
	}
	return p.StrVal
}
