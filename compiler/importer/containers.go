package importer

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// role is the part of the intent a container becomes.
type role int

const (
	roleInit role = iota
	roleApp
	roleSidecar
)

// portRef is a container port mapped into the intent, for the Services.
type portRef struct {
	port *podcv1.Port
	// name is the port's name as compile writes it: its own, or the one
	// compile gives an exposed port without one.
	name string
	// named reports whether the manifest names the port.
	named     bool
	path      fieldPath // the port in the manifest
	container int       // index in the intent list
	role      role
	cname     string
	ip        diag.Path
	// synthetic ports are declared by the import: a Service targets them
	// by a number no container declares.
	synthetic bool
}

// containers maps the app containers, the init containers that are init
// steps and those that are native sidecars (restartPolicy Always).
func (b *builder) containers(w *object, sp fieldPath, spec *corev1.PodSpec, vols map[string]bool) {
	b.record("containers", w, sp.f("containers"), true)
	firstStep := -1
	var late []string
	for i, c := range spec.InitContainers {
		p := sp.f("initContainers").i(i)
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			b.use(w, p.f("restartPolicy"))
			ip := diag.Path("sidecars").Index(len(b.wi.Sidecars))
			b.wi.Sidecars = append(b.wi.Sidecars, b.container(w, p, &spec.InitContainers[i], ip, vols, roleSidecar, len(b.wi.Sidecars)))
			if firstStep >= 0 {
				late = append(late, c.Name)
			}
			continue
		}
		if firstStep < 0 {
			firstStep = i
		}
		ip := diag.Path("initSteps").Index(len(b.wi.InitSteps))
		b.wi.InitSteps = append(b.wi.InitSteps, b.container(w, p, &spec.InitContainers[i], ip, vols, roleInit, len(b.wi.InitSteps)))
	}
	if len(late) > 0 {
		b.lose(w, sp.f("initContainers"), fmt.Sprintf("the order: native sidecar %s comes after init step %s, and podc starts every sidecar before the init steps",
			strings.Join(late, ", "), spec.InitContainers[firstStep].Name))
	}
	for i := range spec.Containers {
		p := sp.f("containers").i(i)
		ip := diag.Path("containers").Index(len(b.wi.Containers))
		b.wi.Containers = append(b.wi.Containers, b.container(w, p, &spec.Containers[i], ip, vols, roleApp, len(b.wi.Containers)))
	}
}

// container maps one container at p of the workload to the intent's
// container at ip.
func (b *builder) container(w *object, p fieldPath, c *corev1.Container, ip diag.Path, vols map[string]bool, r role, index int) *podcv1.Container {
	out := &podcv1.Container{Name: c.Name, Image: c.Image}
	b.use(w, p.f("name"))
	b.use(w, p.f("image"))
	b.record(ip.Field("name"), w, p.f("name"), true)
	b.record(ip.Field("image"), w, p.f("image"), true)
	b.record(ip, w, p, true)
	b.use(w, p.f("imagePullPolicy"))
	if eff := b.defaulted.container(p).ImagePullPolicy; eff != podcPullPolicy(c.Image) {
		out.PullPolicy = pullPolicy(eff)
	}
	for _, f := range []string{"command", "args"} {
		b.use(w, p.f(f))
		b.record(ip.Field(f), w, p.f(f), true)
	}
	out.Command = c.Command
	out.Args = c.Args
	if c.WorkingDir != "" && !b.dropped(w, p.f("workingDir")) {
		out.WorkingDir = c.WorkingDir
		b.use(w, p.f("workingDir"))
		b.record(ip.Field("workingDir"), w, p.f("workingDir"), false)
	}
	out.Env = b.env(w, p, c, ip)
	out.EnvFrom = b.envFrom(w, p, c, ip)
	out.Ports = b.containerPorts(w, p, c, ip, r, index)
	out.Resources = b.resources(w, p.f("resources"), c.Resources, ip.Field("resources"))
	out.Mounts = b.mounts(w, p, c, ip, vols)
	out.Probes = b.probes(w, p, c, ip)
	out.SecurityContext = b.securityContext(w, p.f("securityContext"), c.SecurityContext, ip.Field("securityContext"))
	out.Lifecycle = b.lifecycle(w, p.f("lifecycle"), c.Lifecycle, ip.Field("lifecycle"))
	for _, f := range []struct {
		field string
		v     bool
		into  *bool
	}{{"stdin", c.Stdin, &out.Stdin}, {"stdinOnce", c.StdinOnce, &out.StdinOnce}, {"tty", c.TTY, &out.Tty}} {
		if f.v && b.take(w, p.f(f.field), ip.Field(f.field)) {
			*f.into = true
		}
	}
	return out
}

