package compiler_test

import (
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// checkGoverning holds the objects that govern the workload to the intent
// as compiled (wi, with every policy default applied): an autoscaler
// exactly when it asks for autoscaling, scaling the Deployment, which then
// says no replicas; a disruption budget exactly when it has one and is a
// Deployment; a network policy exactly when it has one, over ingress only,
// that admits exactly its exposed ports, the EXPOSE_NODE ones from
// anywhere and the EXPOSE_CLUSTER ones from the clients it names. Each
// selects exactly the workload's pods.
func checkGoverning(wi *podcv1.WorkloadIntent, objs []runtime.Object) string {
	var (
		d    *appsv1.Deployment
		pods labels.Set
		pdbs []*policyv1.PodDisruptionBudget
		hpas []*autoscalingv2.HorizontalPodAutoscaler
		nps  []*networkingv1.NetworkPolicy
	)
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.Deployment:
			d, pods = o, o.Spec.Template.Labels
		case *corev1.Pod:
			pods = o.Labels
		case *policyv1.PodDisruptionBudget:
			pdbs = append(pdbs, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			hpas = append(hpas, o)
		case *networkingv1.NetworkPolicy:
			nps = append(nps, o)
		}
	}
	selects := func(sel *metav1.LabelSelector) bool {
		s, err := metav1.LabelSelectorAsSelector(sel)
		return err == nil && !s.Empty() && s.Matches(pods)
	}
	wantHPA := wi.GetAutoscaling() != nil && d != nil
	if len(hpas) != map[bool]int{true: 1}[wantHPA] {
		return fmt.Sprintf("%d autoscalers for autoscaling %v", len(hpas), wi.GetAutoscaling())
	}
	if d != nil && (d.Spec.Replicas == nil) != wantHPA {
		return fmt.Sprintf("Deployment replicas %v with %d autoscalers", d.Spec.Replicas, len(hpas))
	}
	if wantHPA {
		s, _ := intent.ScaleOf(wi)
		h := hpas[0]
		if h.Spec.ScaleTargetRef.Name != d.Name || h.Spec.ScaleTargetRef.Kind != "Deployment" || *h.Spec.MinReplicas != s.MinReplicas || h.Spec.MaxReplicas != s.MaxReplicas {
			return fmt.Sprintf("autoscaler %+v for %+v", h.Spec, s)
		}
	}
	wantPDB := wi.GetProtection().GetDisruptionBudget() != nil && d != nil
	if len(pdbs) != map[bool]int{true: 1}[wantPDB] {
		return fmt.Sprintf("%d disruption budgets for %v", len(pdbs), wi.GetProtection().GetDisruptionBudget())
	}
	if wantPDB && !selects(pdbs[0].Spec.Selector) {
		return fmt.Sprintf("the disruption budget selects %v, not the pods %v", pdbs[0].Spec.Selector, pods)
	}
	np := wi.GetProtection().GetNetworkPolicy()
	if len(nps) != map[bool]int{true: 1}[np != nil] {
		return fmt.Sprintf("%d network policies for %v", len(nps), np)
	}
	if np == nil {
		return ""
	}
	p := nps[0]
	if !selects(&p.Spec.PodSelector) || !slices.Equal(p.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) || len(p.Spec.Egress) > 0 {
		return fmt.Sprintf("network policy %+v: want ingress only over the pods %v", p.Spec, pods)
	}
	var wantCluster, wantNode, gotCluster, gotNode []string
	for _, cs := range [][]*podcv1.Container{wi.GetContainers(), wi.GetSidecars()} {
		for _, c := range cs {
			for _, pt := range c.GetPorts() {
				k := fmt.Sprintf("%s/%d", intent.ProtocolName(pt.GetProtocol()), pt.GetContainerPort())
				switch pt.GetExpose() {
				case podcv1.Expose_EXPOSE_CLUSTER:
					wantCluster = append(wantCluster, k)
				case podcv1.Expose_EXPOSE_NODE:
					wantNode = append(wantNode, k)
				}
			}
		}
	}
	for _, r := range p.Spec.Ingress {
		for _, pt := range r.Ports {
			k := string(*pt.Protocol) + "/" + pt.Port.String()
			if len(r.From) == 0 {
				gotNode = append(gotNode, k)
				continue
			}
			gotCluster = append(gotCluster, k)
			for _, f := range r.From {
				if f.IPBlock != nil || (f.PodSelector == nil && f.NamespaceSelector == nil) {
					return fmt.Sprintf("cluster port %s admits %+v", k, f)
				}
			}
		}
	}
	if !slices.Equal(gotCluster, wantCluster) || !slices.Equal(gotNode, wantNode) {
		return fmt.Sprintf("network policy admits %v from clients and %v from anywhere; want %v and %v", gotCluster, gotNode, wantCluster, wantNode)
	}
	return ""
}

