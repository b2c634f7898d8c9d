package randintent

import (
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// governing sets, now and then, what governs the workload: an autoscaler
// for a Deployment (then without replicas) on the utilization of what
// every measured container requests, and protection: a disruption budget
// for a Deployment, spread and anti-affinity keys that do not repeat the
// intent's own spread, a network policy with each kind of client.
func (b *builder) governing() {
	wi := b.wi
	deployment := wi.Controller == podcv1.Controller_CONTROLLER_DEPLOYMENT
	if deployment && b.chance(0.3) {
		b.autoscaling()
	}
	if !b.chance(0.35) {
		return
	}
	pr := &podcv1.Protection{}
	if deployment && b.chance(0.6) {
		db := &podcv1.DisruptionBudget{}
		switch b.r.Intn(3) {
		case 0:
			db.MaxUnavailable = pick(b, "1", "2", "25%", "0", "100%")
		case 1:
			db.MinAvailable = pick(b, "1", "3", "50%", "100%", "0%")
		}
		if b.opts.Target.Has(target.UnhealthyPodEviction) && b.chance(0.3) {
			db.UnhealthyPodEviction = pick(b, podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_IF_HEALTHY_BUDGET, podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_ALWAYS_ALLOW)
		}
		pr.DisruptionBudget = db
	}
	own := map[string]bool{}
	for _, c := range wi.TopologySpreadConstraints {
		if c.WhenUnsatisfiable == podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY {
			own[c.TopologyKey] = true
		}
	}
	keys := []string{"topology.kubernetes.io/zone", "kubernetes.io/hostname", "topology.kubernetes.io/region", "example.com/rack"}
	for _, k := range keys {
		if !own[k] && b.chance(0.3) {
			pr.SpreadTopologyKeys = append(pr.SpreadTopologyKeys, k)
		}
	}
	for _, k := range keys {
		if b.chance(0.2) {
			pr.AntiAffinityTopologyKeys = append(pr.AntiAffinityTopologyKeys, k)
		}
	}
	if b.chance(0.6) {
		np := &podcv1.NetworkPolicy{ClusterClients: pick(b, podcv1.ClusterClients_CLUSTER_CLIENTS_UNSPECIFIED, podcv1.ClusterClients_CLUSTER_CLIENTS_NAMESPACE,
			podcv1.ClusterClients_CLUSTER_CLIENTS_CLUSTER, podcv1.ClusterClients_CLUSTER_CLIENTS_LABELLED)}
		if np.ClusterClients == podcv1.ClusterClients_CLUSTER_CLIENTS_LABELLED {
			np.ClientLabels = map[string]string{}
			for range b.between(1, 2) {
				np.ClientLabels[b.labelKey()] = b.labelValue()
			}
		}
		pr.NetworkPolicy = np
	}
	wi.Protection = pr
}

// autoscaling scales the Deployment between a random range on the
// utilization of the resources every app container and sidecar (or the
// pod) requests; none when neither cpu nor memory is.
func (b *builder) autoscaling() {
	wi := b.wi
	cpu, memory := b.requested("cpu"), b.requested("memory")
	if !cpu && !memory {
		return
	}
	a := &podcv1.Autoscaling{MaxReplicas: int32(b.between(1, 20))}
	if b.chance(0.7) {
		min := int32(b.between(1, int(a.MaxReplicas)))
		a.MinReplicas = &min
	}
	switch {
	case cpu && memory && b.chance(0.3):
		// No target: the default, cpu.
	case cpu && (!memory || b.chance(0.5)):
		t := int32(b.between(1, 150))
		a.TargetCpuUtilization = &t
		if memory && b.chance(0.4) {
			m := int32(b.between(1, 150))
			a.TargetMemoryUtilization = &m
		}
	default:
		m := int32(b.between(1, 150))
		a.TargetMemoryUtilization = &m
	}
	wi.Replicas = nil
	wi.Autoscaling = a
}

// requested reports whether the autoscaler can measure the utilization of
// the resource: the pod requests it, or every app container and sidecar
// does (a limit counts).
func (b *builder) requested(name string) bool {
	pod := b.wi.GetResources().GetCpu()
	if name == "memory" {
		pod = b.wi.GetResources().GetMemory()
	}
	if pod.GetRequest() != "" || pod.GetLimit() != "" {
		return true
	}
	for _, cs := range [][]*podcv1.Container{b.wi.Containers, b.wi.Sidecars} {
		for _, c := range cs {
			r := c.GetResources().GetCpu()
			if name == "memory" {
				r = c.GetResources().GetMemory()
			}
			if r.GetRequest() == "" && r.GetLimit() == "" {
				return false
			}
		}
	}
	return true
}