// lifecycle maps a container's postStart and preStop hooks at p into the
// intent's at ip; nil when it has neither.
func (b *builder) lifecycle(w *object, p fieldPath, lc *corev1.Lifecycle, ip diag.Path) *podcv1.Lifecycle {
	if lc == nil || b.dropped(w, p) {
		return nil
	}
	b.record(ip, w, p, false)
	out := &podcv1.Lifecycle{
		PostStart: b.hook(w, p.f("postStart"), lc.PostStart, ip.Field("postStart")),
		PreStop:   b.hook(w, p.f("preStop"), lc.PreStop, ip.Field("preStop")),
	}
	b.why(w, p.f("stopSignal"), "the intent's hooks have no stop signal")
	if out.PostStart == nil && out.PreStop == nil {
		return nil
	}
	return out
}

// hook maps one hook at p into the intent's at ip: exec, httpGet or
// sleep; nil when it is refused or has another action.
func (b *builder) hook(w *object, p fieldPath, h *corev1.LifecycleHandler, ip diag.Path) *podcv1.LifecycleHandler {
	if h == nil || b.dropped(w, p) {
		return nil
	}
	out := &podcv1.LifecycleHandler{}
	switch {
	case h.Exec != nil:
		out.Handler = &podcv1.LifecycleHandler_Exec{Exec: &podcv1.ExecAction{Command: h.Exec.Command}}
		b.use(w, p.f("exec").f("command"))
	case h.HTTPGet != nil:
		out.Handler = &podcv1.LifecycleHandler_HttpGet{HttpGet: b.httpGet(w, p.f("httpGet"), h.HTTPGet, "hooks")}
	case h.Sleep != nil:
		out.Handler = &podcv1.LifecycleHandler_Sleep{Sleep: &podcv1.SleepAction{Seconds: h.Sleep.Seconds}}
		b.use(w, p.f("sleep").f("seconds"))
	default:
		b.why(w, p, "the intent's hooks run a command (exec), send an HTTP request (httpGet) or wait (sleep); Kubernetes keeps tcpSocket hooks only for backward compatibility, and they fail when they run")
		return nil
	}
	b.record(ip, w, p, false)
	return out
}

// podcPullPolicy is the pull policy compile writes for an image when the
// intent sets none; empty when the image is not one the intent accepts.
func podcPullPolicy(image string) corev1.PullPolicy {
	im, err := intent.ParseImage(image)
	if err != nil {
		return ""
	}
	p, _ := compile.DefaultPullPolicy(im)
	return p
}

// pullPolicy maps a pull policy.
func pullPolicy(p corev1.PullPolicy) podcv1.PullPolicy {
	switch p {
	case corev1.PullAlways:
		return podcv1.PullPolicy_PULL_POLICY_ALWAYS
	case corev1.PullNever:
		return podcv1.PullPolicy_PULL_POLICY_NEVER
	}
	return podcv1.PullPolicy_PULL_POLICY_IF_NOT_PRESENT
}

