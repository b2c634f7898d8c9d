package compile

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// scheduling compiles where the pod may run into spec and records it under
// the pod spec's node sn: node selector, tolerations, affinity, spread
// constraints, priority and runtime classes.
func (b *builder) scheduling(spec *corev1.PodSpec, sn provenance.Node) {
	wi := b.wi
	r := b.rec
	if ns := wi.GetNodeSelector(); len(ns) > 0 {
		np := b.in("nodeSelector")
		n := b.put(sn, "nodeSelector", np)
		spec.NodeSelector = make(map[string]string, len(ns))
		for k, v := range ns {
			spec.NodeSelector[k] = v
			r.Key(n, k, provenance.FromIntent(r.AtKey(np, k)))
		}
	}
	spec.Tolerations = b.tolerations(sn)
	spec.Affinity = b.affinity(sn)
	spec.TopologySpreadConstraints = b.spread(sn)
	if pc := wi.GetPriorityClassName(); pc != "" {
		spec.PriorityClassName = pc
		b.put(sn, "priorityClassName", b.in("priorityClassName"))
	}
	if rc := wi.GetRuntimeClassName(); rc != "" {
		spec.RuntimeClassName = &rc
		b.put(sn, "runtimeClassName", b.in("runtimeClassName"))
	}
}

// tolerations compiles the tolerations, an unset operator written out as
// Equal.
func (b *builder) tolerations(sn provenance.Node) []corev1.Toleration {
	ts := b.wi.GetTolerations()
	if len(ts) == 0 {
		return nil
	}
	r := b.rec
	lp := b.in("tolerations")
	list := b.put(sn, "tolerations", lp)
	out := make([]corev1.Toleration, 0, len(ts))
	for i, t := range ts {
		ep := r.At(lp, i)
		en := r.Index(list, i, provenance.FromIntent(ep))
		tol := corev1.Toleration{Key: t.GetKey(), Value: t.GetValue(), Operator: corev1.TolerationOpEqual, TolerationSeconds: copyPtr(t.TolerationSeconds)}
		b.putIf(tol.Key != "", en, "key", r.In(ep, "key"))
		b.putIf(tol.Value != "", en, "value", r.In(ep, "value"))
		switch t.GetOperator() {
		case podcv1.TolerationOperator_TOLERATION_OPERATOR_EXISTS:
			tol.Operator = corev1.TolerationOpExists
		case podcv1.TolerationOperator_TOLERATION_OPERATOR_UNSPECIFIED:
			b.def(diag.Path("tolerations").Index(i).Field("operator"), "TOLERATION_OPERATOR_EQUAL", "unset: the taint's value must equal the toleration's")
		}
		r.Field(en, "operator", from(t.GetOperator() != podcv1.TolerationOperator_TOLERATION_OPERATOR_UNSPECIFIED, r.In(ep, "operator")))
		switch t.GetEffect() {
		case podcv1.TaintEffect_TAINT_EFFECT_NO_SCHEDULE:
			tol.Effect = corev1.TaintEffectNoSchedule
		case podcv1.TaintEffect_TAINT_EFFECT_PREFER_NO_SCHEDULE:
			tol.Effect = corev1.TaintEffectPreferNoSchedule
		case podcv1.TaintEffect_TAINT_EFFECT_NO_EXECUTE:
			tol.Effect = corev1.TaintEffectNoExecute
		}
		b.putIf(tol.Effect != "", en, "effect", r.In(ep, "effect"))
		b.putIf(tol.TolerationSeconds != nil, en, "tolerationSeconds", r.In(ep, "tolerationSeconds"))
		out = append(out, tol)
	}
	return out
}

