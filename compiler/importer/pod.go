package importer

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// controller maps the kind of the workload and a Deployment's replicas
// and selector.
func (b *builder) controller() {
	w := b.objs.workload
	if w.pod != nil {
		b.wi.Controller = podcv1.Controller_CONTROLLER_POD
		return
	}
	d := w.deployment
	b.wi.Controller = podcv1.Controller_CONTROLLER_DEPLOYMENT
	spec := fieldPath{}.f("spec")
	if d.Spec.Replicas != nil {
		r := *d.Spec.Replicas
		b.wi.Replicas = &r
		b.use(w, spec.f("replicas"))
		b.record("replicas", w, spec.f("replicas"), false)
	}
	b.use(w, spec.f("selector").f("matchLabels"))
	b.use(w, spec.f("selector").f("matchExpressions"))
}

// selectorNotes say that podc selects the pods with its own labels instead
// of the Deployment's and the Services' selectors.
func (b *builder) selectorNotes() {
	w := b.objs.workload
	if d := w.deployment; d != nil && d.Spec.Selector != nil {
		b.selectorNote(w, fieldPath{}.f("spec").f("selector"), d.Spec.Selector.MatchLabels, len(d.Spec.Selector.MatchExpressions) > 0)
	}
	for _, s := range b.svcs {
		b.selectorNote(s.obj, fieldPath{}.f("spec").f("selector"), s.obj.service.Spec.Selector, false)
	}
}

// podSpec maps the pod-level fields, the volumes and the containers of
// the pod spec at sp.
func (b *builder) podSpec(w *object, sp fieldPath) {
	spec := w.spec()
	switch spec.RestartPolicy {
	case corev1.RestartPolicyOnFailure:
		b.wi.RestartPolicy = podcv1.RestartPolicy_RESTART_POLICY_ON_FAILURE
	case corev1.RestartPolicyNever:
		b.wi.RestartPolicy = podcv1.RestartPolicy_RESTART_POLICY_NEVER
	case corev1.RestartPolicyAlways:
		b.wi.RestartPolicy = podcv1.RestartPolicy_RESTART_POLICY_ALWAYS
	}
	if spec.RestartPolicy != "" {
		b.use(w, sp.f("restartPolicy"))
		b.record("restartPolicy", w, sp.f("restartPolicy"), true)
	}
	b.wi.HostNetwork = spec.HostNetwork
	b.wi.HostPid = spec.HostPID
	b.wi.HostIpc = spec.HostIPC
	for _, f := range []string{"hostNetwork", "hostPID", "hostIPC"} {
		b.use(w, sp.f(f))
	}
	b.record("hostPid", w, sp.f("hostPID"), true)
	b.record("shareProcessNamespace", w, sp.f("shareProcessNamespace"), true)
	if s := spec.ShareProcessNamespace; s != nil {
		if *s {
			b.wi.ShareProcessNamespace = true
			b.use(w, sp.f("shareProcessNamespace"))
		} else {
			b.lose(w, sp.f("shareProcessNamespace"), explicitFalse)
		}
	}
	if sa := spec.ServiceAccountName; sa != "" {
		b.wi.ServiceAccountName = sa
		b.use(w, sp.f("serviceAccountName"))
		b.record("serviceAccountName", w, sp.f("serviceAccountName"), true)
	}
	if spec.DeprecatedServiceAccount != "" && spec.DeprecatedServiceAccount == spec.ServiceAccountName {
		b.use(w, sp.f("serviceAccount")) // the apiserver keeps the two equal
	}
	vols := b.volumes(w, sp, spec.Volumes)
	b.containers(w, sp, spec, vols)
}

// explicitFalse is the reason an explicit false is lost where the intent
// writes nothing for false.
const explicitFalse = "an explicit false, which compile leaves unset (the same meaning)"

// spec is the workload's pod spec.
func (o *object) spec() *corev1.PodSpec {
	if o.pod != nil {
		return &o.pod.Spec
	}
	return &o.deployment.Spec.Template.Spec
}

// volumes maps the volumes the intent can declare (emptyDir, configMap,
// secret, persistentVolumeClaim) and returns their names; any other is
// lost whole, with the mounts of it.
func (b *builder) volumes(w *object, sp fieldPath, vs []corev1.Volume) map[string]bool {
	names := map[string]bool{}
	for i, v := range vs {
		p := sp.f("volumes").i(i)
		if b.dropped(w, p) {
			continue
		}
		out := &podcv1.Volume{Name: v.Name}
		src := v.VolumeSource
		switch {
		case src.EmptyDir != nil:
			ed := src.EmptyDir
			s := &podcv1.ScratchVolume{}
			ep := p.f("emptyDir")
			b.use(w, ep.f("medium"))
			switch ed.Medium {
			case corev1.StorageMediumMemory:
				s.Memory = true
			case corev1.StorageMediumDefault:
			default:
				b.lose(w, ep.f("medium"), "the intent's scratch volumes are on the node's disk or in memory")
			}
			if ed.SizeLimit != nil && !b.dropped(w, ep.f("sizeLimit")) {
				s.SizeLimit = ed.SizeLimit.String()
				b.use(w, ep.f("sizeLimit"))
				b.record(diag.Path("volumes").Index(len(b.wi.Volumes)).Field("scratch").Field("sizeLimit"), w, ep.f("sizeLimit"), false)
			}
			out.Source = &podcv1.Volume_Scratch{Scratch: s}
		case src.ConfigMap != nil:
			cm := src.ConfigMap
			cp := p.f("configMap")
			b.use(w, cp.f("name"))
			c := &podcv1.ConfigVolume{Name: cm.Name}
			b.optional(w, cp.f("optional"), cm.Optional, &c.Optional)
			out.Source = &podcv1.Volume_Config{Config: c}
			b.why(w, cp.f("items"), notRead)
		case src.Secret != nil:
			sec := src.Secret
			cp := p.f("secret")
			b.use(w, cp.f("secretName"))
			s := &podcv1.SecretVolume{Name: sec.SecretName}
			b.optional(w, cp.f("optional"), sec.Optional, &s.Optional)
			out.Source = &podcv1.Volume_Secret{Secret: s}
			b.why(w, cp.f("items"), notRead)
		case src.PersistentVolumeClaim != nil:
			pvc := src.PersistentVolumeClaim
			b.use(w, p.f("persistentVolumeClaim").f("claimName"))
			b.use(w, p.f("persistentVolumeClaim").f("readOnly"))
			out.Source = &podcv1.Volume_Persistent{Persistent: &podcv1.PersistentVolume{ClaimName: pvc.ClaimName, ReadOnly: pvc.ReadOnly}}
		default:
			b.why(w, p, "a volume of a kind podc import does not read: it reads emptyDir, configMap, secret and persistentVolumeClaim volumes")
			continue
		}
		b.use(w, p.f("name"))
		b.record(diag.Path("volumes").Index(len(b.wi.Volumes)), w, p, false)
		b.wi.Volumes = append(b.wi.Volumes, out)
		names[v.Name] = true
	}
	return names
}

// optional maps an optional flag: true is said by the intent, an explicit
// false is lost (compile leaves it unset).
func (b *builder) optional(o *object, p fieldPath, v *bool, into *bool) {
	switch {
	case v == nil:
	case *v:
		*into = true
		b.use(o, p)
	default:
		b.lose(o, p, explicitFalse)
	}
}
