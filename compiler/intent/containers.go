package intent

import (
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// containers checks every container of the pod: init steps, app containers
// and sidecars.
func (c *checker) containers(vols map[string]bool) {
	seen := map[string]diag.Path{}
	for _, r := range c.all() {
		ct, p := r.c, r.path
		lp := lazyAt(p)
		np := lp.Field("name")
		name := ct.GetName()
		switch {
		case name == "":
			c.addf(p.Field("name"), "required: a DNS-1123 label, unique in the pod")
		case c.msgsAt(&np, "container name", name, content.IsDNS1123Label(name)):
		default:
			if prev, dup := seen[name]; dup {
				c.addf(p.Field("name"), "duplicate container name %q: also used at %s (names are unique across init steps, containers and sidecars)", name, prev)
			} else {
				seen[name] = p
			}
		}
		if _, err := ParseImage(ct.GetImage()); err != nil {
			c.addf(p.Field("image"), "%v", err)
		}
		if !enumValid(ct.GetPullPolicy(), podcv1.PullPolicy_name) {
			c.addf(p.Field("pullPolicy"), "unknown pull policy %d: want PULL_POLICY_ALWAYS, PULL_POLICY_IF_NOT_PRESENT or PULL_POLICY_NEVER", ct.GetPullPolicy())
		}
		if wd := ct.GetWorkingDir(); wd != "" && !path.IsAbs(wd) {
			c.addf(p.Field("workingDir"), "%q must be an absolute path", wd)
		}
		c.env(lp, ct)
		c.mounts(lp, ct, vols)
		c.resources(lp.Field("resources"), ct.GetResources())
		c.probes(r)
		c.security(lp.Field("securityContext"), ct.GetSecurityContext())
		c.rootConflicts(r)
		c.lifecycle(r)
		if ct.GetTty() && !ct.GetStdin() {
			c.addf(p.Field("tty"), "needs stdin: a terminal without standard input cannot be typed into")
		}
		if ct.GetStdinOnce() && !ct.GetStdin() {
			c.addf(p.Field("stdinOnce"), "needs stdin: it says when standard input closes")
		}
	}
}

// env checks env and envFrom.
func (c *checker) env(lp lazyPath, ct *podcv1.Container) {
	seen := map[string]int{}
	for i, e := range ct.GetEnv() {
		el := lp.Item("env", i)
		np := el.Field("name")
		name := e.GetName()
		switch {
		case name == "":
			c.addf(el.path().Field("name"), "required")
		case c.msgsAt(&np, "environment variable name", name, validation.IsEnvVarName(name)):
		default:
			if j, dup := seen[name]; dup {
				c.addf(el.path().Field("name"), "duplicate environment variable %q: also set at env[%d]", name, j)
			} else {
				seen[name] = i
			}
		}
		switch src := e.GetSource().(type) {
		case *podcv1.EnvVar_ConfigMapKey:
			c.keyRef(el.path().Field("configMapKey"), "ConfigMap", src.ConfigMapKey)
		case *podcv1.EnvVar_SecretKey:
			c.keyRef(el.path().Field("secretKey"), "Secret", src.SecretKey)
		case *podcv1.EnvVar_Field:
			c.envField(el.path().Field("field"), src.Field)
		case *podcv1.EnvVar_Resource:
			c.resourceRef(el.path().Field("resource"), src.Resource, false)
		}
	}
	p := diag.Path("")
	if len(ct.GetEnvFrom()) > 0 {
		p = lp.path()
	}
	for i, e := range ct.GetEnvFrom() {
		ep := p.Field("envFrom").Index(i)
		switch src := e.GetSource().(type) {
		case *podcv1.EnvFrom_ConfigMap:
			c.objectName(ep.Field("configMap"), "ConfigMap", src.ConfigMap)
		case *podcv1.EnvFrom_Secret:
			c.objectName(ep.Field("secret"), "Secret", src.Secret)
		default:
			c.addf(ep, "exactly one source is required: configMap or secret")
		}
		if pre := e.GetPrefix(); pre != "" {
			c.addMsgs(ep.Field("prefix"), "environment variable prefix", pre, validation.IsEnvVarName(pre))
		}
	}
}

// keyRef checks a reference to one key of a ConfigMap or Secret.
func (c *checker) keyRef(p diag.Path, kind string, r *podcv1.KeyRef) {
	c.objectName(p.Field("name"), kind, r.GetName())
	if r.GetKey() == "" {
		c.addf(p.Field("key"), "required: the key inside the %s", kind)
		return
	}
	c.addMsgs(p.Field("key"), kind+" key", r.GetKey(), validation.IsConfigMapKey(r.GetKey()))
}

// mounts checks a container's volume mounts.
func (c *checker) mounts(lp lazyPath, ct *podcv1.Container, vols map[string]bool) {
	paths := map[string]int{}
	for i, m := range ct.GetMounts() {
		ml := lp.Item("mounts", i)
		switch v := m.GetVolume(); {
		case v == "":
			c.addf(ml.path().Field("volume"), "required: the name of a volume declared in volumes")
		case !vols[v]:
			c.addf(ml.path().Field("volume"), "no volume named %q: declare it in volumes", v)
		}
		switch dir := m.GetPath(); {
		case dir == "":
			c.addf(ml.path().Field("path"), "required: an absolute path inside the container")
		case !path.IsAbs(dir):
			c.addf(ml.path().Field("path"), "%q must be an absolute path", dir)
		default:
			clean := path.Clean(dir)
			if j, dup := paths[clean]; dup {
				c.addf(ml.path().Field("path"), "duplicate mount path %q: mounts[%d] of this container already mounts there", dir, j)
			} else {
				paths[clean] = i
			}
		}
		if sp := m.GetSubPath(); sp != "" {
			if path.IsAbs(sp) || strings.HasPrefix(sp, `\`) {
				c.addf(ml.path().Field("subPath"), "%q must be a relative path inside the volume", sp)
			} else if hasDotDot(sp) {
				c.addf(ml.path().Field("subPath"), "%q must not contain '..'", sp)
			}
		}
	}
}

// hasDotDot reports whether a path has a ".." element, with either slash.
func hasDotDot(p string) bool {
	for _, e := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if e == ".." {
			return true
		}
	}
	return false
}
