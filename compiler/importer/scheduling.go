package importer

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Why what compile writes for an unset pod selector differs from the
// manifest's.
const unsetPodSelector = "unset, so it selects no pods, but compile writes the workload's own pods for an unset selector"

// scheduling maps where the pod may run: its node selector, tolerations,
// affinity, spread constraints, priority and runtime classes.
func (b *builder) scheduling(w *object, sp fieldPath, spec *corev1.PodSpec) {
	for _, k := range sortedKeys(spec.NodeSelector) {
		if b.take(w, sp.f("nodeSelector").k(k), diag.Path("nodeSelector").Key(k)) {
			if b.wi.NodeSelector == nil {
				b.wi.NodeSelector = map[string]string{}
			}
			b.wi.NodeSelector[k] = spec.NodeSelector[k]
		}
	}
	b.use(w, sp.f("nodeSelector"))
	for i, t := range spec.Tolerations {
		if tol := b.toleration(w, sp.f("tolerations").i(i), t); tol != nil {
			b.wi.Tolerations = append(b.wi.Tolerations, tol)
		}
	}
	if a := spec.Affinity; a != nil {
		b.wi.Affinity = b.affinity(w, sp.f("affinity"), a)
	}
	for i, c := range spec.TopologySpreadConstraints {
		if s := b.spread(w, sp.f("topologySpreadConstraints").i(i), c); s != nil {
			b.wi.TopologySpreadConstraints = append(b.wi.TopologySpreadConstraints, s)
		}
	}
	if pc := spec.PriorityClassName; pc != "" && b.take(w, sp.f("priorityClassName"), "priorityClassName") {
		b.wi.PriorityClassName = pc
	}
	if rc := spec.RuntimeClassName; rc != nil && *rc != "" && b.take(w, sp.f("runtimeClassName"), "runtimeClassName") {
		b.wi.RuntimeClassName = *rc
	}
}

// toleration maps one toleration at p; an unset operator is lost, since
// compile writes Equal, which is what it means.
func (b *builder) toleration(w *object, p fieldPath, t corev1.Toleration) *podcv1.Toleration {
	if b.dropped(w, p) {
		return nil
	}
	out := &podcv1.Toleration{Key: t.Key, Value: t.Value, TolerationSeconds: copyPtr(t.TolerationSeconds)}
	switch t.Operator {
	case corev1.TolerationOpEqual:
		out.Operator = podcv1.TolerationOperator_TOLERATION_OPERATOR_EQUAL
	case corev1.TolerationOpExists:
		out.Operator = podcv1.TolerationOperator_TOLERATION_OPERATOR_EXISTS
	case "":
		b.lose(w, p.f("operator"), "unset, but compile writes Equal, which is what unset means")
	}
	switch t.Effect {
	case corev1.TaintEffectNoSchedule:
		out.Effect = podcv1.TaintEffect_TAINT_EFFECT_NO_SCHEDULE
	case corev1.TaintEffectPreferNoSchedule:
		out.Effect = podcv1.TaintEffect_TAINT_EFFECT_PREFER_NO_SCHEDULE
	case corev1.TaintEffectNoExecute:
		out.Effect = podcv1.TaintEffect_TAINT_EFFECT_NO_EXECUTE
	}
	for _, f := range []string{"key", "operator", "value", "effect", "tolerationSeconds"} {
		b.use(w, p.f(f))
	}
	b.record(diag.Path("tolerations").Index(len(b.wi.Tolerations)), w, p, false)
	return out
}

