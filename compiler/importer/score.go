package importer

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// ScoreAPIVersion is the apiVersion of the Score workload files podc
// imports (score.dev).
const ScoreAPIVersion = "score.dev/v1b1"

// A Score workload file, as far as podc reads it; everything else in the
// file is lost.
type scoreWorkload struct {
	Metadata   map[string]any            `json:"metadata"`
	Service    *scoreService             `json:"service"`
	Containers map[string]scoreContainer `json:"containers"`
}

type scoreService struct {
	Ports map[string]scorePort `json:"ports"`
}

type scorePort struct {
	Port       int32  `json:"port"`
	Protocol   string `json:"protocol"`
	TargetPort int32  `json:"targetPort"`
}

type scoreContainer struct {
	Image          string            `json:"image"`
	Command        []string          `json:"command"`
	Args           []string          `json:"args"`
	Variables      map[string]string `json:"variables"`
	Resources      *scoreResources   `json:"resources"`
	LivenessProbe  *scoreProbe       `json:"livenessProbe"`
	ReadinessProbe *scoreProbe       `json:"readinessProbe"`
}

type scoreResources struct {
	Limits   *scoreLimits `json:"limits"`
	Requests *scoreLimits `json:"requests"`
}

type scoreLimits struct {
	Memory scoreQuantity `json:"memory"`
	CPU    scoreQuantity `json:"cpu"`
}

// scoreQuantity is a quantity written as a string ("128Mi", "0.5") or a
// number (1).
type scoreQuantity string

// UnmarshalJSON reads a string or a number.
func (q *scoreQuantity) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*q = scoreQuantity(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("want a quantity, a string like \"500m\" or a number")
	}
	*q = scoreQuantity(n.String())
	return nil
}

type scoreProbe struct {
	HTTPGet *scoreHTTPGet `json:"httpGet"`
	Exec    *struct {
		Command []string `json:"command"`
	} `json:"exec"`
}

