package intent

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/kubernetes/pkg/fieldpath"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// The pod fields the downward API gives, as the kube-apiserver lists them:
// in volume files, and in environment variables.
var (
	volumePodFields = []string{"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"}
	envPodFields    = []string{"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
		"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"}
)

// The resources the downward API gives, and the divisors each takes.
var (
	downwardResources = []string{"limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"}
	cpuDivisors       = []string{"1m", "1"}
	byteDivisors      = []string{"1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"}
)

// podField checks a downward API field of the pod: one of fields, or one
// label or annotation ("metadata.labels['team']"). It returns the field
// without its subscript, "" when it is refused.
func (c *checker) podField(p diag.Path, s string, fields []string) string {
	if s == "" {
		c.addf(p, "required: a field of the pod, one of %s", strings.Join(fields, ", "))
		return ""
	}
	if path, key, ok := fieldpath.SplitMaybeSubscriptedPath(s); ok {
		switch path {
		case "metadata.labels":
			if c.addMsgs(p, "label key", key, validation.IsQualifiedName(key)) {
				return ""
			}
		case "metadata.annotations":
			if c.addMsgs(p, "annotation key", key, validation.IsQualifiedName(strings.ToLower(key))) {
				return ""
			}
		default:
			c.addf(p, "%q: only metadata.labels and metadata.annotations take a key in brackets", s)
			return ""
		}
		return path
	}
	for _, f := range fields {
		if s == f {
			return s
		}
	}
	c.addf(p, "%q is not a field the downward API gives here: want one of %s, or metadata.labels['<key>'] or metadata.annotations['<key>']", s, strings.Join(fields, ", "))
	return ""
}

// resourceRef checks a reference to a container's request or limit. In a
// volume the container must be named; anywhere a named container must be
// one of the pod's.
func (c *checker) resourceRef(p diag.Path, r *podcv1.ResourceRef, volume bool) {
	switch name := r.GetContainer(); {
	case name == "" && volume:
		c.addf(p.Field("container"), "required: the name of the container whose resource the file holds")
	case name != "" && !c.hasContainer(name):
		c.addf(p.Field("container"), "no container named %q in the pod", name)
	}
	res := r.GetResource()
	hugepages := strings.HasPrefix(res, "requests.hugepages-") || strings.HasPrefix(res, "limits.hugepages-")
	known := hugepages
	for _, d := range downwardResources {
		known = known || res == d
	}
	switch {
	case res == "":
		c.addf(p.Field("resource"), "required: one of %s, or requests.hugepages-<size> or limits.hugepages-<size>", strings.Join(downwardResources, ", "))
		return
	case !known:
		c.addf(p.Field("resource"), "%q is not a resource the downward API gives: want one of %s, or requests.hugepages-<size> or limits.hugepages-<size>", res, strings.Join(downwardResources, ", "))
		return
	}
	d := r.GetDivisor()
	if d == "" {
		return
	}
	q, err := resource.ParseQuantity(d)
	if err != nil {
		c.addf(p.Field("divisor"), "%q is not a quantity", d)
		return
	}
	allowed := byteDivisors
	if strings.HasSuffix(res, ".cpu") {
		allowed = cpuDivisors
	}
	for _, a := range allowed {
		if q.String() == a {
			return
		}
	}
	c.addf(p.Field("divisor"), "%q is not a divisor of %s: want one of %s", d, res, strings.Join(allowed, ", "))
}

// envField checks a downward API field of an environment variable, and
// that the target has it.
func (c *checker) envField(p diag.Path, s string) {
	if c.podField(p, s, envPodFields) == "status.hostIPs" && !c.opts.Target.Has(target.HostIPs) {
		c.addf(p, "status.hostIPs needs Kubernetes 1.%d or newer; the target is %s: use status.hostIP", target.HostIPs.Since, c.opts.Target)
	}
}

// hasContainer reports whether the pod has a container called name.
func (c *checker) hasContainer(name string) bool {
	for _, r := range c.all() {
		if r.c.GetName() == name {
			return true
		}
	}
	return false
}

// downwardFile checks one file of a downward API volume or projection;
// paths holds the volume's file paths so far.
func (c *checker) downwardFile(p diag.Path, f *podcv1.DownwardApiFile, paths map[string]diag.Path) {
	if f == nil {
		f = &podcv1.DownwardApiFile{}
	}
	c.volumePath(p.Field("path"), f.GetPath(), paths)
	switch s := f.GetSource().(type) {
	case *podcv1.DownwardApiFile_Field:
		c.podField(p.Field("field"), s.Field, volumePodFields)
	case *podcv1.DownwardApiFile_Resource:
		c.resourceRef(p.Field("resource"), s.Resource, true)
	default:
		c.addf(p, "exactly one source is required: field or resource")
	}
	c.fileMode(p.Field("mode"), f.Mode)
}

