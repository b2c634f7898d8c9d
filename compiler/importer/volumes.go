package importer

import (
	"fmt"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// volumeKinds names the volume sources the intent declares.
const volumeKinds = "emptyDir, configMap, secret, persistentVolumeClaim, projected and downwardAPI"

// volumes maps the volumes the intent can declare and returns their
// names; any other is lost whole, with the mounts of it.
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
		case src.EmptyDir != nil || reflect.ValueOf(src).IsZero():
			// A volume without a source is an emptyDir: the apiserver
			// defaults it so.
			out.Source = &podcv1.Volume_Scratch{Scratch: b.scratch(w, p.f("emptyDir"), src.EmptyDir)}
		case src.ConfigMap != nil:
			cm := src.ConfigMap
			cp := p.f("configMap")
			b.use(w, cp.f("name"))
			c := &podcv1.ConfigVolume{Name: cm.Name, Items: b.keyItems(w, cp.f("items"), cm.Items)}
			b.optional(w, cp.f("optional"), cm.Optional, &c.Optional)
			b.fileMode(w, cp.f("defaultMode"), cm.DefaultMode, &c.DefaultMode)
			out.Source = &podcv1.Volume_Config{Config: c}
		case src.Secret != nil:
			sec := src.Secret
			cp := p.f("secret")
			b.use(w, cp.f("secretName"))
			s := &podcv1.SecretVolume{Name: sec.SecretName, Items: b.keyItems(w, cp.f("items"), sec.Items)}
			b.optional(w, cp.f("optional"), sec.Optional, &s.Optional)
			b.fileMode(w, cp.f("defaultMode"), sec.DefaultMode, &s.DefaultMode)
			out.Source = &podcv1.Volume_Secret{Secret: s}
		case src.PersistentVolumeClaim != nil:
			pvc := src.PersistentVolumeClaim
			b.use(w, p.f("persistentVolumeClaim").f("claimName"))
			b.use(w, p.f("persistentVolumeClaim").f("readOnly"))
			out.Source = &podcv1.Volume_Persistent{Persistent: &podcv1.PersistentVolume{ClaimName: pvc.ClaimName, ReadOnly: pvc.ReadOnly}}
		case src.Projected != nil:
			out.Source = &podcv1.Volume_Projected{Projected: b.projected(w, p.f("projected"), src.Projected)}
		case src.DownwardAPI != nil:
			dp := p.f("downwardAPI")
			d := &podcv1.DownwardApiVolume{Items: b.downwardFiles(w, dp.f("items"), src.DownwardAPI.Items)}
			b.fileMode(w, dp.f("defaultMode"), src.DownwardAPI.DefaultMode, &d.DefaultMode)
			out.Source = &podcv1.Volume_DownwardApi{DownwardApi: d}
		default:
			b.why(w, p, fmt.Sprintf("a %s volume: the intent declares %s volumes", sourceKind(src), volumeKinds))
			continue
		}
		b.use(w, p.f("name"))
		b.record(diag.Path("volumes").Index(len(b.wi.Volumes)), w, p, false)
		b.wi.Volumes = append(b.wi.Volumes, out)
		names[v.Name] = true
	}
	return names
}

// sourceKind names the source a volume has, by its field in the
// Kubernetes API ("hostPath").
func sourceKind(src corev1.VolumeSource) string {
	v := reflect.ValueOf(src)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			return name
		}
	}
	return "sourceless"
}

// scratch maps an emptyDir at p, nil when the volume has no source.
func (b *builder) scratch(w *object, p fieldPath, ed *corev1.EmptyDirVolumeSource) *podcv1.ScratchVolume {
	s := &podcv1.ScratchVolume{}
	if ed == nil {
		return s
	}
	b.use(w, p.f("medium"))
	switch ed.Medium {
	case corev1.StorageMediumMemory:
		s.Memory = true
	case corev1.StorageMediumDefault:
	default:
		b.lose(w, p.f("medium"), "the intent's scratch volumes are on the node's disk or in memory")
	}
	if ed.SizeLimit != nil && !b.dropped(w, p.f("sizeLimit")) {
		s.SizeLimit = ed.SizeLimit.String()
		b.use(w, p.f("sizeLimit"))
		b.record(diag.Path("volumes").Index(len(b.wi.Volumes)).Field("scratch").Field("sizeLimit"), w, p.f("sizeLimit"), false)
	}
	return s
}

// fileMode maps a volume's defaultMode at p: 0644, which compile writes
// when it is unset, is left out.
func (b *builder) fileMode(o *object, p fieldPath, m *int32, into **int32) {
	if m == nil {
		return
	}
	b.use(o, p)
	if *m != compile.DefaultFileMode {
		v := *m
		*into = &v
	}
}

// keyItems maps the keys of a ConfigMap or Secret put at paths, the list
// at p.
func (b *builder) keyItems(o *object, p fieldPath, items []corev1.KeyToPath) []*podcv1.KeyToPath {
	var out []*podcv1.KeyToPath
	for i, it := range items {
		ip := p.i(i)
		for _, f := range []string{"key", "path", "mode"} {
			b.use(o, ip.f(f))
		}
		out = append(out, &podcv1.KeyToPath{Key: it.Key, Path: it.Path, Mode: copyPtr(it.Mode)})
	}
	return out
}

