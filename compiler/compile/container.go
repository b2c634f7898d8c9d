package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// container compiles one container of the intent at path p (ip in the
// record) and records it under a detached node, which the pod spec places.
func (b *builder) container(p diag.Path, ip provenance.Path, c *podcv1.Container) (corev1.Container, provenance.Node, error) {
	r := b.rec
	n := r.Detached(provenance.FromIntent(ip))
	ct := corev1.Container{
		Name:       c.GetName(),
		Image:      c.GetImage(),
		Command:    copyStrings(c.GetCommand()),
		Args:       copyStrings(c.GetArgs()),
		WorkingDir: c.GetWorkingDir(),
	}
	b.put(n, "name", r.In(ip, "name"))
	b.putIf(ct.Image != "", n, "image", r.In(ip, "image"))
	b.putStrings(n, "command", r.In(ip, "command"), len(ct.Command))
	b.putStrings(n, "args", r.In(ip, "args"), len(ct.Args))
	b.putIf(ct.WorkingDir != "", n, "workingDir", r.In(ip, "workingDir"))
	pp, err := b.pullPolicy(p, c)
	if err != nil {
		return ct, n, err
	}
	ct.ImagePullPolicy = pp
	r.Field(n, "imagePullPolicy", from(c.GetPullPolicy() != podcv1.PullPolicy_PULL_POLICY_UNSPECIFIED, r.In(ip, "pullPolicy")))
	ct.Ports = b.ports(p, n, ip, c)
	if ct.Env, ct.EnvFrom, err = b.env(p, n, ip, c); err != nil {
		return ct, n, err
	}
	if ct.Resources, err = b.resources(p.Field("resources"), n, r.In(ip, "resources"), c.GetResources()); err != nil {
		return ct, n, err
	}
	if ms := c.GetMounts(); len(ms) > 0 {
		mp := r.In(ip, "mounts")
		list := b.put(n, "volumeMounts", mp)
		for i, m := range ms {
			mip := r.At(mp, i)
			mn := r.Index(list, i, provenance.FromIntent(mip))
			b.put(mn, "name", r.In(mip, "volume"))
			b.put(mn, "mountPath", r.In(mip, "path"))
			b.putIf(m.GetReadOnly(), mn, "readOnly", r.In(mip, "readOnly"))
			b.putIf(m.GetSubPath() != "", mn, "subPath", r.In(mip, "subPath"))
			ct.VolumeMounts = append(ct.VolumeMounts, corev1.VolumeMount{
				Name: m.GetVolume(), MountPath: m.GetPath(), ReadOnly: m.GetReadOnly(), SubPath: m.GetSubPath(),
			})
		}
	}
	ps := c.GetProbes()
	pp2 := p.Field("probes")
	ipp := r.In(ip, "probes")
	ct.LivenessProbe = b.probe(pp2, n, "livenessProbe", ipp, "liveness", ps.GetLiveness())
	ct.ReadinessProbe = b.probe(pp2, n, "readinessProbe", ipp, "readiness", ps.GetReadiness())
	ct.StartupProbe = b.probe(pp2, n, "startupProbe", ipp, "startup", ps.GetStartup())
	ct.SecurityContext = b.securityContext(n, r.In(ip, "securityContext"), c.GetSecurityContext())
	ct.Lifecycle = b.lifecycle(p.Field("lifecycle"), n, r.In(ip, "lifecycle"), c.GetLifecycle())
	ct.Stdin, ct.StdinOnce, ct.TTY = c.GetStdin(), c.GetStdinOnce(), c.GetTty()
	b.putIf(ct.Stdin, n, "stdin", r.In(ip, "stdin"))
	b.putIf(ct.StdinOnce, n, "stdinOnce", r.In(ip, "stdinOnce"))
	b.putIf(ct.TTY, n, "tty", r.In(ip, "tty"))
	return ct, n, nil
}

