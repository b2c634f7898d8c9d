package compile

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Written when the intent leaves them unset: the kube-apiserver's
// defaults.
const (
	// DefaultFileMode is a volume's files' permission bits, 0644.
	DefaultFileMode = 0o644
	// DefaultTokenExpirationSeconds is a projected token's lifetime.
	DefaultTokenExpirationSeconds = 3600
)

// fileMode writes a volume's defaultMode, DefaultFileMode when the intent
// leaves it unset (reported at p), recorded as field defaultMode of node n
// from the intent field mp.
func (b *builder) fileMode(p diag.Path, n provenance.Node, mp provenance.Path, m *int32) *int32 {
	v := int32(DefaultFileMode)
	if m != nil {
		v = *m
	} else {
		b.def(p, fmt.Sprint(v), "unset: the files are 0644 (rw-r--r--), the Kubernetes default")
	}
	b.rec.Field(n, "defaultMode", from(m != nil, mp))
	return &v
}

// configVolume compiles a ConfigMap volume at intent path p, recorded as
// field configMap of the volume's node n from the intent field cp.
func (b *builder) configVolume(p diag.Path, n provenance.Node, cp provenance.Path, c *podcv1.ConfigVolume) *corev1.ConfigMapVolumeSource {
	r := b.rec
	cn := b.put(n, "configMap", cp)
	b.putIf(c.GetName() != "", cn, "name", r.In(cp, "name"))
	b.putIf(c.GetOptional(), cn, "optional", r.In(cp, "optional"))
	return &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: c.GetName()},
		Optional:             optionalTrue(c.GetOptional()),
		Items:                b.keyItems(cn, r.In(cp, "items"), c.GetItems()),
		DefaultMode:          b.fileMode(p.Field("defaultMode"), cn, r.In(cp, "defaultMode"), c.DefaultMode),
	}
}

// secretVolume compiles a Secret volume at intent path p, recorded as
// field secret of the volume's node n from the intent field sp.
func (b *builder) secretVolume(p diag.Path, n provenance.Node, sp provenance.Path, s *podcv1.SecretVolume) *corev1.SecretVolumeSource {
	r := b.rec
	sn := b.put(n, "secret", sp)
	b.putIf(s.GetName() != "", sn, "secretName", r.In(sp, "name"))
	b.putIf(s.GetOptional(), sn, "optional", r.In(sp, "optional"))
	return &corev1.SecretVolumeSource{
		SecretName:  s.GetName(),
		Optional:    optionalTrue(s.GetOptional()),
		Items:       b.keyItems(sn, r.In(sp, "items"), s.GetItems()),
		DefaultMode: b.fileMode(p.Field("defaultMode"), sn, r.In(sp, "defaultMode"), s.DefaultMode),
	}
}

// keyItems compiles the keys put at paths, recorded as field items of
// node n from the intent list ip; nil when there are none.
func (b *builder) keyItems(n provenance.Node, ip provenance.Path, items []*podcv1.KeyToPath) []corev1.KeyToPath {
	if len(items) == 0 {
		return nil
	}
	r := b.rec
	list := b.put(n, "items", ip)
	out := make([]corev1.KeyToPath, 0, len(items))
	for i, it := range items {
		ep := r.At(ip, i)
		en := r.Index(list, i, provenance.FromIntent(ep))
		b.put(en, "key", r.In(ep, "key"))
		b.put(en, "path", r.In(ep, "path"))
		b.putIf(it.Mode != nil, en, "mode", r.In(ep, "mode"))
		out = append(out, corev1.KeyToPath{Key: it.GetKey(), Path: it.GetPath(), Mode: copyPtr(it.Mode)})
	}
	return out
}

