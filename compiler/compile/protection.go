package compile

import (
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// disruptionBudget compiles the PodDisruptionBudget (policy/v1) of
// protection.disruptionBudget: named after the workload, over its pods,
// with the budget's maxUnavailable or minAvailable (maxUnavailable 1 when
// it says neither, written out) and, where the target has it, its
// unhealthy pod eviction policy (AlwaysAllow when unset, written out).
// The object stands for the amount that asked for it, so a budget a
// policy default wrote is that policy's.
func (b *builder) disruptionBudget() {
	wi := b.wi
	db := wi.GetProtection().GetDisruptionBudget()
	if db == nil || wi.GetController() != podcv1.Controller_CONTROLLER_DEPLOYMENT {
		return
	}
	r := b.rec
	dp := r.In(b.in("protection"), "disruptionBudget")
	p := diag.Path("protection").Field("disruptionBudget")
	field, amount := "maxUnavailable", db.GetMaxUnavailable()
	if amount == "" && db.GetMinAvailable() != "" {
		field, amount = "minAvailable", db.GetMinAvailable()
	}
	set := amount != ""
	if !set {
		amount = intent.DefaultDisruptionBudget
		b.def(p.Field(field), amount, "unset: voluntary disruptions take one pod at a time, so a node drain never waits on the budget while the pods are ready")
	}
	cause := from(set, r.In(dp, field))
	name := wi.GetName()
	root := r.Object("PodDisruptionBudget/"+name, cause)
	b.typeMeta(root, cause)
	meta := b.objectMeta(root, metaCompanion, name, b.in("name"), nil, provenance.Intent)
	sp := r.Field(root, "spec", provenance.Holder)
	r.Field(sp, field, cause)
	spec := policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: b.selector()}}
	v := intOrPercent(amount)
	if field == "minAvailable" {
		spec.MinAvailable = &v
	} else {
		spec.MaxUnavailable = &v
	}
	b.recordSelector(r.Field(r.Field(sp, "selector", provenance.Holder), "matchLabels", provenance.Holder))
	ev := db.GetUnhealthyPodEviction()
	switch {
	case b.opts.Target.Has(target.UnhealthyPodEviction):
		policy := policyv1.AlwaysAllow
		if ev == podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_IF_HEALTHY_BUDGET {
			policy = policyv1.IfHealthyBudget
		}
		if ev == podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_UNSPECIFIED {
			b.def(p.Field("unhealthyPodEviction"), "UNHEALTHY_POD_EVICTION_ALWAYS_ALLOW", "unset: a running pod that is not ready may always be evicted, so a crash-looping pod never holds a node drain")
		}
		spec.UnhealthyPodEvictionPolicy = &policy
		r.Field(sp, "unhealthyPodEvictionPolicy", from(ev != podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_UNSPECIFIED, r.In(dp, "unhealthyPodEviction")))
	default:
		b.note("the PodDisruptionBudget has no unhealthyPodEvictionPolicy: Kubernetes %s lacks it (1.%d+), so pods that are running but not ready count against the budget", b.opts.Target, target.UnhealthyPodEviction.Since)
	}
	b.out.DisruptionBudget = &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: meta,
		Spec:       spec,
	}
}