type scoreHTTPGet struct {
	Path        string `json:"path"`
	Port        int32  `json:"port"`
	Scheme      string `json:"scheme"`
	HTTPHeaders []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"httpHeaders"`
}

// importScore reads a Score workload file into an intent: its containers
// (in name order) with their command, args, variables, resources and
// probes, and its service ports, which the first container declares and a
// Service named after the workload carries. The workload is a Deployment,
// as Score's Kubernetes implementation makes it. Files, volumes, the
// containers' start order and the resources the workload depends on are
// lost. ${...} placeholders take values from values, by the expression
// between the braces, or from the workload's metadata; one without a
// value refuses the file.
func importScore(d *document, values map[string]string) (*Result, error) {
	name := ""
	if md, ok := d.tree["metadata"].(map[string]any); ok {
		name, _ = md["name"].(string)
	}
	o := &object{doc: d, kind: "Workload", name: name, ref: "Workload/" + name}
	t := reflect.TypeFor[scoreWorkload]()
	v, err := decodeNew(t, d.tree)
	if err != nil {
		p, cause := locate(t, d.tree, nil)
		if cause == nil {
			cause = err
		}
		return nil, inputErr(o.ref, plain(p), d.position(p), "%s", decodeMessage(cause, "Score"))
	}
	sw := v.(*scoreWorkload)
	if name == "" {
		p := fieldPath{}.f("metadata").f("name")
		return nil, inputErr(o.ref, p, d.position(p), "required")
	}
	sc := &scoreCtx{o: o, w: sw, values: values}
	if problems := sc.placeholders(); len(problems) > 0 {
		return nil, &InputError{Problems: problems}
	}
	return buildWith(&objects{workload: o}, sc.run)
}

// plain writes every step of p as a field: Score paths name containers
// and ports as fields (containers.web.image).
func plain(p fieldPath) fieldPath {
	out := make(fieldPath, len(p))
	for i, s := range p {
		s.key = false
		out[i] = s
	}
	return out
}

// scoreCtx maps one Score workload.
type scoreCtx struct {
	o      *object
	w      *scoreWorkload
	values map[string]string
}

// containerNames returns the containers' names in order.
func (sc *scoreCtx) containerNames() []string { return sortedKeys(sc.w.Containers) }

// placeholders finds every ${...} without a value, each at its field.
func (sc *scoreCtx) placeholders() []Problem {
	var out []Problem
	check := func(p fieldPath, s string) {
		if _, missing := sc.substitute(s); len(missing) > 0 {
			pos := sc.o.doc.position(p)
			for _, m := range missing {
				out = append(out, Problem{Object: sc.o.ref, Field: p.String(), Line: pos.line, Column: pos.col,
					Message: fmt.Sprintf("${%s} is a placeholder podc cannot resolve: supply its value (podc import --set %s=VALUE)", m, m)})
			}
		}
	}
	for _, name := range sc.containerNames() {
		c := sc.w.Containers[name]
		cp := fieldPath{}.f("containers").f(name)
		if c.Image == "." {
			if _, ok := sc.values[imageKey(name)]; !ok {
				pos := sc.o.doc.position(cp.f("image"))
				out = append(out, Problem{Object: sc.o.ref, Field: cp.f("image").String(), Line: pos.line, Column: pos.col,
					Message: fmt.Sprintf("\".\" is an image built for the workload, which podc cannot compile: supply its reference (podc import --set %s=IMAGE)", imageKey(name))})
			}
		} else {
			check(cp.f("image"), c.Image)
		}
		for i, s := range c.Command {
			check(cp.f("command").i(i), s)
		}
		for i, s := range c.Args {
			check(cp.f("args").i(i), s)
		}
		for _, k := range sortedKeys(c.Variables) {
			check(cp.f("variables").f(k), c.Variables[k])
		}
	}
	return out
}

// imageKey is the value that names the image of a container whose image
// is "." (built for the workload).
func imageKey(container string) string { return "containers." + container + ".image" }

// substitute resolves the ${...} placeholders of s ("$$" writes "$") and
// returns the expressions it has no value for.
func (sc *scoreCtx) substitute(s string) (string, []string) {
	var b strings.Builder
	var missing []string
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i++
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String(), missing
			}
			expr := s[i+2 : i+end]
			if v, ok := sc.value(expr); ok {
				b.WriteString(v)
			} else {
				missing = append(missing, expr)
			}
			i += end
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), missing
}

// value is the value of a placeholder's expression: a supplied one, or a
// string of the workload's metadata ("metadata.name").
func (sc *scoreCtx) value(expr string) (string, bool) {
	if v, ok := sc.values[expr]; ok {
		return v, true
	}
	if key, ok := strings.CutPrefix(expr, "metadata."); ok {
		if v, ok := sc.w.Metadata[key].(string); ok {
			return v, true
		}
	}
	return "", false
}

// sub substitutes s, every placeholder of which has a value.
func (sc *scoreCtx) sub(s string) string {
	out, _ := sc.substitute(s)
	return out
}

// run maps the workload.
func (sc *scoreCtx) run(b *builder) {
	o, w := sc.o, sc.w
	b.wi.Name = o.name
	b.wi.Controller = podcv1.Controller_CONTROLLER_DEPLOYMENT
	b.record("name", o, fieldPath{}.f("metadata").f("name"), true)
	for _, f := range []string{"apiVersion", "metadata.name"} {
		p := fieldPath{}
		for _, part := range strings.Split(f, ".") {
			p = p.f(part)
		}
		b.use(o, p)
	}
	if a, ok := w.Metadata["annotations"].(map[string]any); ok {
		for _, k := range sortedKeys(a) {
			p := fieldPath{}.f("metadata").f("annotations").k(k)
			v, isString := a[k].(string)
			if !isString || b.drops[metaDropKey("annotations", k)] != "" {
				continue
			}
			if b.wi.Annotations == nil {
				b.wi.Annotations = map[string]string{}
			}
			b.wi.Annotations[k] = v
			b.use(o, p)
			b.prov[diag.Path("annotations").Key(k).String()] = source{obj: o, path: p, metaKey: metaDropKey("annotations", k)}
		}
	}
	b.record("containers", o, fieldPath{}.f("containers"), true)
	for _, name := range sc.containerNames() {
		sc.container(b, name)
	}
	sc.service(b)
	b.why(o, fieldPath{}.f("resources"), "the workload's Score resources (databases, routes, volumes) are provisioned by a Score implementation; podc compiles the workload alone")
	b.note("%s: a Score workload becomes a Deployment, as Score's Kubernetes implementation makes it", o.ref)
}

// container maps one container.
func (sc *scoreCtx) container(b *builder, name string) {
	o, c := sc.o, sc.w.Containers[name]
	cp := fieldPath{}.f("containers").f(name)
	ip := diag.Path("containers").Index(len(b.wi.Containers))
	out := &podcv1.Container{Name: name, Image: sc.sub(c.Image)}
	if c.Image == "." {
		out.Image = sc.values[imageKey(name)]
	}
	for _, f := range []string{"image", "command", "args"} {
		b.use(o, cp.f(f))
	}
	b.record(ip, o, cp, true)
	b.record(ip.Field("name"), o, cp, true)
	b.record(ip.Field("image"), o, cp.f("image"), true)
	for _, s := range c.Command {
		out.Command = append(out.Command, sc.sub(s))
	}
	for _, s := range c.Args {
		out.Args = append(out.Args, sc.sub(s))
	}
	for _, k := range sortedKeys(c.Variables) {
		p := cp.f("variables").f(k)
		if b.dropped(o, p) {
			continue
		}
		b.record(ip.Field("env").Index(len(out.Env)), o, p, false)
		out.Env = append(out.Env, &podcv1.EnvVar{Name: k, Source: &podcv1.EnvVar_Value{Value: sc.sub(c.Variables[k])}})
		b.use(o, p)
	}
	if r := c.Resources; r != nil {
		res := &podcv1.Resources{}
		for _, k := range []struct {
			field string
			lim   *scoreLimits
			into  func(*podcv1.Resource, string)
		}{
			{"limits", r.Limits, func(x *podcv1.Resource, v string) { x.Limit = v }},
			{"requests", r.Requests, func(x *podcv1.Resource, v string) { x.Request = v }},
		} {
			if k.lim == nil {
				continue
			}
			for _, q := range []struct {
				field, ifield string
				v             scoreQuantity
				into          **podcv1.Resource
			}{{"cpu", "cpu", k.lim.CPU, &res.Cpu}, {"memory", "memory", k.lim.Memory, &res.Memory}} {
				p := cp.f("resources").f(k.field).f(q.field)
				if q.v == "" || b.dropped(o, p) {
					continue
				}
				if *q.into == nil {
					*q.into = &podcv1.Resource{}
				}
				k.into(*q.into, string(q.v))
				b.use(o, p)
				side := "limit"
				if k.field == "requests" {
					side = "request"
				}
				b.record(ip.Field("resources").Field(q.ifield).Field(side), o, p, false)
			}
		}
		if res.Cpu != nil || res.Memory != nil {
			out.Resources = res
		}
	}
	probes := &podcv1.Probes{
		Liveness:  sc.probe(b, cp.f("livenessProbe"), c.LivenessProbe, ip.Field("probes").Field("liveness")),
		Readiness: sc.probe(b, cp.f("readinessProbe"), c.ReadinessProbe, ip.Field("probes").Field("readiness")),
	}
	if probes.Liveness != nil || probes.Readiness != nil {
		out.Probes = probes
	}
	b.why(o, cp.f("files"), "the intent mounts no files of the workload's own: give them to it as a ConfigMap or Secret volume")
	b.why(o, cp.f("volumes"), "the workload's volumes come from its Score resources, which podc does not provision")
	b.why(o, cp.f("before"), "the intent starts its containers together (init steps and sidecars are Kubernetes' start order)")
	b.wi.Containers = append(b.wi.Containers, out)
}

// probe maps a Score probe: an HTTP GET or a command; with both, the HTTP
// GET (the intent's probes have one handler) and the command is lost.
func (sc *scoreCtx) probe(b *builder, p fieldPath, pr *scoreProbe, ip diag.Path) *podcv1.Probe {
	o := sc.o
	if pr == nil || b.dropped(o, p) {
		return nil
	}
	out := &podcv1.Probe{}
	switch {
	case pr.HTTPGet != nil:
		g := pr.HTTPGet
		hp := p.f("httpGet")
		a := &podcv1.HTTPGetAction{Path: g.Path, Port: fmt.Sprint(g.Port)}
		if strings.EqualFold(g.Scheme, "HTTPS") {
			a.Scheme = podcv1.Scheme_SCHEME_HTTPS
		}
		for i, h := range g.HTTPHeaders {
			a.Headers = append(a.Headers, &podcv1.HTTPHeader{Name: h.Name, Value: h.Value})
			b.use(o, hp.f("httpHeaders").i(i).f("name"))
			b.use(o, hp.f("httpHeaders").i(i).f("value"))
		}
		for _, f := range []string{"path", "port", "scheme"} {
			b.use(o, hp.f(f))
		}
		b.why(o, hp.f("host"), "the intent's HTTP probes ask the pod's own IP")
		b.why(o, p.f("exec"), "the intent's probes have one handler, and this one has an HTTP GET too")
		out.Handler = &podcv1.Probe_HttpGet{HttpGet: a}
	case pr.Exec != nil:
		out.Handler = &podcv1.Probe_Exec{Exec: &podcv1.ExecAction{Command: pr.Exec.Command}}
		b.use(o, p.f("exec").f("command"))
	default:
		return nil
	}
	b.record(ip, o, p, false)
	return out
}

// service maps the service ports: the first container declares each (the
// pod's containers share one network, so any could), exposed in the
// cluster at its port by the Service named after the workload.
func (sc *scoreCtx) service(b *builder) {
	o := sc.o
	if sc.w.Service == nil || len(b.wi.Containers) == 0 {
		return
	}
	c := b.wi.Containers[0]
	for _, name := range sortedKeys(sc.w.Service.Ports) {
		sp := sc.w.Service.Ports[name]
		p := fieldPath{}.f("service").f("ports").f(name)
		if b.dropped(o, p) {
			continue
		}
		target := sp.TargetPort
		if target == 0 {
			target = sp.Port
		}
		port := &podcv1.Port{Name: name, ContainerPort: target, Expose: podcv1.Expose_EXPOSE_CLUSTER}
		if sp.Port != target {
			port.ServicePort = sp.Port
		}
		switch strings.ToUpper(sp.Protocol) {
		case "UDP":
			port.Protocol = podcv1.Protocol_PROTOCOL_UDP
		case "SCTP":
			port.Protocol = podcv1.Protocol_PROTOCOL_SCTP
		}
		b.record(diag.Path("containers").Index(0).Field("ports").Index(len(c.Ports)), o, p, false)
		c.Ports = append(c.Ports, port)
		for _, f := range []string{"port", "targetPort", "protocol"} {
			b.use(o, p.f(f))
		}
	}
	if len(c.Ports) > 0 {
		b.note("%s: the service ports are declared on container %s and carried by the Service %s", o.ref, c.Name, o.name)
	}
}