// downwardFiles checks the files of a downward API volume or projection:
// at least one.
func (c *checker) downwardFiles(p diag.Path, fs []*podcv1.DownwardApiFile, paths map[string]diag.Path) {
	if len(fs) == 0 {
		c.addf(p, "at least one file is required")
	}
	for i, f := range fs {
		c.downwardFile(p.Index(i), f, paths)
	}
}

// fileMode checks a file's permission bits: 0 to 0777.
func (c *checker) fileMode(p diag.Path, m *int32) {
	if m != nil && (*m < 0 || *m > 0o777) {
		c.addf(p, "%d is not a file mode: want 0-511 (0-0777 in octal; 420 is 0644)", *m)
	}
}

// volumePath checks a file's path inside a volume: required, relative,
// without "..", unique in the volume (paths).
func (c *checker) volumePath(p diag.Path, s string, paths map[string]diag.Path) {
	switch {
	case s == "":
		c.addf(p, "required: the file's path inside the volume")
		return
	case strings.HasPrefix(s, "/"):
		c.addf(p, "%q must be a relative path inside the volume", s)
		return
	case hasDotDot(s) || strings.HasPrefix(s, ".."):
		c.addf(p, "%q must not contain or start with '..'", s)
		return
	}
	if prev, dup := paths[s]; dup {
		c.addf(p, "duplicate path %q: also used at %s", s, prev)
		return
	}
	paths[s] = p
}

// keyItems checks the keys of a ConfigMap or Secret put at paths of a
// volume.
func (c *checker) keyItems(p diag.Path, kind string, items []*podcv1.KeyToPath, paths map[string]diag.Path) {
	for i, it := range items {
		ip := p.Index(i)
		if it == nil {
			it = &podcv1.KeyToPath{}
		}
		if it.GetKey() == "" {
			c.addf(ip.Field("key"), "required: the key inside the %s", kind)
		} else {
			c.addMsgs(ip.Field("key"), kind+" key", it.GetKey(), validation.IsConfigMapKey(it.GetKey()))
		}
		c.volumePath(ip.Field("path"), it.GetPath(), paths)
		c.fileMode(ip.Field("mode"), it.Mode)
	}
}

// projected checks a projected volume: at least one source, each exactly
// one kind, every path unique across them.
func (c *checker) projected(p diag.Path, v *podcv1.ProjectedVolume) {
	paths := map[string]diag.Path{}
	if len(v.GetSources()) == 0 {
		c.addf(p.Field("sources"), "at least one source is required")
	}
	for i, s := range v.GetSources() {
		sp := p.Field("sources").Index(i)
		switch src := s.GetSource().(type) {
		case *podcv1.ProjectedSource_ServiceAccountToken:
			t := src.ServiceAccountToken
			if t == nil {
				t = &podcv1.ServiceAccountTokenProjection{}
			}
			tp := sp.Field("serviceAccountToken")
			c.volumePath(tp.Field("path"), t.GetPath(), paths)
			if e := t.ExpirationSeconds; e != nil && (*e < 600 || *e > 1<<32) {
				c.addf(tp.Field("expirationSeconds"), "%d: want 600 (10 minutes) to %d seconds", *e, int64(1)<<32)
			}
		case *podcv1.ProjectedSource_Config:
			cp := sp.Field("config")
			c.objectName(cp.Field("name"), "ConfigMap", src.Config.GetName())
			c.keyItems(cp.Field("items"), "ConfigMap", src.Config.GetItems(), paths)
		case *podcv1.ProjectedSource_Secret:
			cp := sp.Field("secret")
			c.objectName(cp.Field("name"), "Secret", src.Secret.GetName())
			c.keyItems(cp.Field("items"), "Secret", src.Secret.GetItems(), paths)
		case *podcv1.ProjectedSource_DownwardApi:
			c.downwardFiles(sp.Field("downwardApi").Field("items"), src.DownwardApi.GetItems(), paths)
		default:
			c.addf(sp, "exactly one source is required: serviceAccountToken, config, secret or downwardApi")
		}
	}
	c.fileMode(p.Field("defaultMode"), v.DefaultMode)
}
