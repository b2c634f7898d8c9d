package randintent

import (
	"fmt"

	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// fileMode returns a permission mode now and then, nil otherwise.
func (b *builder) fileMode() *int32 {
	if !b.chance(0.3) {
		return nil
	}
	m := int32(pick(b, 0, 0o400, 0o440, 0o644, 0o755, 0o777))
	return &m
}

// keyItems returns 0-2 keys at distinct paths, recorded in paths.
func (b *builder) keyItems(paths map[string]bool) []*podcv1.KeyToPath {
	var out []*podcv1.KeyToPath
	for range b.between(0, 2) {
		out = append(out, &podcv1.KeyToPath{
			Key:  b.from(anyAlnum+"-_", 1) + b.from(anyAlnum+"-_.", b.between(0, 8)),
			Path: unique(paths, b.volumeFilePath),
			Mode: b.fileMode(),
		})
	}
	return out
}

// volumeFilePath returns a relative path inside a volume.
func (b *builder) volumeFilePath() string {
	p := b.dnsLabel(1, 10)
	if b.chance(0.3) {
		p += "/" + b.dnsLabel(1, 10) + pick(b, "", ".yaml", ".pem")
	}
	return p
}

// downwardFiles returns 1-3 files of pod fields and container resources at
// distinct paths; the resources' containers are named once the pod's
// containers are known (namedRefs).
func (b *builder) downwardFiles(paths map[string]bool) []*podcv1.DownwardApiFile {
	var out []*podcv1.DownwardApiFile
	for range b.between(1, 3) {
		f := &podcv1.DownwardApiFile{Path: unique(paths, b.volumeFilePath), Mode: b.fileMode()}
		if b.chance(0.6) {
			field := pick(b, "metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels", "metadata.annotations")
			if b.chance(0.3) {
				field = fmt.Sprintf("%s['%s']", pick(b, "metadata.labels", "metadata.annotations"), b.labelKey())
			}
			f.Source = &podcv1.DownwardApiFile_Field{Field: field}
		} else {
			f.Source = &podcv1.DownwardApiFile_Resource{Resource: b.resourceRef()}
		}
		out = append(out, f)
	}
	return out
}

// resourceRef returns a reference to a resource with a divisor that fits
// it; its container is named later, by nameRefs.
func (b *builder) resourceRef() *podcv1.ResourceRef {
	res := pick(b, "requests", "limits") + "." + pick(b, "cpu", "memory", "ephemeral-storage", "hugepages-2Mi")
	r := &podcv1.ResourceRef{Resource: res}
	if b.chance(0.5) {
		if res == "requests.cpu" || res == "limits.cpu" {
			r.Divisor = pick(b, "1m", "1", "1000m")
		} else {
			r.Divisor = pick(b, "1", "1k", "1Mi", "1Gi", "1M")
		}
	}
	b.refs = append(b.refs, r)
	return r
}

// nameRefs names the container of every resource reference made so far:
// one of the pod's.
func (b *builder) nameRefs() {
	var names []string
	for _, cs := range [][]*podcv1.Container{b.wi.InitSteps, b.wi.Containers, b.wi.Sidecars} {
		for _, c := range cs {
			names = append(names, c.Name)
		}
	}
	for _, r := range b.refs {
		r.Container = pick(b, names...)
	}
}

// projected returns a projected volume of 1-4 sources of every kind.
func (b *builder) projected() *podcv1.ProjectedVolume {
	paths := map[string]bool{}
	v := &podcv1.ProjectedVolume{DefaultMode: b.fileMode()}
	for range b.between(1, 4) {
		s := &podcv1.ProjectedSource{}
		switch b.r.Intn(4) {
		case 0:
			t := &podcv1.ServiceAccountTokenProjection{Path: unique(paths, b.volumeFilePath)}
			if b.chance(0.5) {
				t.Audience = pick(b, "vault", "https://sts.example.com", "api")
			}
			if b.chance(0.5) {
				e := int64(pick(b, 600, 3600, 86400, 1<<32))
				t.ExpirationSeconds = &e
			}
			s.Source = &podcv1.ProjectedSource_ServiceAccountToken{ServiceAccountToken: t}
		case 1:
			s.Source = &podcv1.ProjectedSource_Config{Config: &podcv1.ConfigProjection{Name: b.dnsSubdomain(), Items: b.keyItems(paths), Optional: b.chance(0.3)}}
		case 2:
			s.Source = &podcv1.ProjectedSource_Secret{Secret: &podcv1.SecretProjection{Name: b.dnsSubdomain(), Items: b.keyItems(paths), Optional: b.chance(0.3)}}
		case 3:
			s.Source = &podcv1.ProjectedSource_DownwardApi{DownwardApi: &podcv1.DownwardApiProjection{Items: b.downwardFiles(paths)}}
		}
		v.Sources = append(v.Sources, s)
	}
	return v
}

// envField returns a pod field an environment variable may hold on the
// target.
func (b *builder) envField() string {
	fields := []string{"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
		"status.hostIP", "status.podIP", "status.podIPs", "metadata.labels['team']", "metadata.annotations['example.com/Note']"}
	if b.opts.Target.Has(target.HostIPs) {
		fields = append(fields, "status.hostIPs")
	}
	return pick(b, fields...)
}