// affinity compiles the node, pod and pod anti-affinity, with a preferred
// anti-affinity term for each of protection.antiAffinityTopologyKeys after
// the intent's own; nil when there is none.
func (b *builder) affinity(sn provenance.Node) *corev1.Affinity {
	a := b.wi.GetAffinity()
	anti := b.wi.GetProtection().GetAntiAffinityTopologyKeys()
	if a == nil && len(anti) == 0 {
		return nil
	}
	r := b.rec
	ap := b.in("affinity")
	an := r.Field(sn, "affinity", provenance.Holder)
	if a != nil {
		an = b.put(sn, "affinity", ap)
	}
	out := &corev1.Affinity{}
	if na := a.GetNode(); na != nil {
		np := r.In(ap, "node")
		nn := b.put(an, "nodeAffinity", np)
		out.NodeAffinity = &corev1.NodeAffinity{}
		if req := na.GetRequired(); len(req) > 0 {
			rp := r.In(np, "required")
			rn := b.put(r.Field(nn, "requiredDuringSchedulingIgnoredDuringExecution", provenance.Holder), "nodeSelectorTerms", rp)
			sel := &corev1.NodeSelector{}
			for i, t := range req {
				tp := r.At(rp, i)
				sel.NodeSelectorTerms = append(sel.NodeSelectorTerms, b.nodeTerm(r.Index(rn, i, provenance.FromIntent(tp)), tp, t))
			}
			out.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = sel
		}
		if pref := na.GetPreferred(); len(pref) > 0 {
			pp := r.In(np, "preferred")
			pn := b.put(nn, "preferredDuringSchedulingIgnoredDuringExecution", pp)
			for i, t := range pref {
				tp := r.At(pp, i)
				en := r.Index(pn, i, provenance.FromIntent(tp))
				b.put(en, "weight", r.In(tp, "weight"))
				term := r.In(tp, "term")
				out.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = append(out.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution,
					corev1.PreferredSchedulingTerm{Weight: t.GetWeight(), Preference: b.nodeTerm(b.put(en, "preference", term), term, t.GetTerm())})
			}
		}
	}
	if pa := a.GetPod(); pa != nil {
		pp := r.In(ap, "pod")
		req, pref, _ := b.podTerms(diag.Path("affinity").Field("pod"), b.put(an, "podAffinity", pp), pp, pa)
		out.PodAffinity = &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: req, PreferredDuringSchedulingIgnoredDuringExecution: pref}
	}
	if pa := a.GetPodAnti(); pa != nil || len(anti) > 0 {
		pp := r.In(ap, "podAnti")
		pn := r.Field(an, "podAntiAffinity", provenance.Holder)
		if pa != nil {
			pn = b.put(an, "podAntiAffinity", pp)
		}
		req, pref, list := b.podTerms(diag.Path("affinity").Field("podAnti"), pn, pp, pa)
		if len(anti) > 0 && list == none {
			list = r.Field(pn, "preferredDuringSchedulingIgnoredDuringExecution", provenance.Holder)
		}
		kp := r.In(b.in("protection"), "antiAffinityTopologyKeys")
		for i, k := range anti {
			src := provenance.FromIntent(r.At(kp, i))
			en := r.Index(list, len(pref), src)
			r.Field(en, "weight", src)
			tn := r.Field(en, "podAffinityTerm", provenance.Holder)
			r.Field(tn, "topologyKey", src)
			b.recordOwnPods(tn, src)
			pref = append(pref, corev1.WeightedPodAffinityTerm{Weight: 100, PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchLabels: b.selector()}, TopologyKey: k,
			}})
		}
		out.PodAntiAffinity = &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: req, PreferredDuringSchedulingIgnoredDuringExecution: pref}
	}
	return out
}

// recordOwnPods records, under node n, a label selector of the workload's
// own pods (labelSelector.matchLabels: the selector) that src wrote.
func (b *builder) recordOwnPods(n provenance.Node, src provenance.From) {
	ml := b.rec.Field(b.rec.Field(n, "labelSelector", provenance.Holder), "matchLabels", provenance.Holder)
	for k := range b.selector() {
		b.rec.Key(ml, k, src)
	}
}

// nodeTerm compiles a node selector term, recorded under its node n from
// the intent term tp.
func (b *builder) nodeTerm(n provenance.Node, tp provenance.Path, t *podcv1.NodeSelectorTerm) corev1.NodeSelectorTerm {
	var out corev1.NodeSelectorTerm
	out.MatchExpressions = b.nodeRequirements(n, tp, "matchExpressions", t.GetMatchExpressions())
	out.MatchFields = b.nodeRequirements(n, tp, "matchFields", t.GetMatchFields())
	return out
}

