package intent

import (
	"fmt"
	"sort"
	"strings"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// PortRange is the platform's node port range, inclusive.
type PortRange struct{ Min, Max int32 }

// DefaultNodePorts is the Kubernetes default node port range.
var DefaultNodePorts = PortRange{Min: 30000, Max: 32767}

// Contains reports whether p is inside the range.
func (r PortRange) Contains(p int32) bool { return p >= r.Min && p <= r.Max }

// String returns "30000-32767".
func (r PortRange) String() string { return fmt.Sprintf("%d-%d", r.Min, r.Max) }

// Options configure the structural checks.
type Options struct {
	// Target is the Kubernetes version the intent is compiled for; the zero
	// value means target.Default.
	Target target.Version
	// NodePorts is the platform's node port range; the zero value means
	// DefaultNodePorts.
	NodePorts PortRange
}

// Check runs every structural check on wi and returns every problem found,
// each a deny finding of stage diag.StageIntent with its intent field path.
// It never stops at the first problem and never panics on odd input: an
// intent that passes Check compiles into objects the kube-apiserver accepts.
// Check is safe for concurrent use.
func Check(wi *podcv1.WorkloadIntent, opts Options) []diag.Finding {
	if opts.Target == (target.Version{}) {
		opts.Target = target.Default
	}
	if opts.NodePorts == (PortRange{}) {
		opts.NodePorts = DefaultNodePorts
	}
	if wi == nil {
		wi = &podcv1.WorkloadIntent{}
	}
	c := &checker{opts: opts, wi: wi}
	c.metadata()
	c.exceptions()
	c.podAnnotations()
	c.workload()
	c.podSecurity()
	c.gracePeriod()
	c.rollout()
	c.scheduling()
	c.plumbing()
	c.podResources()
	vols := c.volumes()
	c.containers(vols)
	c.ports()
	c.services()
	c.autoscaling()
	c.protection()
	return c.fs
}

// checker collects the findings of one Check.
type checker struct {
	opts Options
	wi   *podcv1.WorkloadIntent
	fs   []diag.Finding
	refs []ref // all(wi), made on first use
}

// all returns every container of the pod with its path, as all does,
// made once per Check.
func (c *checker) all() []ref {
	if c.refs == nil {
		c.refs = all(c.wi)
	}
	return c.refs
}

// addf records a problem at path p.
func (c *checker) addf(p diag.Path, format string, args ...any) {
	c.fs = append(c.fs, diag.Denyf(diag.StageIntent, p.String(), format, args...))
}

// lazyAt is p as a lazyPath, the base of steps written out only for a
// finding (see lazyPath): the checks build paths on the stack while the
// intent is sound, and write one out only when they find a problem.
func lazyAt(p diag.Path) lazyPath { return lazyPath{field: string(p), index: -1} }

// msgsAt is addMsgs at lazy path p, written out only if there are msgs.
func (c *checker) msgsAt(p *lazyPath, what, value string, msgs []string) bool {
	if len(msgs) == 0 {
		return false
	}
	return c.addMsgs(p.path(), what, value, msgs)
}

// addMsgs records the messages of an apimachinery validation helper, if
// any, as one finding about value.
func (c *checker) addMsgs(p diag.Path, what, value string, msgs []string) bool {
	if len(msgs) == 0 {
		return false
	}
	c.addf(p, "%q is not a valid %s: %s", value, what, strings.Join(msgs, "; "))
	return true
}

// role is the part of the intent a container comes from.
type role int

const (
	roleInit role = iota
	roleApp
	roleSidecar
)

// ref is a container of the intent with its path.
type ref struct {
	c    *podcv1.Container
	path diag.Path
	role role
}

// all returns every container of the pod with its path: init steps, app
// containers, sidecars.
func all(wi *podcv1.WorkloadIntent) []ref {
	out := make([]ref, 0, len(wi.GetInitSteps())+len(wi.GetContainers())+len(wi.GetSidecars()))
	for i, c := range wi.GetInitSteps() {
		out = append(out, ref{c, diag.Path("initSteps").Index(i), roleInit})
	}
	for i, c := range wi.GetContainers() {
		out = append(out, ref{c, diag.Path("containers").Index(i), roleApp})
	}
	for i, c := range wi.GetSidecars() {
		out = append(out, ref{c, diag.Path("sidecars").Index(i), roleSidecar})
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// enumValid reports whether v is a value the enum declares.
func enumValid[E ~int32](v E, names map[int32]string) bool {
	_, ok := names[int32(v)]
	return ok
}
