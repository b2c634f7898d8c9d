package intent

import (
	"fmt"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// DefaultCPUUtilization is the average cpu use, as a percentage of the
// pods' cpu requests, that an autoscaler with no target keeps: the
// kube-apiserver's default.
const DefaultCPUUtilization = 80

// Scale is a HorizontalPodAutoscaler's effective range and targets: the
// intent's, with the defaults where it sets none. A target of 0 is none.
type Scale struct {
	MinReplicas, MaxReplicas int32
	CPU, Memory              int32
	// CPUDefaulted says the cpu target is the default, not the intent's.
	CPUDefaulted bool
}

// ScaleOf returns the effective autoscaling of wi; ok is false when wi
// does not ask for autoscaling.
func ScaleOf(wi *podcv1.WorkloadIntent) (s Scale, ok bool) {
	a := wi.GetAutoscaling()
	if a == nil {
		return Scale{}, false
	}
	s = Scale{MinReplicas: 1, MaxReplicas: a.GetMaxReplicas(), CPU: a.GetTargetCpuUtilization(), Memory: a.GetTargetMemoryUtilization()}
	if a.MinReplicas != nil {
		s.MinReplicas = a.GetMinReplicas()
	}
	if a.TargetCpuUtilization == nil && a.TargetMemoryUtilization == nil {
		s.CPU, s.CPUDefaulted = DefaultCPUUtilization, true
	}
	return s, true
}

// autoscaling checks the autoscaler's range and targets: a Deployment's
// only, whose replicas it then sets; a range of at least one replica; and
// for each utilization target a request of that resource on every
// container the autoscaler measures (app containers and sidecars), or on
// the pod.
func (c *checker) autoscaling() {
	wi := c.wi
	a := wi.GetAutoscaling()
	if a == nil {
		return
	}
	p := diag.Path("autoscaling")
	if wi.GetController() != podcv1.Controller_CONTROLLER_DEPLOYMENT {
		c.addf(p, "only allowed with controller CONTROLLER_DEPLOYMENT: an autoscaler scales a controller's replicas, and a bare Pod has none")
		return
	}
	if wi.Replicas != nil {
		c.addf("replicas", "refused beside autoscaling: the autoscaler sets the replicas, and a Deployment that also says them is scaled back to them on every apply; leave replicas unset")
	}
	s, _ := ScaleOf(wi)
	if a.MinReplicas != nil && s.MinReplicas < 1 {
		c.addf(p.Field("minReplicas"), "%d: want 1 or more (scaling to zero needs an object or external metric, which autoscaling does not take)", s.MinReplicas)
	}
	switch {
	case s.MaxReplicas == 0:
		c.addf(p.Field("maxReplicas"), "required: the most replicas the autoscaler may run, 1 or more")
	case s.MaxReplicas < 1:
		c.addf(p.Field("maxReplicas"), "%d: want 1 or more", s.MaxReplicas)
	case s.MaxReplicas < s.MinReplicas:
		c.addf(p.Field("maxReplicas"), "%d is less than minReplicas (%d)", s.MaxReplicas, s.MinReplicas)
	}
	for _, t := range []struct {
		field, resource string
		set             *int32
		value           int32
	}{
		{"targetCpuUtilization", "cpu", a.TargetCpuUtilization, s.CPU},
		{"targetMemoryUtilization", "memory", a.TargetMemoryUtilization, s.Memory},
	} {
		if t.set != nil && t.value < 1 {
			c.addf(p.Field(t.field), "%d: want a percentage of the pods' %s requests, 1 or more", t.value, t.resource)
			continue
		}
		if t.value > 0 {
			c.utilizationRequests(p.Field(t.field), t.resource, t.set == nil)
		}
	}
}

// utilizationRequests checks that the autoscaler can measure the
// utilization of resource: the pod requests it as a whole, or every app
// container and sidecar does (a limit sets the request). target is the
// autoscaling field of the target; defaulted says it is the default.
func (c *checker) utilizationRequests(target diag.Path, resource string, defaulted bool) {
	pod := podResource(c.wi.GetResources(), resource)
	if pod.GetRequest() != "" || pod.GetLimit() != "" {
		return
	}
	why := target.String() + " is a percentage of the pods' " + resource + " requests"
	if defaulted {
		why = fmt.Sprintf("with no target set, autoscaling keeps the pods at %d%% of their cpu requests (autoscaling.targetCpuUtilization)", DefaultCPUUtilization)
	}
	for _, r := range c.all() {
		if r.role == roleInit {
			continue // init steps have finished before the autoscaler measures
		}
		res := containerResource(r.c.GetResources(), resource)
		if res.GetRequest() == "" && res.GetLimit() == "" {
			c.addf(r.path.Field("resources").Field(resource).Field("request"), "required by autoscaling: %s, and the autoscaler takes no action on pods with a container that requests none (a limit sets the request; a pod-level request also does)", why)
		}
	}
}

// podResource returns the pod-level cpu or memory resource.
func podResource(rs *podcv1.PodResources, name string) *podcv1.Resource {
	if name == "cpu" {
		return rs.GetCpu()
	}
	return rs.GetMemory()
}