// networkPolicy compiles the NetworkPolicy (networking.k8s.io/v1) of
// protection.networkPolicy: named after the workload, over its pods, for
// ingress only, with one rule admitting the EXPOSE_CLUSTER ports from the
// clients clusterClients names (the namespace when unset, written out)
// and one admitting the EXPOSE_NODE ports from anywhere; a port the intent
// does not expose is in neither, so nothing reaches it. The ports are the
// container ports (a NetworkPolicy sees traffic after the Service has
// translated it), in intent order: app containers, then sidecars.
func (b *builder) networkPolicy() {
	wi := b.wi
	np := wi.GetProtection().GetNetworkPolicy()
	if np == nil {
		return
	}
	r := b.rec
	npp := r.In(b.in("protection"), "networkPolicy")
	ccp := r.In(npp, "clusterClients")
	cc := np.GetClusterClients()
	ccSet := cc != podcv1.ClusterClients_CLUSTER_CLIENTS_UNSPECIFIED
	cause := provenance.FromIntent(npp)
	if ccSet {
		cause = provenance.FromIntent(ccp)
	}
	if !ccSet {
		cc = podcv1.ClusterClients_CLUSTER_CLIENTS_NAMESPACE
		b.def(diag.Path("protection").Field("networkPolicy").Field("clusterClients"), cc.String(), "unset: the EXPOSE_CLUSTER ports admit the pods of the workload's namespace")
	}
	name := wi.GetName()
	root := r.Object("NetworkPolicy/"+name, cause)
	b.typeMeta(root, cause)
	meta := b.objectMeta(root, metaCompanion, name, b.in("name"), nil, provenance.Intent)
	sp := r.Field(root, "spec", provenance.Holder)
	b.recordSelector(r.Field(r.Field(sp, "podSelector", provenance.Holder), "matchLabels", provenance.Holder))
	r.Index(r.Field(sp, "policyTypes", provenance.Holder), 0, cause)
	spec := networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: b.selector()},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
	}

	// The exposed ports, by how far they reach.
	type port struct {
		p    provenance.Path
		pt   *podcv1.Port
		node bool
	}
	var cluster, anywhere []port
	for _, g := range []struct {
		field string
		list  []*podcv1.Container
	}{{"containers", wi.GetContainers()}, {"sidecars", wi.GetSidecars()}} {
		gp := b.in(g.field)
		for i, c := range g.list {
			pp := r.In(r.At(gp, i), "ports")
			for j, pt := range c.GetPorts() {
				switch pt.GetExpose() {
				case podcv1.Expose_EXPOSE_CLUSTER:
					cluster = append(cluster, port{r.At(pp, j), pt, false})
				case podcv1.Expose_EXPOSE_NODE:
					anywhere = append(anywhere, port{r.At(pp, j), pt, true})
				}
			}
		}
	}
	rules := r.Field(sp, "ingress", provenance.Holder)
	addRule := func(ports []port, peers func(provenance.Node) []networkingv1.NetworkPolicyPeer) {
		rn := r.Index(rules, len(spec.Ingress), provenance.Holder)
		rule := networkingv1.NetworkPolicyIngressRule{}
		if peers != nil {
			rule.From = peers(r.Field(rn, "from", provenance.Holder))
		}
		pl := r.Field(rn, "ports", provenance.Holder)
		for i, pt := range ports {
			en := r.Index(pl, i, provenance.FromIntent(pt.p))
			proto := protocol(pt.pt.GetProtocol())
			num := intstr.FromInt32(pt.pt.GetContainerPort())
			r.Field(en, "protocol", from(pt.pt.GetProtocol() != podcv1.Protocol_PROTOCOL_UNSPECIFIED, r.In(pt.p, "protocol")))
			r.Field(en, "port", provenance.FromIntent(r.In(pt.p, "containerPort")))
			rule.Ports = append(rule.Ports, networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &num})
		}
		spec.Ingress = append(spec.Ingress, rule)
	}
	if len(cluster) > 0 {
		addRule(cluster, func(fn provenance.Node) []networkingv1.NetworkPolicyPeer {
			src := from(ccSet, ccp)
			en := r.Index(fn, 0, provenance.Holder)
			switch cc {
			case podcv1.ClusterClients_CLUSTER_CLIENTS_CLUSTER:
				r.Field(en, "namespaceSelector", src)
				return []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{}}}
			case podcv1.ClusterClients_CLUSTER_CLIENTS_LABELLED:
				lp := r.In(npp, "clientLabels")
				ml := r.Field(r.Field(en, "podSelector", provenance.Holder), "matchLabels", provenance.Holder)
				labels := map[string]string{}
				for k, v := range np.GetClientLabels() {
					labels[k] = v
					r.Key(ml, k, provenance.FromIntent(r.AtKey(lp, k)))
				}
				return []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: labels}}}
			default:
				r.Field(en, "podSelector", src)
				return []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}
			}
		})
	}
	if len(anywhere) > 0 {
		addRule(anywhere, nil)
	}
	if len(spec.Ingress) == 0 {
		b.note("the NetworkPolicy admits no traffic to the pods: the workload exposes no port")
	}
	b.out.NetworkPolicy = &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: meta,
		Spec:       spec,
	}
}
