package randintent

import (
	"fmt"

	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// scheduling sets where the pod may run now and then: every field, within
// what the target has.
func (b *builder) scheduling() {
	wi := b.wi
	if b.chance(0.2) {
		wi.NodeSelector = map[string]string{}
		for range b.between(1, 2) {
			wi.NodeSelector[b.labelKey()] = b.labelValue()
		}
	}
	for range b.between(0, 2) {
		if !b.chance(0.4) {
			break
		}
		wi.Tolerations = append(wi.Tolerations, b.toleration())
	}
	if b.chance(0.25) {
		wi.Affinity = b.affinity()
	}
	if b.chance(0.25) {
		b.spread()
	}
	if b.chance(0.15) {
		wi.PriorityClassName = pick(b, "high", "low-priority", "system-cluster-critical", "batch.example.com")
	}
	if b.chance(0.1) {
		wi.RuntimeClassName = pick(b, "gvisor", "kata-qemu", "runc")
	}
}

func (b *builder) toleration() *podcv1.Toleration {
	t := &podcv1.Toleration{Effect: pick(b, podcv1.TaintEffect_TAINT_EFFECT_UNSPECIFIED, podcv1.TaintEffect_TAINT_EFFECT_NO_SCHEDULE,
		podcv1.TaintEffect_TAINT_EFFECT_PREFER_NO_SCHEDULE, podcv1.TaintEffect_TAINT_EFFECT_NO_EXECUTE)}
	switch b.r.Intn(3) {
	case 0:
		t.Operator = podcv1.TolerationOperator_TOLERATION_OPERATOR_EXISTS
		if b.chance(0.7) {
			t.Key = b.labelKey()
		}
	default:
		t.Operator = pick(b, podcv1.TolerationOperator_TOLERATION_OPERATOR_UNSPECIFIED, podcv1.TolerationOperator_TOLERATION_OPERATOR_EQUAL)
		t.Key = b.labelKey()
		if b.chance(0.7) {
			t.Value = b.labelValue()
		}
	}
	if t.Effect == podcv1.TaintEffect_TAINT_EFFECT_NO_EXECUTE && b.chance(0.5) {
		s := int64(pick(b, 0, 30, 300))
		t.TolerationSeconds = &s
	}
	return t
}

func (b *builder) affinity() *podcv1.Affinity {
	a := &podcv1.Affinity{}
	if b.chance(0.5) {
		na := &podcv1.NodeAffinity{}
		if b.chance(0.6) {
			na.Required = []*podcv1.NodeSelectorTerm{b.nodeTerm()}
		}
		if len(na.Required) == 0 || b.chance(0.4) {
			na.Preferred = []*podcv1.PreferredNodeTerm{{Weight: int32(b.between(1, 100)), Term: b.nodeTerm()}}
		}
		a.Node = na
	}
	if b.chance(0.4) {
		a.Pod = b.podAffinity()
	}
	if a.Node == nil && a.Pod == nil || b.chance(0.5) {
		a.PodAnti = b.podAffinity()
	}
	return a
}

func (b *builder) nodeTerm() *podcv1.NodeSelectorTerm {
	t := &podcv1.NodeSelectorTerm{}
	for range b.between(1, 2) {
		r := &podcv1.NodeSelectorRequirement{Key: b.labelKey()}
		switch b.r.Intn(4) {
		case 0:
			r.Operator = pick(b, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_IN, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_NOT_IN)
			r.Values = []string{b.labelValue(), b.labelValue()}
		case 1:
			r.Operator = pick(b, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_EXISTS, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_DOES_NOT_EXIST)
		default:
			r.Operator = pick(b, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_GT, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_LT)
			r.Values = []string{fmt.Sprint(b.between(0, 100))}
		}
		t.MatchExpressions = append(t.MatchExpressions, r)
	}
	if b.chance(0.2) {
		t.MatchFields = []*podcv1.NodeSelectorRequirement{{Key: "metadata.name",
			Operator: pick(b, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_IN, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_NOT_IN),
			Values:   []string{b.dnsLabel(1, 20)}}}
	}
	return t
}

func (b *builder) podAffinity() *podcv1.PodAffinity {
	pa := &podcv1.PodAffinity{}
	if b.chance(0.5) {
		pa.Required = []*podcv1.PodAffinityTerm{b.podTerm()}
	}
	if len(pa.Required) == 0 || b.chance(0.4) {
		pa.Preferred = []*podcv1.WeightedPodAffinityTerm{{Weight: int32(b.between(1, 100)), Term: b.podTerm()}}
	}
	return pa
}

func (b *builder) podTerm() *podcv1.PodAffinityTerm {
	t := &podcv1.PodAffinityTerm{TopologyKey: pick(b, "kubernetes.io/hostname", "topology.kubernetes.io/zone")}
	if b.chance(0.5) {
		t.LabelSelector = b.labelSelector()
	}
	if b.chance(0.3) {
		t.Namespaces = []string{b.dnsLabel(1, 20)}
	}
	if b.chance(0.2) {
		t.NamespaceSelector = b.labelSelector()
	}
	if b.opts.Target.Has(target.AffinityMatchLabelKeys) && b.chance(0.3) {
		// A key of the selector, podc's own when unset, is refused.
		k := pick(b, "pod-template-hash", "example.com/rollout")
		if t.LabelSelector == nil || !hasExpressionKey(t.LabelSelector, k) {
			t.MatchLabelKeys = []string{k}
		}
		if b.chance(0.5) {
			t.MismatchLabelKeys = []string{"example.com/tenant"}
		}
	}
	return t
}

func (b *builder) labelSelector() *podcv1.LabelSelector {
	s := &podcv1.LabelSelector{}
	if b.chance(0.6) {
		s.MatchLabels = map[string]string{b.labelKey(): b.labelValue()}
	}
	if b.chance(0.5) {
		r := &podcv1.LabelSelectorRequirement{Key: b.labelKey(), Operator: pick(b, podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_IN,
			podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_NOT_IN, podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_EXISTS, podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_DOES_NOT_EXIST)}
		if r.Operator == podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_IN || r.Operator == podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_NOT_IN {
			r.Values = []string{b.labelValue()}
		}
		s.MatchExpressions = append(s.MatchExpressions, r)
	}
	return s
}

// spread adds 1-2 spread constraints, never two on one key and action.
func (b *builder) spread() {
	seen := map[string]bool{}
	for range b.between(1, 2) {
		c := &podcv1.TopologySpreadConstraint{
			TopologyKey:       pick(b, "topology.kubernetes.io/zone", "kubernetes.io/hostname"),
			WhenUnsatisfiable: pick(b, podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_UNSPECIFIED, podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_DO_NOT_SCHEDULE, podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY),
		}
		anyway := c.WhenUnsatisfiable == podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY
		key := fmt.Sprint(c.TopologyKey, anyway)
		if seen[key] {
			continue
		}
		seen[key] = true
		if b.chance(0.5) {
			c.MaxSkew = int32(b.between(1, 5))
		}
		custom := b.chance(0.4)
		if custom {
			c.LabelSelector = b.labelSelector()
		}
		if !anyway && b.opts.Target.Has(target.SpreadMinDomains) && b.chance(0.3) {
			m := int32(b.between(1, 5))
			c.MinDomains = &m
		}
		if b.opts.Target.Has(target.SpreadNodePolicies) && b.chance(0.3) {
			c.NodeAffinityPolicy = pick(b, podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_HONOR, podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_IGNORE)
			c.NodeTaintsPolicy = pick(b, podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_UNSPECIFIED, podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_HONOR)
		}
		if b.opts.Target.Has(target.SpreadMatchLabelKeys) && b.chance(0.3) {
			k := pick(b, "pod-template-hash", "example.com/rollout")
			if !custom || (c.LabelSelector.MatchLabels[k] == "" && !hasExpressionKey(c.LabelSelector, k)) {
				c.MatchLabelKeys = []string{k}
			}
		}
		b.wi.TopologySpreadConstraints = append(b.wi.TopologySpreadConstraints, c)
	}
}

func hasExpressionKey(s *podcv1.LabelSelector, k string) bool {
	for _, r := range s.GetMatchExpressions() {
		if r.GetKey() == k {
			return true
		}
	}
	_, ok := s.GetMatchLabels()[k]
	return ok
}