// env maps the environment variables with a value or a key of a
// ConfigMap or Secret; any other is lost whole.
func (b *builder) env(w *object, p fieldPath, c *corev1.Container, ip diag.Path) []*podcv1.EnvVar {
	var out []*podcv1.EnvVar
	for i, e := range c.Env {
		ep := p.f("env").i(i)
		if b.dropped(w, ep) {
			continue
		}
		v := &podcv1.EnvVar{Name: e.Name}
		vf := e.ValueFrom
		switch {
		case vf == nil:
			if e.Value != "" {
				v.Source = &podcv1.EnvVar_Value{Value: e.Value}
			}
			b.use(w, ep.f("value"))
		case vf.ConfigMapKeyRef != nil:
			r := vf.ConfigMapKeyRef
			k := &podcv1.KeyRef{Name: r.Name, Key: r.Key}
			rp := ep.f("valueFrom").f("configMapKeyRef")
			b.use(w, rp.f("name"))
			b.use(w, rp.f("key"))
			b.optional(w, rp.f("optional"), r.Optional, &k.Optional)
			v.Source = &podcv1.EnvVar_ConfigMapKey{ConfigMapKey: k}
		case vf.SecretKeyRef != nil:
			r := vf.SecretKeyRef
			k := &podcv1.KeyRef{Name: r.Name, Key: r.Key}
			rp := ep.f("valueFrom").f("secretKeyRef")
			b.use(w, rp.f("name"))
			b.use(w, rp.f("key"))
			b.optional(w, rp.f("optional"), r.Optional, &k.Optional)
			v.Source = &podcv1.EnvVar_SecretKey{SecretKey: k}
		case vf.FieldRef != nil:
			v.Source = &podcv1.EnvVar_Field{Field: vf.FieldRef.FieldPath}
			b.fieldRef(w, ep.f("valueFrom").f("fieldRef"), vf.FieldRef)
		case vf.ResourceFieldRef != nil:
			r := vf.ResourceFieldRef
			v.Source = &podcv1.EnvVar_Resource{Resource: &podcv1.ResourceRef{Container: r.ContainerName, Resource: r.Resource, Divisor: divisor(r.Divisor)}}
			rp := ep.f("valueFrom").f("resourceFieldRef")
			for _, k := range []string{"containerName", "resource", "divisor"} {
				b.use(w, rp.f(k))
			}
			if r.ContainerName == "" {
				b.lose(w, rp.f("containerName"), fmt.Sprintf("unset, but compile names the container itself, %s: the same resource", c.Name))
			}
		default:
			b.why(w, ep, fmt.Sprintf("%s from a file (fileKeyRef): the intent's environment variables have a value, a key of a ConfigMap or Secret, a field of the pod or a resource of a container", e.Name))
			continue
		}
		b.use(w, ep.f("name"))
		b.record(ip.Field("env").Index(len(out)), w, ep, false)
		out = append(out, v)
	}
	return out
}

// envFrom maps whole ConfigMaps and Secrets as variables.
func (b *builder) envFrom(w *object, p fieldPath, c *corev1.Container, ip diag.Path) []*podcv1.EnvFrom {
	var out []*podcv1.EnvFrom
	for i, e := range c.EnvFrom {
		ep := p.f("envFrom").i(i)
		if b.dropped(w, ep) {
			continue
		}
		f := &podcv1.EnvFrom{Prefix: e.Prefix}
		var opt *bool
		var rp fieldPath
		switch {
		case e.ConfigMapRef != nil && e.SecretRef == nil:
			f.Source = &podcv1.EnvFrom_ConfigMap{ConfigMap: e.ConfigMapRef.Name}
			rp, opt = ep.f("configMapRef"), e.ConfigMapRef.Optional
		case e.SecretRef != nil && e.ConfigMapRef == nil:
			f.Source = &podcv1.EnvFrom_Secret{Secret: e.SecretRef.Name}
			rp, opt = ep.f("secretRef"), e.SecretRef.Optional
		default:
			b.why(w, ep, "the intent's envFrom names one ConfigMap or Secret")
			continue
		}
		b.use(w, rp.f("name"))
		b.use(w, ep.f("prefix"))
		switch {
		case opt == nil:
		case *opt:
			b.lose(w, rp.f("optional"), "the intent's envFrom has no optional: compile leaves it unset, so the container does not start without the object")
		default:
			b.lose(w, rp.f("optional"), explicitFalse)
		}
		b.record(ip.Field("envFrom").Index(len(out)), w, ep, false)
		out = append(out, f)
	}
	return out
}

// containerPorts maps the container's ports. With hostNetwork a port's
// hostPort equal to its containerPort is what compile writes; any other
// hostPort is lost.
func (b *builder) containerPorts(w *object, p fieldPath, c *corev1.Container, ip diag.Path, r role, index int) []*podcv1.Port {
	var out []*podcv1.Port
	hostNetwork := w.spec().HostNetwork
	for i, pt := range c.Ports {
		pp := p.f("ports").i(i)
		if b.dropped(w, pp) {
			continue
		}
		port := &podcv1.Port{Name: pt.Name, ContainerPort: pt.ContainerPort}
		switch pt.Protocol {
		case corev1.ProtocolUDP:
			port.Protocol = podcv1.Protocol_PROTOCOL_UDP
		case corev1.ProtocolSCTP:
			port.Protocol = podcv1.Protocol_PROTOCOL_SCTP
		}
		for _, f := range []string{"name", "containerPort", "protocol"} {
			b.use(w, pp.f(f))
		}
		switch {
		case pt.HostPort == 0:
		case hostNetwork && pt.HostPort == pt.ContainerPort:
			b.use(w, pp.f("hostPort"))
		default:
			b.why(w, pp.f("hostPort"), "the intent binds no port on the node (with hostNetwork, each port is its own host port)")
		}
		pip := ip.Field("ports").Index(len(out))
		b.record(pip, w, pp, false)
		b.ports = append(b.ports, &portRef{port: port, name: port.Name, named: pt.Name != "", path: pp, container: index, role: r, cname: c.Name, ip: pip})
		out = append(out, port)
	}
	return out
}