// pullPolicy keeps an explicit pull policy and derives an unset one from the
// image reference: Always for ":latest" or no tag, IfNotPresent for any
// other tag or a digest (a digest pins the content, so it wins over a
// "latest" tag beside it).
func (b *builder) pullPolicy(p diag.Path, c *podcv1.Container) (corev1.PullPolicy, error) {
	switch c.GetPullPolicy() {
	case podcv1.PullPolicy_PULL_POLICY_ALWAYS:
		return corev1.PullAlways, nil
	case podcv1.PullPolicy_PULL_POLICY_IF_NOT_PRESENT:
		return corev1.PullIfNotPresent, nil
	case podcv1.PullPolicy_PULL_POLICY_NEVER:
		return corev1.PullNever, nil
	}
	im, err := intent.ParseImage(c.GetImage())
	if err != nil {
		return "", fmt.Errorf("compile %s: %w", p.Field("image"), err)
	}
	policy, reason := DefaultPullPolicy(im)
	b.def(p.Field("pullPolicy"), string(policy), reason)
	return policy, nil
}

// DefaultPullPolicy is the pull policy of an image whose intent sets none,
// and why: Always for ":latest" or no tag, IfNotPresent for any other tag
// or a digest.
func DefaultPullPolicy(im intent.Image) (corev1.PullPolicy, string) {
	switch {
	case im.Digest != "":
		return corev1.PullIfNotPresent, "unset: the image is pinned by digest"
	case im.Tag == "":
		return corev1.PullAlways, "unset: the image has no tag, so it means :latest and may change"
	case im.Tag == "latest":
		return corev1.PullAlways, "unset: the image tag is :latest, which may change"
	}
	return corev1.PullIfNotPresent, "unset: the image has the tag :" + im.Tag + ", not :latest"
}

// ports compiles a container's ports and records them under the
// container's node n. The protocol defaults to TCP; with hostNetwork each
// port is also a host port, as the kube-apiserver requires.
func (b *builder) ports(p diag.Path, n provenance.Node, ip provenance.Path, c *podcv1.Container) []corev1.ContainerPort {
	if len(c.GetPorts()) == 0 {
		return nil
	}
	r := b.rec
	var out []corev1.ContainerPort
	lp := r.In(ip, "ports")
	list := b.put(n, "ports", lp)
	for i, pt := range c.GetPorts() {
		pp := p.Field("ports").Index(i)
		pip := r.At(lp, i)
		pn := r.Index(list, i, provenance.FromIntent(pip))
		cp := corev1.ContainerPort{
			Name:          pt.GetName(),
			ContainerPort: pt.GetContainerPort(),
			Protocol:      protocol(pt.GetProtocol()),
		}
		if cp.Name != "" {
			r.Field(pn, "name", b.portName(pp, pip))
		}
		b.put(pn, "containerPort", r.In(pip, "containerPort"))
		r.Field(pn, "protocol", from(pt.GetProtocol() != podcv1.Protocol_PROTOCOL_UNSPECIFIED, r.In(pip, "protocol")))
		if pt.GetProtocol() == podcv1.Protocol_PROTOCOL_UNSPECIFIED {
			b.def(pp.Field("protocol"), "TCP", "unset: ports are TCP")
		}
		if b.wi.GetHostNetwork() {
			cp.HostPort = cp.ContainerPort
			if cp.HostPort != 0 {
				r.Field(pn, "hostPort", provenance.CompilerDefault(r.In(pip, "hostPort")))
			}
			b.def(pp.Field("hostPort"), fmt.Sprint(cp.HostPort), "hostNetwork: the port is bound on the node itself")
		}
		out = append(out, cp)
	}
	return out
}

// protocol maps a port protocol; unset is TCP.
func protocol(p podcv1.Protocol) corev1.Protocol {
	return corev1.Protocol(intent.ProtocolName(p))
}