// nodeRequirements compiles the node selector requirements of the term's
// field name (matchExpressions or matchFields), recorded under the term's
// node n from the intent term tp; nil when there are none.
func (b *builder) nodeRequirements(n provenance.Node, tp provenance.Path, name string, reqs []*podcv1.NodeSelectorRequirement) []corev1.NodeSelectorRequirement {
	if len(reqs) == 0 {
		return nil
	}
	r := b.rec
	mp := r.In(tp, name)
	list := b.put(n, name, mp)
	out := make([]corev1.NodeSelectorRequirement, 0, len(reqs))
	for i, req := range reqs {
		ep := r.At(mp, i)
		en := r.Index(list, i, provenance.FromIntent(ep))
		b.put(en, "key", r.In(ep, "key"))
		b.put(en, "operator", r.In(ep, "operator"))
		b.putStrings(en, "values", r.In(ep, "values"), len(req.GetValues()))
		out = append(out, corev1.NodeSelectorRequirement{
			Key: req.GetKey(), Operator: nodeOperator(req.GetOperator()), Values: copyStrings(req.GetValues()),
		})
	}
	return out
}

// nodeOperator maps a node selector operator.
func nodeOperator(op podcv1.NodeSelectorOperator) corev1.NodeSelectorOperator {
	return map[podcv1.NodeSelectorOperator]corev1.NodeSelectorOperator{
		podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_IN:             corev1.NodeSelectorOpIn,
		podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_NOT_IN:         corev1.NodeSelectorOpNotIn,
		podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_EXISTS:         corev1.NodeSelectorOpExists,
		podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_DOES_NOT_EXIST: corev1.NodeSelectorOpDoesNotExist,
		podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_GT:             corev1.NodeSelectorOpGt,
		podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_LT:             corev1.NodeSelectorOpLt,
	}[op]
}

// podTerms compiles the required and preferred terms of a pod affinity or
// anti-affinity at intent path p, recorded under node n from the intent
// field ap. It returns the node of the preferred terms' list too, none
// when there are none.
func (b *builder) podTerms(p diag.Path, n provenance.Node, ap provenance.Path, a *podcv1.PodAffinity) ([]corev1.PodAffinityTerm, []corev1.WeightedPodAffinityTerm, provenance.Node) {
	r := b.rec
	var req []corev1.PodAffinityTerm
	var pref []corev1.WeightedPodAffinityTerm
	prefList := none
	if len(a.GetRequired()) > 0 {
		rp := r.In(ap, "required")
		list := b.put(n, "requiredDuringSchedulingIgnoredDuringExecution", rp)
		for i, t := range a.GetRequired() {
			tp := r.At(rp, i)
			req = append(req, b.podTerm(p.Field("required").Index(i), r.Index(list, i, provenance.FromIntent(tp)), tp, t))
		}
	}
	if len(a.GetPreferred()) > 0 {
		pp := r.In(ap, "preferred")
		list := b.put(n, "preferredDuringSchedulingIgnoredDuringExecution", pp)
		prefList = list
		for i, t := range a.GetPreferred() {
			tp := r.At(pp, i)
			en := r.Index(list, i, provenance.FromIntent(tp))
			b.put(en, "weight", r.In(tp, "weight"))
			term := r.In(tp, "term")
			pref = append(pref, corev1.WeightedPodAffinityTerm{Weight: t.GetWeight(),
				PodAffinityTerm: b.podTerm(p.Field("preferred").Index(i).Field("term"), b.put(en, "podAffinityTerm", term), term, t.GetTerm())})
		}
	}
	return req, pref, prefList
}