// projected compiles a projected volume at intent path p, recorded as
// field projected of the volume's node n from the intent field pp.
func (b *builder) projected(p diag.Path, n provenance.Node, pp provenance.Path, v *podcv1.ProjectedVolume) (*corev1.ProjectedVolumeSource, error) {
	r := b.rec
	pn := b.put(n, "projected", pp)
	out := &corev1.ProjectedVolumeSource{DefaultMode: b.fileMode(p.Field("defaultMode"), pn, r.In(pp, "defaultMode"), v.DefaultMode)}
	if len(v.GetSources()) == 0 {
		return out, nil
	}
	sp := r.In(pp, "sources")
	list := b.put(pn, "sources", sp)
	for i, s := range v.GetSources() {
		ep := r.At(sp, i)
		en := r.Index(list, i, provenance.FromIntent(ep))
		var ps corev1.VolumeProjection
		switch src := s.GetSource().(type) {
		case *podcv1.ProjectedSource_ServiceAccountToken:
			ps.ServiceAccountToken = b.token(p.Field("sources").Index(i).Field("serviceAccountToken"), en, r.In(ep, "serviceAccountToken"), src.ServiceAccountToken)
		case *podcv1.ProjectedSource_Config:
			cp := r.In(ep, "config")
			cn := b.put(en, "configMap", cp)
			b.putIf(src.Config.GetName() != "", cn, "name", r.In(cp, "name"))
			b.putIf(src.Config.GetOptional(), cn, "optional", r.In(cp, "optional"))
			ps.ConfigMap = &corev1.ConfigMapProjection{
				LocalObjectReference: corev1.LocalObjectReference{Name: src.Config.GetName()},
				Items:                b.keyItems(cn, r.In(cp, "items"), src.Config.GetItems()),
				Optional:             optionalTrue(src.Config.GetOptional()),
			}
		case *podcv1.ProjectedSource_Secret:
			cp := r.In(ep, "secret")
			cn := b.put(en, "secret", cp)
			b.putIf(src.Secret.GetName() != "", cn, "name", r.In(cp, "name"))
			b.putIf(src.Secret.GetOptional(), cn, "optional", r.In(cp, "optional"))
			ps.Secret = &corev1.SecretProjection{
				LocalObjectReference: corev1.LocalObjectReference{Name: src.Secret.GetName()},
				Items:                b.keyItems(cn, r.In(cp, "items"), src.Secret.GetItems()),
				Optional:             optionalTrue(src.Secret.GetOptional()),
			}
		case *podcv1.ProjectedSource_DownwardApi:
			dp := r.In(ep, "downwardApi")
			dn := b.put(en, "downwardAPI", dp)
			items, err := b.downwardFiles(p.Field("sources").Index(i).Field("downwardApi").Field("items"), dn, r.In(dp, "items"), src.DownwardApi.GetItems())
			if err != nil {
				return nil, err
			}
			ps.DownwardAPI = &corev1.DownwardAPIProjection{Items: items}
		default:
			return nil, fmt.Errorf("compile %s: no projected source", p.Field("sources").Index(i))
		}
		out.Sources = append(out.Sources, ps)
	}
	return out, nil
}

// token compiles a service account token projection at intent path p,
// recorded as field serviceAccountToken of node n from the intent field
// tp; an unset expiration is written out.
func (b *builder) token(p diag.Path, n provenance.Node, tp provenance.Path, t *podcv1.ServiceAccountTokenProjection) *corev1.ServiceAccountTokenProjection {
	r := b.rec
	tn := b.put(n, "serviceAccountToken", tp)
	b.put(tn, "path", r.In(tp, "path"))
	b.putIf(t.GetAudience() != "", tn, "audience", r.In(tp, "audience"))
	exp := int64(DefaultTokenExpirationSeconds)
	if t.ExpirationSeconds != nil {
		exp = t.GetExpirationSeconds()
	} else {
		b.def(p.Field("expirationSeconds"), fmt.Sprint(exp), "unset: the token is valid for an hour, the Kubernetes default, and refreshed before it expires")
	}
	r.Field(tn, "expirationSeconds", from(t.ExpirationSeconds != nil, r.In(tp, "expirationSeconds")))
	return &corev1.ServiceAccountTokenProjection{Path: t.GetPath(), Audience: t.GetAudience(), ExpirationSeconds: &exp}
}

// downwardVolume compiles a downward API volume at intent path p, recorded
// as field downwardAPI of the volume's node n from the intent field dp.
func (b *builder) downwardVolume(p diag.Path, n provenance.Node, dp provenance.Path, v *podcv1.DownwardApiVolume) (*corev1.DownwardAPIVolumeSource, error) {
	dn := b.put(n, "downwardAPI", dp)
	items, err := b.downwardFiles(p.Field("items"), dn, b.rec.In(dp, "items"), v.GetItems())
	if err != nil {
		return nil, err
	}
	return &corev1.DownwardAPIVolumeSource{Items: items, DefaultMode: b.fileMode(p.Field("defaultMode"), dn, b.rec.In(dp, "defaultMode"), v.DefaultMode)}, nil
}