// env compiles env and envFrom, in order, and records them under the
// container's node n. Values are copied, never logged.
func (b *builder) env(p diag.Path, n provenance.Node, ip provenance.Path, c *podcv1.Container) ([]corev1.EnvVar, []corev1.EnvFromSource, error) {
	r := b.rec
	var vars []corev1.EnvVar
	if len(c.GetEnv()) > 0 {
		lp := r.In(ip, "env")
		list := b.put(n, "env", lp)
		for i, e := range c.GetEnv() {
			ep := r.At(lp, i)
			en := r.Index(list, i, provenance.FromIntent(ep))
			v := corev1.EnvVar{Name: e.GetName()}
			b.put(en, "name", r.In(ep, "name"))
			switch src := e.GetSource().(type) {
			case *podcv1.EnvVar_Value:
				v.Value = src.Value
				b.putIf(v.Value != "", en, "value", r.In(ep, "value"))
			case *podcv1.EnvVar_ConfigMapKey:
				ref := src.ConfigMapKey
				v.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
					LocalObjectReference: corev1.LocalObjectReference{Name: ref.GetName()},
					Key:                  ref.GetKey(),
					Optional:             optionalTrue(ref.GetOptional()),
				}}
				b.keyRef(r.Field(en, "valueFrom", provenance.Holder), "configMapKeyRef", r.In(ep, "configMapKey"), ref.GetName(), ref.GetKey(), ref.GetOptional())
			case *podcv1.EnvVar_SecretKey:
				ref := src.SecretKey
				v.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
					LocalObjectReference: corev1.LocalObjectReference{Name: ref.GetName()},
					Key:                  ref.GetKey(),
					Optional:             optionalTrue(ref.GetOptional()),
				}}
				b.keyRef(r.Field(en, "valueFrom", provenance.Holder), "secretKeyRef", r.In(ep, "secretKey"), ref.GetName(), ref.GetKey(), ref.GetOptional())
			case *podcv1.EnvVar_Field:
				v.ValueFrom = &corev1.EnvVarSource{FieldRef: b.fieldRef(p.Field("env").Index(i).Field("field"), r.Field(en, "valueFrom", provenance.Holder), r.In(ep, "field"), src.Field)}
			case *podcv1.EnvVar_Resource:
				rf, err := b.resourceFieldRef(p.Field("env").Index(i).Field("resource"), r.Field(en, "valueFrom", provenance.Holder), r.In(ep, "resource"), src.Resource, c.GetName())
				if err != nil {
					return nil, nil, err
				}
				v.ValueFrom = &corev1.EnvVarSource{ResourceFieldRef: rf}
			}
			vars = append(vars, v)
		}
	}
	var froms []corev1.EnvFromSource
	if len(c.GetEnvFrom()) > 0 {
		lp := r.In(ip, "envFrom")
		list := b.put(n, "envFrom", lp)
		for i, e := range c.GetEnvFrom() {
			ep := r.At(lp, i)
			en := r.Index(list, i, provenance.FromIntent(ep))
			f := corev1.EnvFromSource{Prefix: e.GetPrefix()}
			b.putIf(f.Prefix != "", en, "prefix", r.In(ep, "prefix"))
			switch src := e.GetSource().(type) {
			case *podcv1.EnvFrom_ConfigMap:
				f.ConfigMapRef = &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: src.ConfigMap}}
				ref := r.Field(en, "configMapRef", provenance.Holder)
				b.putIf(src.ConfigMap != "", ref, "name", r.In(ep, "configMap"))
			case *podcv1.EnvFrom_Secret:
				f.SecretRef = &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: src.Secret}}
				ref := r.Field(en, "secretRef", provenance.Holder)
				b.putIf(src.Secret != "", ref, "name", r.In(ep, "secret"))
			}
			froms = append(froms, f)
		}
	}
	return vars, froms, nil
}

// keyRef records a reference to one key of a ConfigMap or Secret, written
// as field name of parent from the intent reference at p.
func (b *builder) keyRef(parent provenance.Node, name string, p provenance.Path, ref, key string, optional bool) {
	r := b.rec
	n := b.put(parent, name, p)
	b.putIf(ref != "", n, "name", r.In(p, "name"))
	b.put(n, "key", r.In(p, "key"))
	b.putIf(optional, n, "optional", r.In(p, "optional"))
}

// copyStrings returns a copy of s, nil when empty, so objects never share
// memory with the intent.
func copyStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}