// projected maps a projected volume at p: its sources the intent has, and
// its defaultMode.
func (b *builder) projected(o *object, p fieldPath, pv *corev1.ProjectedVolumeSource) *podcv1.ProjectedVolume {
	out := &podcv1.ProjectedVolume{}
	b.fileMode(o, p.f("defaultMode"), pv.DefaultMode, &out.DefaultMode)
	for i, s := range pv.Sources {
		sp := p.f("sources").i(i)
		var src podcv1.ProjectedSource
		switch {
		case s.ServiceAccountToken != nil:
			t := s.ServiceAccountToken
			tp := sp.f("serviceAccountToken")
			tok := &podcv1.ServiceAccountTokenProjection{Path: t.Path, Audience: t.Audience}
			if e := t.ExpirationSeconds; e != nil && *e != compile.DefaultTokenExpirationSeconds {
				v := *e
				tok.ExpirationSeconds = &v
			}
			for _, f := range []string{"path", "audience", "expirationSeconds"} {
				b.use(o, tp.f(f))
			}
			src.Source = &podcv1.ProjectedSource_ServiceAccountToken{ServiceAccountToken: tok}
		case s.ConfigMap != nil:
			cp := sp.f("configMap")
			c := &podcv1.ConfigProjection{Name: s.ConfigMap.Name, Items: b.keyItems(o, cp.f("items"), s.ConfigMap.Items)}
			b.use(o, cp.f("name"))
			b.optional(o, cp.f("optional"), s.ConfigMap.Optional, &c.Optional)
			src.Source = &podcv1.ProjectedSource_Config{Config: c}
		case s.Secret != nil:
			cp := sp.f("secret")
			c := &podcv1.SecretProjection{Name: s.Secret.Name, Items: b.keyItems(o, cp.f("items"), s.Secret.Items)}
			b.use(o, cp.f("name"))
			b.optional(o, cp.f("optional"), s.Secret.Optional, &c.Optional)
			src.Source = &podcv1.ProjectedSource_Secret{Secret: c}
		case s.DownwardAPI != nil:
			src.Source = &podcv1.ProjectedSource_DownwardApi{DownwardApi: &podcv1.DownwardApiProjection{
				Items: b.downwardFiles(o, sp.f("downwardAPI").f("items"), s.DownwardAPI.Items),
			}}
		default:
			b.why(o, sp, "the intent's projected sources are serviceAccountToken, configMap, secret and downwardAPI")
			continue
		}
		out.Sources = append(out.Sources, &src)
	}
	return out
}

// downwardFiles maps the files of a downward API volume or projection,
// the list at p.
func (b *builder) downwardFiles(o *object, p fieldPath, files []corev1.DownwardAPIVolumeFile) []*podcv1.DownwardApiFile {
	var out []*podcv1.DownwardApiFile
	for i, f := range files {
		fp := p.i(i)
		file := &podcv1.DownwardApiFile{Path: f.Path, Mode: copyPtr(f.Mode)}
		switch {
		case f.FieldRef != nil && f.ResourceFieldRef == nil:
			file.Source = &podcv1.DownwardApiFile_Field{Field: f.FieldRef.FieldPath}
			b.fieldRef(o, fp.f("fieldRef"), f.FieldRef)
		case f.ResourceFieldRef != nil && f.FieldRef == nil:
			r := f.ResourceFieldRef
			file.Source = &podcv1.DownwardApiFile_Resource{Resource: &podcv1.ResourceRef{Container: r.ContainerName, Resource: r.Resource, Divisor: divisor(r.Divisor)}}
			for _, k := range []string{"containerName", "resource", "divisor"} {
				b.use(o, fp.f("resourceFieldRef").f(k))
			}
		default:
			b.why(o, fp, "a file of the downward API holds a field of the pod or a resource of a container, one of them")
			continue
		}
		b.use(o, fp.f("path"))
		b.use(o, fp.f("mode"))
		out = append(out, file)
	}
	return out
}

// fieldRef accounts for a downward API field of the pod at p: the intent
// reads fields of the v1 API, which is what an unset apiVersion means.
func (b *builder) fieldRef(o *object, p fieldPath, f *corev1.ObjectFieldSelector) {
	b.use(o, p.f("fieldPath"))
	if f.APIVersion == "" || f.APIVersion == "v1" {
		b.use(o, p.f("apiVersion"))
		return
	}
	b.why(o, p.f("apiVersion"), "the intent reads fields of the pod's v1 API")
}

// divisor is the divisor of a resource reference as the intent writes it:
// empty for none.
func divisor(q resource.Quantity) string {
	if q.IsZero() {
		return ""
	}
	return q.String()
}

// copyPtr returns a copy of *p, or nil.
func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// tokenAccount loses the service account compile writes for a pod whose
// projected volume holds a service account token but that names no
// service account: the namespace's default.
func (b *builder) tokenAccount(w *object, sp fieldPath, spec *corev1.PodSpec) {
	if spec.ServiceAccountName != "" || spec.DeprecatedServiceAccount != "" {
		return
	}
	for _, v := range b.wi.GetVolumes() {
		for _, s := range v.GetProjected().GetSources() {
			if s.GetServiceAccountToken() != nil {
				b.lose(w, sp.f("serviceAccountName"), "unset, but compile names the namespace's default service account, whose token a projected volume holds (the cluster's admission names it for each pod it creates)")
				return
			}
		}
	}
}
