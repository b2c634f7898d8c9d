package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// container compiles one container of the intent at path p.
func (b *builder) container(p diag.Path, c *podcv1.Container) (corev1.Container, error) {
	ct := corev1.Container{
		Name:       c.GetName(),
		Image:      c.GetImage(),
		Command:    copyStrings(c.GetCommand()),
		Args:       copyStrings(c.GetArgs()),
		WorkingDir: c.GetWorkingDir(),
	}
	pp, err := b.pullPolicy(p, c)
	if err != nil {
		return ct, err
	}
	ct.ImagePullPolicy = pp
	ct.Ports = b.ports(p, c)
	ct.Env, ct.EnvFrom = env(c)
	if ct.Resources, err = b.resources(p.Field("resources"), c.GetResources()); err != nil {
		return ct, err
	}
	for _, m := range c.GetMounts() {
		ct.VolumeMounts = append(ct.VolumeMounts, corev1.VolumeMount{
			Name: m.GetVolume(), MountPath: m.GetPath(), ReadOnly: m.GetReadOnly(), SubPath: m.GetSubPath(),
		})
	}
	ps := c.GetProbes()
	pp2 := p.Field("probes")
	ct.LivenessProbe = b.probe(pp2.Field("liveness"), ps.GetLiveness())
	ct.ReadinessProbe = b.probe(pp2.Field("readiness"), ps.GetReadiness())
	ct.StartupProbe = b.probe(pp2.Field("startup"), ps.GetStartup())
	ct.SecurityContext = securityContext(c.GetSecurityContext())
	return ct, nil
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
	return corev1.PullIfNotPresent, fmt.Sprintf("unset: the image has the tag :%s, not :latest", im.Tag)
}

// ports compiles a container's ports. The protocol defaults to TCP; with
// hostNetwork each port is also a host port, as the kube-apiserver requires.
func (b *builder) ports(p diag.Path, c *podcv1.Container) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	for i, pt := range c.GetPorts() {
		pp := p.Field("ports").Index(i)
		cp := corev1.ContainerPort{
			Name:          pt.GetName(),
			ContainerPort: pt.GetContainerPort(),
			Protocol:      protocol(pt.GetProtocol()),
		}
		if pt.GetProtocol() == podcv1.Protocol_PROTOCOL_UNSPECIFIED {
			b.def(pp.Field("protocol"), "TCP", "unset: ports are TCP")
		}
		if b.wi.GetHostNetwork() {
			cp.HostPort = cp.ContainerPort
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

// env compiles env and envFrom, in order. Values are copied, never logged.
func env(c *podcv1.Container) ([]corev1.EnvVar, []corev1.EnvFromSource) {
	var vars []corev1.EnvVar
	for _, e := range c.GetEnv() {
		v := corev1.EnvVar{Name: e.GetName()}
		switch src := e.GetSource().(type) {
		case *podcv1.EnvVar_Value:
			v.Value = src.Value
		case *podcv1.EnvVar_ConfigMapKey:
			r := src.ConfigMapKey
			v.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: r.GetName()},
				Key:                  r.GetKey(),
				Optional:             optionalTrue(r.GetOptional()),
			}}
		case *podcv1.EnvVar_SecretKey:
			r := src.SecretKey
			v.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: r.GetName()},
				Key:                  r.GetKey(),
				Optional:             optionalTrue(r.GetOptional()),
			}}
		}
		vars = append(vars, v)
	}
	var from []corev1.EnvFromSource
	for _, e := range c.GetEnvFrom() {
		f := corev1.EnvFromSource{Prefix: e.GetPrefix()}
		switch src := e.GetSource().(type) {
		case *podcv1.EnvFrom_ConfigMap:
			f.ConfigMapRef = &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: src.ConfigMap}}
		case *podcv1.EnvFrom_Secret:
			f.SecretRef = &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: src.Secret}}
		}
		from = append(from, f)
	}
	return vars, from
}

// copyStrings returns a copy of s, nil when empty, so objects never share
// memory with the intent.
func copyStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}