// podTerm compiles a pod affinity term at intent path p, recorded under
// node n from the intent term tp; an unset label selector is written out
// as the workload's own pods.
func (b *builder) podTerm(p diag.Path, n provenance.Node, tp provenance.Path, t *podcv1.PodAffinityTerm) corev1.PodAffinityTerm {
	r := b.rec
	out := corev1.PodAffinityTerm{TopologyKey: t.GetTopologyKey(), Namespaces: copyStrings(t.GetNamespaces())}
	out.LabelSelector = b.podSelector(p.Field("labelSelector"), n, r.In(tp, "labelSelector"), t.GetLabelSelector())
	b.putStrings(n, "namespaces", r.In(tp, "namespaces"), len(out.Namespaces))
	if t.GetNamespaceSelector() != nil {
		out.NamespaceSelector = b.labelSelector(b.put(n, "namespaceSelector", r.In(tp, "namespaceSelector")), r.In(tp, "namespaceSelector"), t.GetNamespaceSelector())
	}
	b.put(n, "topologyKey", r.In(tp, "topologyKey"))
	out.MatchLabelKeys = copyStrings(t.GetMatchLabelKeys())
	b.putStrings(n, "matchLabelKeys", r.In(tp, "matchLabelKeys"), len(out.MatchLabelKeys))
	out.MismatchLabelKeys = copyStrings(t.GetMismatchLabelKeys())
	b.putStrings(n, "mismatchLabelKeys", r.In(tp, "mismatchLabelKeys"), len(out.MismatchLabelKeys))
	return out
}

// podSelector compiles the label selector of pods at intent path p,
// recorded as field labelSelector of node n from the intent field sp; nil
// in the intent selects the workload's own pods, written out.
func (b *builder) podSelector(p diag.Path, n provenance.Node, sp provenance.Path, s *podcv1.LabelSelector) *metav1.LabelSelector {
	if s != nil {
		return b.labelSelector(b.put(n, "labelSelector", sp), sp, s)
	}
	sn := b.rec.Field(n, "labelSelector", provenance.Holder)
	ml := b.rec.Field(sn, "matchLabels", provenance.Holder)
	sel := b.selector()
	keys := make([]string, 0, len(sel))
	for k := range sel {
		keys = append(keys, k)
		b.rec.Key(ml, k, provenance.CompilerDefault(sp))
	}
	sort.Strings(keys)
	var desc string
	for i, k := range keys {
		if i > 0 {
			desc += ", "
		}
		desc += k + "=" + sel[k]
	}
	b.def(p, fmt.Sprintf("matchLabels {%s}", desc), "unset: the workload's own pods")
	return &metav1.LabelSelector{MatchLabels: sel}
}

// labelSelector compiles a label selector recorded under its node n from
// the intent selector sp.
func (b *builder) labelSelector(n provenance.Node, sp provenance.Path, s *podcv1.LabelSelector) *metav1.LabelSelector {
	r := b.rec
	out := &metav1.LabelSelector{}
	if ml := s.GetMatchLabels(); len(ml) > 0 {
		mp := r.In(sp, "matchLabels")
		mn := b.put(n, "matchLabels", mp)
		out.MatchLabels = make(map[string]string, len(ml))
		for k, v := range ml {
			out.MatchLabels[k] = v
			r.Key(mn, k, provenance.FromIntent(r.AtKey(mp, k)))
		}
	}
	if len(s.GetMatchExpressions()) > 0 {
		mp := r.In(sp, "matchExpressions")
		list := b.put(n, "matchExpressions", mp)
		for i, req := range s.GetMatchExpressions() {
			ep := r.At(mp, i)
			en := r.Index(list, i, provenance.FromIntent(ep))
			b.put(en, "key", r.In(ep, "key"))
			b.put(en, "operator", r.In(ep, "operator"))
			b.putStrings(en, "values", r.In(ep, "values"), len(req.GetValues()))
			out.MatchExpressions = append(out.MatchExpressions, metav1.LabelSelectorRequirement{
				Key: req.GetKey(), Operator: labelOperator(req.GetOperator()), Values: copyStrings(req.GetValues()),
			})
		}
	}
	return out
}

// labelOperator maps a label selector operator.
func labelOperator(op podcv1.LabelSelectorOperator) metav1.LabelSelectorOperator {
	return map[podcv1.LabelSelectorOperator]metav1.LabelSelectorOperator{
		podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_IN:             metav1.LabelSelectorOpIn,
		podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_NOT_IN:         metav1.LabelSelectorOpNotIn,
		podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_EXISTS:         metav1.LabelSelectorOpExists,
		podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_DOES_NOT_EXIST: metav1.LabelSelectorOpDoesNotExist,
	}[op]
}

