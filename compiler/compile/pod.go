package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// podSpec compiles the pod: pod-level fields, volumes and containers.
//
// Init steps become init containers in their declared order. Sidecars become
// native sidecars (init containers with restartPolicy Always) when the
// target has them, placed BEFORE the init steps: the kubelet starts init
// containers in order, so a proxy or log shipper is up while the init steps
// run and keeps running beside the app. On older targets sidecars become
// regular containers after the app containers; they then start with the app,
// after the init steps, and do not hold the pod's termination.
func (b *builder) podSpec() (corev1.PodSpec, error) {
	wi := b.wi
	spec := corev1.PodSpec{
		RestartPolicy:      restartPolicy(wi.GetRestartPolicy()),
		HostNetwork:        wi.GetHostNetwork(),
		HostPID:            wi.GetHostPid(),
		HostIPC:            wi.GetHostIpc(),
		ServiceAccountName: wi.GetServiceAccountName(),
	}
	if wi.GetRestartPolicy() == podcv1.RestartPolicy_RESTART_POLICY_UNSPECIFIED {
		b.def("restartPolicy", string(corev1.RestartPolicyAlways), "unset: containers restart whenever they exit")
	}
	if wi.GetShareProcessNamespace() {
		t := true
		spec.ShareProcessNamespace = &t
	}
	spec.SecurityContext = b.podSecurityContext()
	vols, err := b.volumes()
	if err != nil {
		return spec, err
	}
	spec.Volumes = vols

	// Compile in intent order, so the defaults are reported in that order,
	// then place the sidecars.
	inits, err := b.containerList("initSteps", wi.GetInitSteps())
	if err != nil {
		return spec, err
	}
	apps, err := b.containerList("containers", wi.GetContainers())
	if err != nil {
		return spec, err
	}
	sidecars, err := b.containerList("sidecars", wi.GetSidecars())
	if err != nil {
		return spec, err
	}
	native := b.opts.Target.Has(target.NativeSidecars)
	for i := range sidecars {
		p := diag.Path("sidecars").Index(i)
		if native {
			always := corev1.ContainerRestartPolicyAlways
			sidecars[i].RestartPolicy = &always
			b.def(p, fmt.Sprintf("initContainers[%d] with restartPolicy Always", i),
				"a native sidecar: it starts before the init steps and runs for the pod's whole life")
		} else {
			b.def(p, fmt.Sprintf("containers[%d]", len(apps)+i),
				fmt.Sprintf("a regular container: Kubernetes %s has no native sidecars", b.opts.Target))
		}
	}
	switch {
	case len(sidecars) == 0:
		spec.InitContainers = inits
		spec.Containers = apps
	case native:
		b.note("sidecars emitted as native sidecars (init containers with restartPolicy Always) for Kubernetes %s, placed before the init steps so they run during the init steps and beside the app", b.opts.Target)
		spec.InitContainers = append(sidecars, inits...)
		spec.Containers = apps
	default:
		b.note("sidecars emitted as regular containers after the app containers: Kubernetes %s has no native sidecars (1.%d+), so they start with the app, after the init steps", b.opts.Target, target.NativeSidecars.Since)
		spec.InitContainers = inits
		spec.Containers = append(apps, sidecars...)
	}
	return spec, nil
}

// containerList compiles the containers of one intent list.
func (b *builder) containerList(field string, cs []*podcv1.Container) ([]corev1.Container, error) {
	var out []corev1.Container
	for i, c := range cs {
		ct, err := b.container(diag.Path(field).Index(i), c)
		if err != nil {
			return nil, err
		}
		out = append(out, ct)
	}
	return out, nil
}

// restartPolicy maps the intent's restart policy; unset is Always.
func restartPolicy(p podcv1.RestartPolicy) corev1.RestartPolicy {
	switch p {
	case podcv1.RestartPolicy_RESTART_POLICY_ON_FAILURE:
		return corev1.RestartPolicyOnFailure
	case podcv1.RestartPolicy_RESTART_POLICY_NEVER:
		return corev1.RestartPolicyNever
	}
	return corev1.RestartPolicyAlways
}

// volumes compiles the declared volumes, in order.
func (b *builder) volumes() ([]corev1.Volume, error) {
	var out []corev1.Volume
	for i, v := range b.wi.GetVolumes() {
		p := diag.Path("volumes").Index(i)
		vol := corev1.Volume{Name: v.GetName()}
		switch {
		case v.GetScratch() != nil:
			s := v.GetScratch()
			ed := &corev1.EmptyDirVolumeSource{}
			if s.GetMemory() {
				ed.Medium = corev1.StorageMediumMemory
			}
			if s.GetSizeLimit() != "" {
				q, err := intent.ParseQuantity(s.GetSizeLimit(), "memory")
				if err != nil {
					return nil, fmt.Errorf("compile %s: %w", p.Field("scratch").Field("sizeLimit"), err)
				}
				ed.SizeLimit = &q
			}
			vol.EmptyDir = ed
		case v.GetConfig() != nil:
			c := v.GetConfig()
			vol.ConfigMap = &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: c.GetName()},
				Optional:             optionalTrue(c.GetOptional()),
			}
		case v.GetSecret() != nil:
			s := v.GetSecret()
			vol.Secret = &corev1.SecretVolumeSource{SecretName: s.GetName(), Optional: optionalTrue(s.GetOptional())}
		case v.GetPersistent() != nil:
			pv := v.GetPersistent()
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: pv.GetClaimName(), ReadOnly: pv.GetReadOnly()}
		default:
			return nil, fmt.Errorf("compile %s: no volume source", p)
		}
		out = append(out, vol)
	}
	return out, nil
}

// optionalTrue returns a pointer to true when b is set, nil otherwise: an
// unset optional is false, and nil keeps the manifest minimal.
func optionalTrue(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}