// mounts maps the volume mounts of the volumes the intent declares; a
// mount of any other volume is lost whole.
func (b *builder) mounts(w *object, p fieldPath, c *corev1.Container, ip diag.Path, vols map[string]bool) []*podcv1.Mount {
	var out []*podcv1.Mount
	for i, m := range c.VolumeMounts {
		mp := p.f("volumeMounts").i(i)
		if !vols[m.Name] {
			b.why(w, mp, fmt.Sprintf("mounts volume %s, which is lost", m.Name))
			continue
		}
		if b.dropped(w, mp) {
			continue
		}
		for _, f := range []string{"name", "mountPath", "readOnly", "subPath"} {
			b.use(w, mp.f(f))
		}
		b.record(ip.Field("mounts").Index(len(out)), w, mp, false)
		out = append(out, &podcv1.Mount{Volume: m.Name, Path: m.MountPath, ReadOnly: m.ReadOnly, SubPath: m.SubPath})
	}
	return out
}

// securityContext maps the container security settings the intent has.
func (b *builder) securityContext(w *object, p fieldPath, sc *corev1.SecurityContext, ip diag.Path) *podcv1.SecurityContext {
	if sc == nil {
		return nil
	}
	out := &podcv1.SecurityContext{}
	set := false
	bools := []struct {
		field string
		v     *bool
		into  **bool
	}{
		{"runAsNonRoot", sc.RunAsNonRoot, &out.RunAsNonRoot},
		{"readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem, &out.ReadOnlyRootFilesystem},
		{"allowPrivilegeEscalation", sc.AllowPrivilegeEscalation, &out.AllowPrivilegeEscalation},
		{"privileged", sc.Privileged, &out.Privileged},
	}
	for _, f := range bools {
		if f.v != nil && !b.dropped(w, p.f(f.field)) {
			v := *f.v
			*f.into = &v
			set = true
			b.use(w, p.f(f.field))
			b.record(ip.Field(f.field), w, p.f(f.field), false)
		}
	}
	ids := []struct {
		field string
		v     *int64
		into  **int64
	}{
		{"runAsUser", sc.RunAsUser, &out.RunAsUser},
		{"runAsGroup", sc.RunAsGroup, &out.RunAsGroup},
	}
	for _, f := range ids {
		if f.v != nil && !b.dropped(w, p.f(f.field)) {
			v := *f.v
			*f.into = &v
			set = true
			b.use(w, p.f(f.field))
			b.record(ip.Field(f.field), w, p.f(f.field), false)
		}
	}
	if caps := sc.Capabilities; caps != nil {
		lists := []struct {
			field, ifield string
			caps          []corev1.Capability
			into          *[]string
		}{
			{"add", "capabilitiesAdd", caps.Add, &out.CapabilitiesAdd},
			{"drop", "capabilitiesDrop", caps.Drop, &out.CapabilitiesDrop},
		}
		for _, l := range lists {
			lp := p.f("capabilities").f(l.field)
			if len(l.caps) == 0 || b.dropped(w, lp) {
				continue
			}
			for _, c := range l.caps {
				*l.into = append(*l.into, string(c))
			}
			set = true
			b.use(w, lp)
			b.record(ip.Field(l.ifield), w, lp, false)
		}
	}
	if sp := sc.SeccompProfile; sp != nil && !b.dropped(w, p.f("seccompProfile")) {
		switch sp.Type {
		case corev1.SeccompProfileTypeRuntimeDefault:
			out.SeccompProfile = podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT
		case corev1.SeccompProfileTypeUnconfined:
			out.SeccompProfile = podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED
		default:
			b.why(w, p.f("seccompProfile"), "the intent's seccomp profiles are RuntimeDefault and Unconfined")
		}
		if out.SeccompProfile != podcv1.SeccompProfile_SECCOMP_PROFILE_UNSPECIFIED {
			set = true
			b.use(w, p.f("seccompProfile").f("type"))
			b.record(ip.Field("seccompProfile"), w, p.f("seccompProfile"), false)
		}
	}
	if !set {
		return nil
	}
	return out
}