// spread compiles the topology spread constraints: an unset maxSkew,
// whenUnsatisfiable and label selector are written out. After them comes
// one for each of protection.spreadTopologyKeys: maxSkew 1 over the
// workload's own pods, scheduling anyway.
func (b *builder) spread(sn provenance.Node) []corev1.TopologySpreadConstraint {
	cs := b.wi.GetTopologySpreadConstraints()
	keys := b.wi.GetProtection().GetSpreadTopologyKeys()
	if len(cs) == 0 && len(keys) == 0 {
		return nil
	}
	r := b.rec
	lp := b.in("topologySpreadConstraints")
	list := r.Field(sn, "topologySpreadConstraints", provenance.Holder)
	if len(cs) > 0 {
		list = b.put(sn, "topologySpreadConstraints", lp)
	}
	var out []corev1.TopologySpreadConstraint
	for i, s := range cs {
		p := diag.Path("topologySpreadConstraints").Index(i)
		ep := r.At(lp, i)
		en := r.Index(list, i, provenance.FromIntent(ep))
		c := corev1.TopologySpreadConstraint{MaxSkew: s.GetMaxSkew(), TopologyKey: s.GetTopologyKey(), WhenUnsatisfiable: corev1.DoNotSchedule}
		if c.MaxSkew == 0 {
			c.MaxSkew = 1
			b.def(p.Field("maxSkew"), "1", "unset: the domains' pod counts differ by at most one")
		}
		r.Field(en, "maxSkew", from(s.GetMaxSkew() != 0, r.In(ep, "maxSkew")))
		b.put(en, "topologyKey", r.In(ep, "topologyKey"))
		switch s.GetWhenUnsatisfiable() {
		case podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY:
			c.WhenUnsatisfiable = corev1.ScheduleAnyway
		case podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_UNSPECIFIED:
			b.def(p.Field("whenUnsatisfiable"), "WHEN_UNSATISFIABLE_DO_NOT_SCHEDULE", "unset: a pod no node can take within the skew stays pending")
		}
		r.Field(en, "whenUnsatisfiable", from(s.GetWhenUnsatisfiable() != podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_UNSPECIFIED, r.In(ep, "whenUnsatisfiable")))
		c.LabelSelector = b.podSelector(p.Field("labelSelector"), en, r.In(ep, "labelSelector"), s.GetLabelSelector())
		if s.MinDomains != nil {
			c.MinDomains = copyPtr(s.MinDomains)
			b.put(en, "minDomains", r.In(ep, "minDomains"))
		}
		c.NodeAffinityPolicy = inclusionPolicy(s.GetNodeAffinityPolicy())
		b.putIf(c.NodeAffinityPolicy != nil, en, "nodeAffinityPolicy", r.In(ep, "nodeAffinityPolicy"))
		c.NodeTaintsPolicy = inclusionPolicy(s.GetNodeTaintsPolicy())
		b.putIf(c.NodeTaintsPolicy != nil, en, "nodeTaintsPolicy", r.In(ep, "nodeTaintsPolicy"))
		c.MatchLabelKeys = copyStrings(s.GetMatchLabelKeys())
		b.putStrings(en, "matchLabelKeys", r.In(ep, "matchLabelKeys"), len(c.MatchLabelKeys))
		out = append(out, c)
	}
	kp := r.In(b.in("protection"), "spreadTopologyKeys")
	for i, k := range keys {
		src := provenance.FromIntent(r.At(kp, i))
		en := r.Index(list, len(out), src)
		r.Field(en, "maxSkew", src)
		r.Field(en, "topologyKey", src)
		r.Field(en, "whenUnsatisfiable", src)
		b.recordOwnPods(en, src)
		out = append(out, corev1.TopologySpreadConstraint{
			MaxSkew: 1, TopologyKey: k, WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector: &metav1.LabelSelector{MatchLabels: b.selector()},
		})
	}
	return out
}

// inclusionPolicy maps a node inclusion policy; unset is nil.
func inclusionPolicy(p podcv1.NodeInclusionPolicy) *corev1.NodeInclusionPolicy {
	var v corev1.NodeInclusionPolicy
	switch p {
	case podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_HONOR:
		v = corev1.NodeInclusionPolicyHonor
	case podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_IGNORE:
		v = corev1.NodeInclusionPolicyIgnore
	default:
		return nil
	}
	return &v
}
