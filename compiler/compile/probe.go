package compile

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Probe timing written when the intent leaves it unset; the same values
// the kubelet would use.
const (
	DefaultPeriodSeconds    = 10
	DefaultTimeoutSeconds   = 1
	DefaultSuccessThreshold = 1
	DefaultFailureThreshold = 3
)

// probe compiles one probe; nil stays nil. Unset timing and the HTTP path
// and scheme are written out and reported. The probe is recorded as field
// name of the container's node n, from the intent probe ip.field.
func (b *builder) probe(probes diag.Path, n provenance.Node, name string, ip provenance.Path, field string, pr *podcv1.Probe) *corev1.Probe {
	if pr == nil {
		return nil
	}
	p := probes.Field(field)
	r := b.rec
	pp := r.In(ip, field)
	pn := b.put(n, name, pp)
	out := &corev1.Probe{InitialDelaySeconds: pr.GetInitialDelaySeconds()}
	b.putIf(out.InitialDelaySeconds != 0, pn, "initialDelaySeconds", r.In(pp, "initialDelaySeconds"))
	switch h := pr.GetHandler().(type) {
	case *podcv1.Probe_Exec:
		out.Exec = &corev1.ExecAction{Command: copyStrings(h.Exec.GetCommand())}
		ep := r.In(pp, "exec")
		b.putStrings(b.put(pn, "exec", ep), "command", r.In(ep, "command"), len(out.Exec.Command))
	case *podcv1.Probe_TcpSocket:
		out.TCPSocket = &corev1.TCPSocketAction{Port: probePort(h.TcpSocket.GetPort())}
		tp := r.In(pp, "tcpSocket")
		b.put(b.put(pn, "tcpSocket", tp), "port", r.In(tp, "port"))
	case *podcv1.Probe_HttpGet:
		out.HTTPGet = b.httpGet(p.Field("httpGet"), pn, r.In(pp, "httpGet"), h.HttpGet, "probe")
	case *podcv1.Probe_Grpc:
		g := &corev1.GRPCAction{Port: h.Grpc.GetPort()}
		gp := r.In(pp, "grpc")
		gn := b.put(pn, "grpc", gp)
		b.put(gn, "port", r.In(gp, "port"))
		if s := h.Grpc.GetService(); s != "" {
			g.Service = &s
			b.put(gn, "service", r.In(gp, "service"))
		}
		out.GRPC = g
	}
	timing := []struct {
		field string
		dst   *int32
		v     int32
		def   int32
	}{
		{"timeoutSeconds", &out.TimeoutSeconds, pr.GetTimeoutSeconds(), DefaultTimeoutSeconds},
		{"periodSeconds", &out.PeriodSeconds, pr.GetPeriodSeconds(), DefaultPeriodSeconds},
		{"successThreshold", &out.SuccessThreshold, pr.GetSuccessThreshold(), DefaultSuccessThreshold},
		{"failureThreshold", &out.FailureThreshold, pr.GetFailureThreshold(), DefaultFailureThreshold},
	}
	for _, t := range timing {
		*t.dst = t.v
		r.Field(pn, t.field, from(t.v != 0, r.In(pp, t.field)))
		if t.v == 0 {
			*t.dst = t.def
			b.def(p.Field(t.field), strconv.Itoa(int(t.def)), "unset: the Kubernetes default")
		}
	}
	return out
}

// httpGet compiles the HTTP GET action g of a probe or hook (what names
// it in the defaults' reasons) at intent path p, recorded as field httpGet
// of node n from the intent action gp. An unset path and scheme are
// written out and reported.
func (b *builder) httpGet(p diag.Path, n provenance.Node, gp provenance.Path, g *podcv1.HTTPGetAction, what string) *corev1.HTTPGetAction {
	r := b.rec
	gn := b.put(n, "httpGet", gp)
	a := &corev1.HTTPGetAction{Path: g.GetPath(), Port: probePort(g.GetPort()), Scheme: corev1.URISchemeHTTP}
	r.Field(gn, "path", from(a.Path != "", r.In(gp, "path")))
	if a.Path == "" {
		a.Path = "/"
		b.def(p.Field("path"), "/", "unset: the "+what+" requests /")
	}
	b.put(gn, "port", r.In(gp, "port"))
	r.Field(gn, "scheme", from(g.GetScheme() != podcv1.Scheme_SCHEME_UNSPECIFIED, r.In(gp, "scheme")))
	switch g.GetScheme() {
	case podcv1.Scheme_SCHEME_HTTPS:
		a.Scheme = corev1.URISchemeHTTPS
	case podcv1.Scheme_SCHEME_UNSPECIFIED:
		b.def(p.Field("scheme"), "HTTP", "unset: the "+what+" uses plain HTTP")
	}
	if len(g.GetHeaders()) > 0 {
		hdp := r.In(gp, "headers")
		list := b.put(gn, "httpHeaders", hdp)
		for i, hd := range g.GetHeaders() {
			ep := r.At(hdp, i)
			en := r.Index(list, i, provenance.FromIntent(ep))
			b.put(en, "name", r.In(ep, "name"))
			b.put(en, "value", r.In(ep, "value"))
			a.HTTPHeaders = append(a.HTTPHeaders, corev1.HTTPHeader{Name: hd.GetName(), Value: hd.GetValue()})
		}
	}
	return a
}

// probePort is a probe's port: a number when written as digits ("8080"),
// otherwise the name of one of the container's ports.
func probePort(s string) intstr.IntOrString {
	if n, ok := intent.ProbePortNumber(s); ok {
		return intstr.FromInt32(n)
	}
	return intstr.FromString(s)
}