// checkProduction holds compiled objects to what the production profile
// promises: a Deployment with a disruption budget and an ingress network
// policy over its pods, and every container with a read-only root
// filesystem, a user and group id of 10000 or more and ephemeral storage
// requested and limited.
func checkProduction(objs []runtime.Object) string {
	var d *appsv1.Deployment
	var pdb, np bool
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.Deployment:
			d = o
		case *policyv1.PodDisruptionBudget:
			pdb = true
		case *networkingv1.NetworkPolicy:
			np = slices.Contains(o.Spec.PolicyTypes, networkingv1.PolicyTypeIngress)
		}
	}
	if d == nil || !pdb || !np {
		return fmt.Sprintf("production output: Deployment %t, disruption budget %t, ingress network policy %t", d != nil, pdb, np)
	}
	spec := d.Spec.Template.Spec
	for _, c := range append(slices.Clone(spec.InitContainers), spec.Containers...) {
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			return "container " + c.Name + ": root filesystem not read-only"
		}
		user, group := sc.RunAsUser, sc.RunAsGroup
		if psc := spec.SecurityContext; psc != nil {
			if user == nil {
				user = psc.RunAsUser
			}
			if group == nil {
				group = psc.RunAsGroup
			}
		}
		if user == nil || *user < 10000 || group == nil || *group < 10000 {
			return fmt.Sprintf("container %s runs as user %v, group %v", c.Name, user, group)
		}
		_, req := c.Resources.Requests[corev1.ResourceEphemeralStorage]
		_, lim := c.Resources.Limits[corev1.ResourceEphemeralStorage]
		if !req || !lim {
			return "container " + c.Name + ": ephemeral storage not requested and limited"
		}
	}
	return ""
}

// productionReady makes a random intent pass the production profile where
// a few fields decide it: a Deployment of at least two replicas (or an
// autoscaler of at least two) with a team, pinned images, bounded cpu and
// memory, probes, no privilege, no host namespaces, high or unset ids, a
// disruption budget that lets drains proceed and ephemeral storage
// limited where requested. What it leaves random is the rest.
func productionReady(wi *podcv1.WorkloadIntent) {
	if wi.Labels == nil {
		wi.Labels = map[string]string{}
	}
	wi.Labels["team"] = "t"
	if wi.Controller != podcv1.Controller_CONTROLLER_DEPLOYMENT {
		wi.Controller = podcv1.Controller_CONTROLLER_DEPLOYMENT
		wi.RestartPolicy = podcv1.RestartPolicy_RESTART_POLICY_UNSPECIFIED
	}
	if a := wi.Autoscaling; a != nil {
		if a.MinReplicas == nil || *a.MinReplicas < 2 {
			two := int32(2)
			a.MinReplicas = &two
		}
		a.MaxReplicas = max(a.MaxReplicas, *a.MinReplicas+1)
	} else if wi.Replicas == nil || *wi.Replicas < 2 {
		n := int32(3)
		wi.Replicas = &n
	}
	wi.HostNetwork, wi.HostPid, wi.HostIpc = false, false, false
	if wi.DnsPolicy == podcv1.DnsPolicy_DNS_POLICY_CLUSTER_FIRST_WITH_HOST_NET {
		wi.DnsPolicy = podcv1.DnsPolicy_DNS_POLICY_UNSPECIFIED
	}
	if strings.HasPrefix(wi.PriorityClassName, "system-") {
		wi.PriorityClassName = ""
	}
	wi.Resources = nil
	high := func(id *int64) *int64 {
		if id != nil && *id < 10000 {
			v := 10000 + *id
			return &v
		}
		return id
	}
	if sc := wi.SecurityContext; sc != nil {
		sc.Sysctls = nil
		if sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot {
			sc.RunAsNonRoot = nil
		}
		sc.RunAsUser, sc.RunAsGroup = high(sc.RunAsUser), high(sc.RunAsGroup)
		if sc.SeccompProfile == podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED {
			sc.SeccompProfile = podcv1.SeccompProfile_SECCOMP_PROFILE_UNSPECIFIED
		}
	}
	if db := wi.GetProtection().GetDisruptionBudget(); db != nil {
		db.MaxUnavailable, db.MinAvailable = "", ""
	}
	probe := func() *podcv1.Probe {
		return &podcv1.Probe{Handler: &podcv1.Probe_Exec{Exec: &podcv1.ExecAction{Command: []string{"true"}}}}
	}
	for _, g := range []struct {
		list []*podcv1.Container
		app  bool
		init bool
	}{{wi.InitSteps, false, true}, {wi.Containers, true, false}, {wi.Sidecars, false, false}} {
		for _, c := range g.list {
			c.Image = "registry.example.com/" + c.Name + ":1.0"
			if c.Resources == nil {
				c.Resources = &podcv1.Resources{}
			}
			c.Resources.Cpu = &podcv1.Resource{Request: "100m", Limit: "200m"}
			c.Resources.Memory = &podcv1.Resource{Request: "64Mi", Limit: "128Mi"}
			if es := c.Resources.EphemeralStorage; es != nil && es.Limit == "" {
				es.Limit = es.Request
			}
			if !g.init {
				if c.Probes == nil {
					c.Probes = &podcv1.Probes{}
				}
				if g.app && c.Probes.Liveness == nil {
					c.Probes.Liveness = probe()
				}
				if c.Probes.Readiness == nil {
					c.Probes.Readiness = probe()
				}
			}
			sc := c.SecurityContext
			if sc == nil {
				continue
			}
			sc.Privileged, sc.CapabilitiesAdd, sc.CapabilitiesDrop = nil, nil, nil
			if sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot {
				sc.RunAsNonRoot = nil
			}
			if sc.AllowPrivilegeEscalation != nil && *sc.AllowPrivilegeEscalation {
				sc.AllowPrivilegeEscalation = nil
			}
			if sc.ReadOnlyRootFilesystem != nil && !*sc.ReadOnlyRootFilesystem {
				sc.ReadOnlyRootFilesystem = nil
			}
			sc.RunAsUser, sc.RunAsGroup = high(sc.RunAsUser), high(sc.RunAsGroup)
			if sc.SeccompProfile == podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED {
				sc.SeccompProfile = podcv1.SeccompProfile_SECCOMP_PROFILE_UNSPECIFIED
			}
		}
	}
}
