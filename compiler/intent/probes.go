package intent

import (
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// probes checks a container's liveness, readiness and startup probes.
func (c *checker) probes(r ref) {
	ps := r.c.GetProbes()
	cp := lazyAt(r.path)
	p := cp.Field("probes")
	kinds := []struct {
		name  string
		probe *podcv1.Probe
	}{
		{"liveness", ps.GetLiveness()},
		{"readiness", ps.GetReadiness()},
		{"startup", ps.GetStartup()},
	}
	for _, k := range kinds {
		if k.probe == nil {
			continue
		}
		pp := p.Field(k.name)
		if r.role == roleInit {
			c.addf(pp.path(), "init steps may not have probes: an init step runs to completion before the app starts")
			continue
		}
		c.probe(pp, k.name, k.probe, r.c)
	}
}

// probe checks one probe: exactly one handler, its port and its timing.
func (c *checker) probe(p lazyPath, kind string, pr *podcv1.Probe, ct *podcv1.Container) {
	switch h := pr.GetHandler().(type) {
	case *podcv1.Probe_Exec:
		if len(h.Exec.GetCommand()) == 0 {
			c.addf(p.path().Field("exec").Field("command"), "required: the command to run")
		}
	case *podcv1.Probe_TcpSocket:
		c.probePort(p.Field("tcpSocket.port"), h.TcpSocket.GetPort(), ct)
	case *podcv1.Probe_HttpGet:
		c.httpGet(p.Field("httpGet"), h.HttpGet, ct)
	case *podcv1.Probe_Grpc:
		gp := p.Field("grpc")
		if !c.opts.Target.Has(target.GRPCProbes) {
			c.addf(gp.path(), "gRPC probes need Kubernetes 1.%d or newer; the target is %s", target.GRPCProbes.Since, c.opts.Target)
		}
		if port := h.Grpc.GetPort(); port == 0 {
			c.addf(gp.path().Field("port"), "required: the port number of the gRPC health service")
		} else if len(validation.IsValidPortNum(int(port))) > 0 {
			c.addf(gp.path().Field("port"), "%d is out of range: want 1-65535", port)
		}
	default:
		c.addf(p.path(), "a handler is required: one of exec, tcpSocket, httpGet or grpc")
	}
	timing := []struct {
		name string
		v    int32
	}{
		{"initialDelaySeconds", pr.GetInitialDelaySeconds()},
		{"periodSeconds", pr.GetPeriodSeconds()},
		{"timeoutSeconds", pr.GetTimeoutSeconds()},
		{"successThreshold", pr.GetSuccessThreshold()},
		{"failureThreshold", pr.GetFailureThreshold()},
	}
	for _, t := range timing {
		if t.v < 0 {
			c.addf(p.path().Field(t.name), "%d is negative: must be 0 or more (0 means the default)", t.v)
		}
	}
	if kind != "readiness" && pr.GetSuccessThreshold() > 1 {
		c.addf(p.path().Field("successThreshold"), "must be 1 for a %s probe, not %d: only readiness probes may ask for more than one success", kind, pr.GetSuccessThreshold())
	}
}

// httpGet checks an HTTP GET action of a probe or hook of container ct:
// its port, path, scheme and headers.
func (c *checker) httpGet(p lazyPath, g *podcv1.HTTPGetAction, ct *podcv1.Container) {
	c.probePort(p.Field("port"), g.GetPort(), ct)
	if path := g.GetPath(); path != "" && !strings.HasPrefix(path, "/") {
		c.addf(p.path().Field("path"), "%q must start with '/'", path)
	}
	if !enumValid(g.GetScheme(), podcv1.Scheme_name) {
		c.addf(p.path().Field("scheme"), "unknown scheme %d: want SCHEME_HTTP or SCHEME_HTTPS", g.GetScheme())
	}
	for i, hd := range g.GetHeaders() {
		hp := p.Item("headers", i)
		np := hp.Field("name")
		if hd.GetName() == "" {
			c.addf(np.path(), "required")
			continue
		}
		c.msgsAt(&np, "HTTP header name", hd.GetName(), validation.IsHTTPHeaderName(hd.GetName()))
	}
}

// probePort checks a probe's port: a number ("8080") or the name of one of
// the container's own ports.
func (c *checker) probePort(lp lazyPath, port string, ct *podcv1.Container) {
	if port == "" {
		c.addf(lp.path(), "required: a port number or the name of one of this container's ports")
		return
	}
	if n, isNum := ProbePortNumber(port); isNum {
		if n < 1 || n > 65535 {
			c.addf(lp.path(), "%s is out of range: want 1-65535", port)
		}
		return
	}
	if c.msgsAt(&lp, "port name", port, validation.IsValidPortName(port)) {
		return
	}
	for _, cp := range ct.GetPorts() {
		if PortName(cp) == port {
			return
		}
	}
	p := lp.path()
	var names []string
	for _, cp := range ct.GetPorts() {
		if PortName(cp) == port {
			return
		}
		if n := PortName(cp); n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		c.addf(p, "no port named %q on this container, which declares no named ports", port)
		return
	}
	c.addf(p, "no port named %q on this container: its ports are %s", port, strings.Join(names, ", "))
}

// ProbePortNumber reads a probe port written as digits ("8080"). It reports
// false for anything else, which is then a port name. A number too large for
// an int32 is reported as -1, out of range.
func ProbePortNumber(s string) (int32, bool) {
	if s == "" {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return -1, true
	}
	return int32(n), true
}