// downwardFiles compiles the files of a downward API volume or projection
// at intent path p, recorded as field items of node n from the intent
// list ip.
func (b *builder) downwardFiles(p diag.Path, n provenance.Node, ip provenance.Path, fs []*podcv1.DownwardApiFile) ([]corev1.DownwardAPIVolumeFile, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	r := b.rec
	list := b.put(n, "items", ip)
	out := make([]corev1.DownwardAPIVolumeFile, 0, len(fs))
	for i, f := range fs {
		ep := r.At(ip, i)
		en := r.Index(list, i, provenance.FromIntent(ep))
		b.put(en, "path", r.In(ep, "path"))
		b.putIf(f.Mode != nil, en, "mode", r.In(ep, "mode"))
		file := corev1.DownwardAPIVolumeFile{Path: f.GetPath(), Mode: copyPtr(f.Mode)}
		switch src := f.GetSource().(type) {
		case *podcv1.DownwardApiFile_Field:
			file.FieldRef = b.fieldRef(p.Index(i).Field("field"), en, r.In(ep, "field"), src.Field)
		case *podcv1.DownwardApiFile_Resource:
			rr, err := b.resourceFieldRef(p.Index(i).Field("resource"), en, r.In(ep, "resource"), src.Resource, "")
			if err != nil {
				return nil, err
			}
			file.ResourceFieldRef = rr
		default:
			return nil, fmt.Errorf("compile %s: no downward API source", p.Index(i))
		}
		out = append(out, file)
	}
	return out, nil
}

// fieldRef compiles a downward API field of the pod at intent path p,
// recorded as field fieldRef of node n from the intent field fp; its API
// version, v1, is written out.
func (b *builder) fieldRef(p diag.Path, n provenance.Node, fp provenance.Path, field string) *corev1.ObjectFieldSelector {
	fn := b.put(n, "fieldRef", fp)
	b.put(fn, "fieldPath", fp)
	b.rec.Field(fn, "apiVersion", provenance.CompilerDefault(fp))
	b.def(p, "apiVersion v1", "the field is read from the pod's v1 API, the Kubernetes default")
	return &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: field}
}

// resourceFieldRef compiles a reference to a container's request or limit
// at intent path p, recorded as field resourceFieldRef of node n from the
// intent field rp. In an environment variable, self is the container's
// own name, written out when the reference names none; "" in a volume.
func (b *builder) resourceFieldRef(p diag.Path, n provenance.Node, rp provenance.Path, ref *podcv1.ResourceRef, self string) (*corev1.ResourceFieldSelector, error) {
	r := b.rec
	rn := b.put(n, "resourceFieldRef", rp)
	out := &corev1.ResourceFieldSelector{ContainerName: ref.GetContainer(), Resource: ref.GetResource()}
	switch {
	case out.ContainerName != "":
		b.put(rn, "containerName", r.In(rp, "container"))
	case self != "":
		out.ContainerName = self
		r.Field(rn, "containerName", provenance.CompilerDefault(r.In(rp, "container")))
		b.def(p.Field("container"), self, "unset: the container's own resource")
	}
	b.put(rn, "resource", r.In(rp, "resource"))
	if d := ref.GetDivisor(); d != "" {
		q, err := resource.ParseQuantity(d)
		if err != nil {
			return nil, fmt.Errorf("compile %s: %w", p.Field("divisor"), err)
		}
		out.Divisor = q
		b.put(rn, "divisor", r.In(rp, "divisor"))
	}
	return out, nil
}

// tokenAccount writes the service account the pod's projected tokens are
// for when the intent names none: the namespace's "default", which the
// cluster's ServiceAccount admission would write before validating a Pod
// (and a Pod with a projected token and no service account is refused
// without it). It is recorded under the pod spec's node sn.
func (b *builder) tokenAccount(spec *corev1.PodSpec, sn provenance.Node) {
	if spec.ServiceAccountName != "" {
		return
	}
	for _, v := range spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ServiceAccountToken != nil {
				spec.ServiceAccountName = "default"
				b.rec.Field(sn, "serviceAccountName", provenance.CompilerDefault(b.in("serviceAccountName")))
				b.def("serviceAccountName", "default", "unset: the namespace's default service account, whose token a projected volume holds")
				return
			}
		}
	}
}
