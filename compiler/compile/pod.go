package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
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
func (b *builder) podSpec() (corev1.PodSpec, provenance.Node, error) {
	wi := b.wi
	r := b.rec
	sn := r.Detached(provenance.Holder)
	spec := corev1.PodSpec{
		RestartPolicy:      restartPolicy(wi.GetRestartPolicy()),
		HostNetwork:        wi.GetHostNetwork(),
		HostPID:            wi.GetHostPid(),
		HostIPC:            wi.GetHostIpc(),
		ServiceAccountName: wi.GetServiceAccountName(),
	}
	r.Field(sn, "restartPolicy", from(wi.GetRestartPolicy() != podcv1.RestartPolicy_RESTART_POLICY_UNSPECIFIED, b.in("restartPolicy")))
	if wi.GetRestartPolicy() == podcv1.RestartPolicy_RESTART_POLICY_UNSPECIFIED {
		b.def("restartPolicy", string(corev1.RestartPolicyAlways), "unset: containers restart whenever they exit")
	}
	for _, f := range []struct {
		set            bool
		field, inField string
	}{
		{spec.HostNetwork, "hostNetwork", "hostNetwork"},
		{spec.HostPID, "hostPID", "hostPid"},
		{spec.HostIPC, "hostIPC", "hostIpc"},
		{spec.ServiceAccountName != "", "serviceAccountName", "serviceAccountName"},
		{wi.GetShareProcessNamespace(), "shareProcessNamespace", "shareProcessNamespace"},
	} {
		if f.set {
			b.put(sn, f.field, b.in(f.inField))
		}
	}
	if wi.GetShareProcessNamespace() {
		t := true
		spec.ShareProcessNamespace = &t
	}
	spec.SecurityContext = b.podSecurityContext(sn)
	spec.TerminationGracePeriodSeconds = b.gracePeriod(sn)
	b.scheduling(&spec, sn)
	b.plumbing(&spec, sn)
	pr, err := b.podResources(sn)
	if err != nil {
		return spec, sn, err
	}
	spec.Resources = pr
	vols, err := b.volumes(sn)
	if err != nil {
		return spec, sn, err
	}
	spec.Volumes = vols
	b.tokenAccount(&spec, sn)

	// Compile in intent order, so the defaults are reported in that order,
	// then place the sidecars.
	inits, initNodes, err := b.containerList("initSteps", wi.GetInitSteps())
	if err != nil {
		return spec, sn, err
	}
	apps, appNodes, err := b.containerList("containers", wi.GetContainers())
	if err != nil {
		return spec, sn, err
	}
	sidecars, sidecarNodes, err := b.containerList("sidecars", wi.GetSidecars())
	if err != nil {
		return spec, sn, err
	}
	native := b.opts.Target.Has(target.NativeSidecars)
	for i := range sidecars {
		p := diag.Path("sidecars").Index(i)
		if native {
			always := corev1.ContainerRestartPolicyAlways
			sidecars[i].RestartPolicy = &always
			r.Field(sidecarNodes[i], "restartPolicy", provenance.CompilerDefault(r.At(b.in("sidecars"), i)))
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
		initNodes = append(sidecarNodes, initNodes...)
		spec.Containers = apps
	default:
		b.note("sidecars emitted as regular containers after the app containers: Kubernetes %s has no native sidecars (1.%d+), so they start with the app, after the init steps", b.opts.Target, target.NativeSidecars.Since)
		spec.InitContainers = inits
		spec.Containers = append(apps, sidecars...)
		appNodes = append(appNodes, sidecarNodes...)
	}
	b.place(sn, "initContainers", initNodes)
	b.place(sn, "containers", appNodes)
	return spec, sn, nil
}

// place attaches the records of the containers of one pod spec list, in
// their order there.
func (b *builder) place(spec provenance.Node, field string, nodes []provenance.Node) {
	if len(nodes) == 0 {
		return
	}
	l := b.rec.Field(spec, field, provenance.Holder)
	for i, n := range nodes {
		b.rec.AttachIndex(n, l, i)
	}
}

// containerList compiles the containers of one intent list, each with its
// record, detached until the pod spec places it.
func (b *builder) containerList(field string, cs []*podcv1.Container) ([]corev1.Container, []provenance.Node, error) {
	var out []corev1.Container
	var nodes []provenance.Node
	lp := b.in(field)
	for i, c := range cs {
		ct, n, err := b.container(diag.Path(field).Index(i), b.rec.At(lp, i), c)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, ct)
		nodes = append(nodes, n)
	}
	return out, nodes, nil
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

// volumes compiles the declared volumes, in order, and records them under
// the pod spec at spec.
func (b *builder) volumes(spec provenance.Node) ([]corev1.Volume, error) {
	var out []corev1.Volume
	r := b.rec
	if len(b.wi.GetVolumes()) == 0 {
		return nil, nil
	}
	vp := b.in("volumes")
	list := b.put(spec, "volumes", vp)
	for i, v := range b.wi.GetVolumes() {
		p := diag.Path("volumes").Index(i)
		ip := r.At(vp, i)
		n := r.Index(list, i, provenance.FromIntent(ip))
		vol := corev1.Volume{Name: v.GetName()}
		b.put(n, "name", r.In(ip, "name"))
		switch {
		case v.GetScratch() != nil:
			s := v.GetScratch()
			sp := r.In(ip, "scratch")
			en := b.put(n, "emptyDir", sp)
			ed := &corev1.EmptyDirVolumeSource{}
			if s.GetMemory() {
				ed.Medium = corev1.StorageMediumMemory
				b.put(en, "medium", r.In(sp, "memory"))
			}
			if s.GetSizeLimit() != "" {
				q, err := intent.ParseQuantity(s.GetSizeLimit(), "memory")
				if err != nil {
					return nil, fmt.Errorf("compile %s: %w", p.Field("scratch").Field("sizeLimit"), err)
				}
				ed.SizeLimit = &q
				b.put(en, "sizeLimit", r.In(sp, "sizeLimit"))
			}
			vol.EmptyDir = ed
		case v.GetConfig() != nil:
			vol.ConfigMap = b.configVolume(p.Field("config"), n, r.In(ip, "config"), v.GetConfig())
		case v.GetSecret() != nil:
			vol.Secret = b.secretVolume(p.Field("secret"), n, r.In(ip, "secret"), v.GetSecret())
		case v.GetPersistent() != nil:
			pv := v.GetPersistent()
			pp := r.In(ip, "persistent")
			pn := b.put(n, "persistentVolumeClaim", pp)
			b.put(pn, "claimName", r.In(pp, "claimName"))
			b.putIf(pv.GetReadOnly(), pn, "readOnly", r.In(pp, "readOnly"))
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: pv.GetClaimName(), ReadOnly: pv.GetReadOnly()}
		case v.GetProjected() != nil:
			pv, err := b.projected(p.Field("projected"), n, r.In(ip, "projected"), v.GetProjected())
			if err != nil {
				return nil, err
			}
			vol.Projected = pv
		case v.GetDownwardApi() != nil:
			dv, err := b.downwardVolume(p.Field("downwardApi"), n, r.In(ip, "downwardApi"), v.GetDownwardApi())
			if err != nil {
				return nil, err
			}
			vol.DownwardAPI = dv
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
