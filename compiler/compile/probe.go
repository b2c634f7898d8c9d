package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
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
// and scheme are written out and reported.
func (b *builder) probe(p diag.Path, pr *podcv1.Probe) *corev1.Probe {
	if pr == nil {
		return nil
	}
	out := &corev1.Probe{InitialDelaySeconds: pr.GetInitialDelaySeconds()}
	switch h := pr.GetHandler().(type) {
	case *podcv1.Probe_Exec:
		out.Exec = &corev1.ExecAction{Command: copyStrings(h.Exec.GetCommand())}
	case *podcv1.Probe_TcpSocket:
		out.TCPSocket = &corev1.TCPSocketAction{Port: probePort(h.TcpSocket.GetPort())}
	case *podcv1.Probe_HttpGet:
		hp := p.Field("httpGet")
		g := h.HttpGet
		a := &corev1.HTTPGetAction{Path: g.GetPath(), Port: probePort(g.GetPort()), Scheme: corev1.URISchemeHTTP}
		if a.Path == "" {
			a.Path = "/"
			b.def(hp.Field("path"), "/", "unset: the probe requests /")
		}
		switch g.GetScheme() {
		case podcv1.Scheme_SCHEME_HTTPS:
			a.Scheme = corev1.URISchemeHTTPS
		case podcv1.Scheme_SCHEME_UNSPECIFIED:
			b.def(hp.Field("scheme"), "HTTP", "unset: the probe uses plain HTTP")
		}
		for _, hd := range g.GetHeaders() {
			a.HTTPHeaders = append(a.HTTPHeaders, corev1.HTTPHeader{Name: hd.GetName(), Value: hd.GetValue()})
		}
		out.HTTPGet = a
	case *podcv1.Probe_Grpc:
		g := &corev1.GRPCAction{Port: h.Grpc.GetPort()}
		if s := h.Grpc.GetService(); s != "" {
			g.Service = &s
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
		if t.v == 0 {
			*t.dst = t.def
			b.def(p.Field(t.field), fmt.Sprint(t.def), "unset: the Kubernetes default")
		}
	}
	return out
}

// probePort is a probe's port: a number when written as digits ("8080"),
// otherwise the name of one of the container's ports.
func probePort(s string) intstr.IntOrString {
	if n, ok := intent.ProbePortNumber(s); ok {
		return intstr.FromInt32(n)
	}
	return intstr.FromString(s)
}
