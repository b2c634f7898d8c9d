package intent

import (
	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// DefaultDisruptionBudget is a disruption budget's maxUnavailable when it
// says neither maxUnavailable nor minAvailable: one pod at a time.
const DefaultDisruptionBudget = "1"

// protection checks the disruption budget, the spread and anti-affinity
// topology keys and the network policy.
func (c *checker) protection() {
	pr := c.wi.GetProtection()
	if pr == nil {
		return
	}
	p := diag.Path("protection")
	c.disruptionBudget(p.Field("disruptionBudget"), pr.GetDisruptionBudget())
	// The intent's own constraints that schedule anyway: a spread key may
	// not make a second one on the same topology.
	own := map[string]int{}
	for i, s := range c.wi.GetTopologySpreadConstraints() {
		if s.GetWhenUnsatisfiable() == podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY && s.GetTopologyKey() != "" {
			if _, seen := own[s.GetTopologyKey()]; !seen {
				own[s.GetTopologyKey()] = i
			}
		}
	}
	c.topologyKeys(p.Field("spreadTopologyKeys"), pr.GetSpreadTopologyKeys(), func(kp diag.Path, k string) {
		if i, ok := own[k]; ok {
			c.addf(kp, "%q is the topologyKey of topologySpreadConstraints[%d], which schedules anyway too: keep one of them", k, i)
		}
	})
	c.topologyKeys(p.Field("antiAffinityTopologyKeys"), pr.GetAntiAffinityTopologyKeys(), nil)
	c.networkPolicy(p.Field("networkPolicy"), pr.GetNetworkPolicy())
}

// disruptionBudget checks a disruption budget: a Deployment's only, at
// most one of maxUnavailable and minAvailable, each a number or a
// percentage up to 100%.
func (c *checker) disruptionBudget(p diag.Path, db *podcv1.DisruptionBudget) {
	if db == nil {
		return
	}
	if c.wi.GetController() != podcv1.Controller_CONTROLLER_DEPLOYMENT {
		c.addf(p, "only allowed with controller CONTROLLER_DEPLOYMENT: a bare Pod evicted by a drain is not replaced, so no budget keeps it available")
		return
	}
	for _, f := range []struct{ name, v string }{{"maxUnavailable", db.GetMaxUnavailable()}, {"minAvailable", db.GetMinAvailable()}} {
		if f.v == "" {
			continue
		}
		n, percent, ok := IntOrPercent(f.v)
		switch {
		case !ok:
			c.addf(p.Field(f.name), "%q is not a number of pods (\"1\") or a percentage of the replicas (\"25%%\")", f.v)
		case percent && n > 100:
			c.addf(p.Field(f.name), "%s is more than 100%%", f.v)
		}
	}
	if db.GetMaxUnavailable() != "" && db.GetMinAvailable() != "" {
		c.addf(p.Field("minAvailable"), "refused beside maxUnavailable: a budget says one of them")
	}
	ev := db.GetUnhealthyPodEviction()
	switch {
	case !enumValid(ev, podcv1.UnhealthyPodEviction_name):
		c.addf(p.Field("unhealthyPodEviction"), "unknown value %d: want UNHEALTHY_POD_EVICTION_IF_HEALTHY_BUDGET or UNHEALTHY_POD_EVICTION_ALWAYS_ALLOW", ev)
	case ev != podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_UNSPECIFIED && !c.opts.Target.Has(target.UnhealthyPodEviction):
		c.addf(p.Field("unhealthyPodEviction"), "needs Kubernetes 1.%d or newer; the target is %s", target.UnhealthyPodEviction.Since, c.opts.Target)
	}
}

// topologyKeys checks a list of node label keys: each a label key, each
// once; more, when set, checks each further.
func (c *checker) topologyKeys(p diag.Path, keys []string, more func(diag.Path, string)) {
	seen := map[string]int{}
	for i, k := range keys {
		kp := p.Index(i)
		if k == "" {
			c.addf(kp, "required: a node label key, such as \"kubernetes.io/hostname\"")
			continue
		}
		if c.addMsgs(kp, "label key", k, content.IsLabelKey(k)) {
			continue
		}
		if j, dup := seen[k]; dup {
			c.addf(kp, "duplicate key %q: also at %s", k, p.Index(j))
			continue
		}
		seen[k] = i
		if more != nil {
			more(kp, k)
		}
	}
}

// networkPolicy checks who may reach the EXPOSE_CLUSTER ports: client
// labels with CLUSTER_CLIENTS_LABELLED, and only then.
func (c *checker) networkPolicy(p diag.Path, np *podcv1.NetworkPolicy) {
	if np == nil {
		return
	}
	cc := np.GetClusterClients()
	if !enumValid(cc, podcv1.ClusterClients_name) {
		c.addf(p.Field("clusterClients"), "unknown value %d: want CLUSTER_CLIENTS_NAMESPACE, CLUSTER_CLIENTS_CLUSTER or CLUSTER_CLIENTS_LABELLED", cc)
		return
	}
	labels := np.GetClientLabels()
	labelled := cc == podcv1.ClusterClients_CLUSTER_CLIENTS_LABELLED
	switch {
	case labelled && len(labels) == 0:
		c.addf(p.Field("clientLabels"), "required with CLUSTER_CLIENTS_LABELLED: the labels of the pods that may reach the EXPOSE_CLUSTER ports")
	case !labelled && len(labels) > 0:
		c.addf(p.Field("clientLabels"), "only allowed with clusterClients CLUSTER_CLIENTS_LABELLED; %s admits %s", clientsName(cc), clientsOf(cc))
	}
	for _, k := range sortedKeys(labels) {
		kp := p.Field("clientLabels").Key(k)
		c.addMsgs(kp, "label key", k, content.IsLabelKey(k))
		c.addMsgs(kp, "label value", labels[k], content.IsLabelValue(labels[k]))
	}
}

// clientsName names a ClusterClients value in a message.
func clientsName(cc podcv1.ClusterClients) string {
	if cc == podcv1.ClusterClients_CLUSTER_CLIENTS_UNSPECIFIED {
		return "unset, it"
	}
	return cc.String()
}

// clientsOf says whom a ClusterClients value admits.
func clientsOf(cc podcv1.ClusterClients) string {
	if cc == podcv1.ClusterClients_CLUSTER_CLIENTS_CLUSTER {
		return "every pod of the cluster"
	}
	return "every pod of the namespace"
}