// affinity maps the node, pod and pod anti-affinity at p; nil when
// nothing of it is carried.
func (b *builder) affinity(w *object, p fieldPath, a *corev1.Affinity) *podcv1.Affinity {
	out := &podcv1.Affinity{}
	ip := diag.Path("affinity")
	if na := a.NodeAffinity; na != nil {
		np := p.f("nodeAffinity")
		n := &podcv1.NodeAffinity{}
		if req := na.RequiredDuringSchedulingIgnoredDuringExecution; req != nil {
			tp := np.f("requiredDuringSchedulingIgnoredDuringExecution").f("nodeSelectorTerms")
			for i, t := range req.NodeSelectorTerms {
				if term := b.nodeTerm(w, tp.i(i), t, ip.Field("node").Field("required").Index(len(n.Required))); term != nil {
					n.Required = append(n.Required, term)
				}
			}
		}
		for i, t := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			tp := np.f("preferredDuringSchedulingIgnoredDuringExecution").i(i)
			if b.dropped(w, tp) {
				continue
			}
			pip := ip.Field("node").Field("preferred").Index(len(n.Preferred))
			if term := b.nodeTerm(w, tp.f("preference"), t.Preference, pip.Field("term")); term != nil {
				b.use(w, tp.f("weight"))
				b.record(pip, w, tp, false)
				n.Preferred = append(n.Preferred, &podcv1.PreferredNodeTerm{Weight: t.Weight, Term: term})
			}
		}
		if len(n.Required) > 0 || len(n.Preferred) > 0 {
			out.Node = n
		}
	}
	if pa := a.PodAffinity; pa != nil {
		out.Pod = b.podAffinity(w, p.f("podAffinity"), ip.Field("pod"), pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		out.PodAnti = b.podAffinity(w, p.f("podAntiAffinity"), ip.Field("podAnti"), pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	if out.Node == nil && out.Pod == nil && out.PodAnti == nil {
		return nil
	}
	return out
}

// nodeTerm maps a node selector term at p to the intent's term at ip; nil
// when it is refused or has no requirement.
func (b *builder) nodeTerm(w *object, p fieldPath, t corev1.NodeSelectorTerm, ip diag.Path) *podcv1.NodeSelectorTerm {
	if b.dropped(w, p) {
		return nil
	}
	if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
		return nil
	}
	out := &podcv1.NodeSelectorTerm{
		MatchExpressions: b.nodeRequirements(w, p.f("matchExpressions"), t.MatchExpressions),
		MatchFields:      b.nodeRequirements(w, p.f("matchFields"), t.MatchFields),
	}
	b.record(ip, w, p, false)
	return out
}

// nodeRequirements maps the node selector requirements of the list at p.
func (b *builder) nodeRequirements(w *object, p fieldPath, reqs []corev1.NodeSelectorRequirement) []*podcv1.NodeSelectorRequirement {
	var out []*podcv1.NodeSelectorRequirement
	for i, r := range reqs {
		rp := p.i(i)
		for _, f := range []string{"key", "operator", "values"} {
			b.use(w, rp.f(f))
		}
		out = append(out, &podcv1.NodeSelectorRequirement{Key: r.Key, Operator: nodeOperator(r.Operator), Values: r.Values})
	}
	return out
}

// nodeOperator maps a node selector operator.
func nodeOperator(op corev1.NodeSelectorOperator) podcv1.NodeSelectorOperator {
	return map[corev1.NodeSelectorOperator]podcv1.NodeSelectorOperator{
		corev1.NodeSelectorOpIn:           podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_IN,
		corev1.NodeSelectorOpNotIn:        podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_NOT_IN,
		corev1.NodeSelectorOpExists:       podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_EXISTS,
		corev1.NodeSelectorOpDoesNotExist: podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_DOES_NOT_EXIST,
		corev1.NodeSelectorOpGt:           podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_GT,
		corev1.NodeSelectorOpLt:           podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_LT,
	}[op]
}

// podAffinity maps the required and preferred terms of a pod affinity or
// anti-affinity at p to the intent's at ip; nil when none is carried.
func (b *builder) podAffinity(w *object, p fieldPath, ip diag.Path, req []corev1.PodAffinityTerm, pref []corev1.WeightedPodAffinityTerm) *podcv1.PodAffinity {
	out := &podcv1.PodAffinity{}
	for i, t := range req {
		tp := p.f("requiredDuringSchedulingIgnoredDuringExecution").i(i)
		if b.dropped(w, tp) {
			continue
		}
		b.record(ip.Field("required").Index(len(out.Required)), w, tp, false)
		out.Required = append(out.Required, b.podTerm(w, tp, t))
	}
	for i, t := range pref {
		tp := p.f("preferredDuringSchedulingIgnoredDuringExecution").i(i)
		if b.dropped(w, tp) {
			continue
		}
		b.use(w, tp.f("weight"))
		b.record(ip.Field("preferred").Index(len(out.Preferred)), w, tp, false)
		out.Preferred = append(out.Preferred, &podcv1.WeightedPodAffinityTerm{Weight: t.Weight, Term: b.podTerm(w, tp.f("podAffinityTerm"), t.PodAffinityTerm)})
	}
	if len(out.Required) == 0 && len(out.Preferred) == 0 {
		return nil
	}
	return out
}

// podTerm maps a pod affinity term at p. An unset label selector is lost:
// compile writes the workload's own pods for it.
func (b *builder) podTerm(w *object, p fieldPath, t corev1.PodAffinityTerm) *podcv1.PodAffinityTerm {
	out := &podcv1.PodAffinityTerm{TopologyKey: t.TopologyKey, Namespaces: t.Namespaces}
	b.use(w, p.f("topologyKey"))
	b.use(w, p.f("namespaces"))
	if t.LabelSelector == nil {
		b.lose(w, p.f("labelSelector"), unsetPodSelector)
	} else {
		out.LabelSelector = b.labelSelector(w, p.f("labelSelector"), t.LabelSelector)
	}
	if t.NamespaceSelector != nil {
		out.NamespaceSelector = b.labelSelector(w, p.f("namespaceSelector"), t.NamespaceSelector)
	}
	out.MatchLabelKeys, out.MismatchLabelKeys = t.MatchLabelKeys, t.MismatchLabelKeys
	b.use(w, p.f("matchLabelKeys"))
	b.use(w, p.f("mismatchLabelKeys"))
	return out
}

// labelSelector maps a label selector at p; an empty one, which selects
// everything, stays an empty one.
func (b *builder) labelSelector(w *object, p fieldPath, s *metav1.LabelSelector) *podcv1.LabelSelector {
	out := &podcv1.LabelSelector{}
	if len(s.MatchLabels) > 0 {
		out.MatchLabels = map[string]string{}
		for k, v := range s.MatchLabels {
			out.MatchLabels[k] = v
		}
	}
	b.use(w, p.f("matchLabels"))
	for i, r := range s.MatchExpressions {
		rp := p.f("matchExpressions").i(i)
		for _, f := range []string{"key", "operator", "values"} {
			b.use(w, rp.f(f))
		}
		out.MatchExpressions = append(out.MatchExpressions, &podcv1.LabelSelectorRequirement{Key: r.Key, Operator: labelOperator(r.Operator), Values: r.Values})
	}
	return out
}

// labelOperator maps a label selector operator.
func labelOperator(op metav1.LabelSelectorOperator) podcv1.LabelSelectorOperator {
	return map[metav1.LabelSelectorOperator]podcv1.LabelSelectorOperator{
		metav1.LabelSelectorOpIn:           podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_IN,
		metav1.LabelSelectorOpNotIn:        podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_NOT_IN,
		metav1.LabelSelectorOpExists:       podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_EXISTS,
		metav1.LabelSelectorOpDoesNotExist: podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_DOES_NOT_EXIST,
	}[op]
}

// spread maps one topology spread constraint at p; nil when it is
// refused. An unset label selector is lost: compile writes the workload's
// own pods for it.
func (b *builder) spread(w *object, p fieldPath, c corev1.TopologySpreadConstraint) *podcv1.TopologySpreadConstraint {
	if b.dropped(w, p) {
		return nil
	}
	out := &podcv1.TopologySpreadConstraint{MaxSkew: c.MaxSkew, TopologyKey: c.TopologyKey, MinDomains: copyPtr(c.MinDomains), MatchLabelKeys: c.MatchLabelKeys}
	switch c.WhenUnsatisfiable {
	case corev1.DoNotSchedule:
		out.WhenUnsatisfiable = podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_DO_NOT_SCHEDULE
	case corev1.ScheduleAnyway:
		out.WhenUnsatisfiable = podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY
	}
	out.NodeAffinityPolicy = inclusionPolicy(c.NodeAffinityPolicy)
	out.NodeTaintsPolicy = inclusionPolicy(c.NodeTaintsPolicy)
	for _, f := range []string{"maxSkew", "topologyKey", "whenUnsatisfiable", "minDomains", "nodeAffinityPolicy", "nodeTaintsPolicy", "matchLabelKeys"} {
		b.use(w, p.f(f))
	}
	if c.LabelSelector == nil {
		b.lose(w, p.f("labelSelector"), unsetPodSelector)
	} else {
		out.LabelSelector = b.labelSelector(w, p.f("labelSelector"), c.LabelSelector)
	}
	b.record(diag.Path("topologySpreadConstraints").Index(len(b.wi.TopologySpreadConstraints)), w, p, false)
	return out
}

// inclusionPolicy maps a node inclusion policy; unset stays unset.
func inclusionPolicy(p *corev1.NodeInclusionPolicy) podcv1.NodeInclusionPolicy {
	switch {
	case p == nil:
	case *p == corev1.NodeInclusionPolicyHonor:
		return podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_HONOR
	case *p == corev1.NodeInclusionPolicyIgnore:
		return podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_IGNORE
	}
	return podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_UNSPECIFIED
}
