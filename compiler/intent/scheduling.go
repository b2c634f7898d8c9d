package intent

import (
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// scheduling checks where the pod may run: its node selector, tolerations,
// affinity, spread constraints, priority and runtime classes.
func (c *checker) scheduling() {
	wi := c.wi
	ns := wi.GetNodeSelector()
	for _, k := range sortedKeys(ns) {
		p := diag.Path("nodeSelector").Key(k)
		c.addMsgs(p, "label key", k, content.IsLabelKey(k))
		c.addMsgs(p, "label value", ns[k], content.IsLabelValue(ns[k]))
	}
	for i, t := range wi.GetTolerations() {
		c.toleration(diag.Path("tolerations").Index(i), t)
	}
	c.affinity(diag.Path("affinity"), wi.GetAffinity())
	c.spread()
	if pc := wi.GetPriorityClassName(); pc != "" {
		c.addMsgs("priorityClassName", "PriorityClass name", pc, content.IsDNS1123Subdomain(pc))
	}
	if rc := wi.GetRuntimeClassName(); rc != "" {
		c.addMsgs("runtimeClassName", "RuntimeClass name", rc, content.IsDNS1123Subdomain(rc))
	}
}

// toleration checks one toleration as the kube-apiserver does.
func (c *checker) toleration(p diag.Path, t *podcv1.Toleration) {
	if t == nil {
		t = &podcv1.Toleration{}
	}
	if !enumValid(t.GetOperator(), podcv1.TolerationOperator_name) {
		c.addf(p.Field("operator"), "unknown operator %d: want TOLERATION_OPERATOR_EQUAL or TOLERATION_OPERATOR_EXISTS", t.GetOperator())
		return
	}
	if !enumValid(t.GetEffect(), podcv1.TaintEffect_name) {
		c.addf(p.Field("effect"), "unknown effect %d: want TAINT_EFFECT_NO_SCHEDULE, TAINT_EFFECT_PREFER_NO_SCHEDULE or TAINT_EFFECT_NO_EXECUTE", t.GetEffect())
	}
	exists := t.GetOperator() == podcv1.TolerationOperator_TOLERATION_OPERATOR_EXISTS
	switch {
	case t.GetKey() == "" && !exists:
		c.addf(p.Field("key"), "required with TOLERATION_OPERATOR_EQUAL; an empty key with TOLERATION_OPERATOR_EXISTS tolerates every taint")
	case t.GetKey() != "":
		c.addMsgs(p.Field("key"), "taint key", t.GetKey(), content.IsLabelKey(t.GetKey()))
	}
	if exists && t.GetValue() != "" {
		c.addf(p.Field("value"), "refused with TOLERATION_OPERATOR_EXISTS, which matches any value")
	} else if !exists {
		c.addMsgs(p.Field("value"), "taint value", t.GetValue(), content.IsLabelValue(t.GetValue()))
	}
	if t.TolerationSeconds != nil && t.GetEffect() != podcv1.TaintEffect_TAINT_EFFECT_NO_EXECUTE {
		c.addf(p.Field("tolerationSeconds"), "only allowed with effect TAINT_EFFECT_NO_EXECUTE: it is how long the pod stays on a node that taints it")
	}
}

// affinity checks the node, pod and pod anti-affinity.
func (c *checker) affinity(p diag.Path, a *podcv1.Affinity) {
	if a == nil {
		return
	}
	if na := a.GetNode(); na != nil {
		np := p.Field("node")
		if len(na.GetRequired()) == 0 && len(na.GetPreferred()) == 0 {
			c.addf(np, "at least one required or preferred term is needed")
		}
		for i, t := range na.GetRequired() {
			c.nodeTerm(np.Field("required").Index(i), t)
		}
		for i, t := range na.GetPreferred() {
			tp := np.Field("preferred").Index(i)
			c.weight(tp.Field("weight"), t.GetWeight())
			c.nodeTerm(tp.Field("term"), t.GetTerm())
		}
	}
	for _, pa := range []struct {
		name string
		a    *podcv1.PodAffinity
	}{{"pod", a.GetPod()}, {"podAnti", a.GetPodAnti()}} {
		if pa.a == nil {
			continue
		}
		pp := p.Field(pa.name)
		if len(pa.a.GetRequired()) == 0 && len(pa.a.GetPreferred()) == 0 {
			c.addf(pp, "at least one required or preferred term is needed")
		}
		for i, t := range pa.a.GetRequired() {
			c.podTerm(pp.Field("required").Index(i), t)
		}
		for i, t := range pa.a.GetPreferred() {
			tp := pp.Field("preferred").Index(i)
			c.weight(tp.Field("weight"), t.GetWeight())
			c.podTerm(tp.Field("term"), t.GetTerm())
		}
	}
}

// weight checks a preference's weight: 1-100.
func (c *checker) weight(p diag.Path, w int32) {
	if w < 1 || w > 100 {
		c.addf(p, "%d: want 1-100", w)
	}
}

// nodeTerm checks a node selector term: at least one requirement, each
// with the values its operator takes.
func (c *checker) nodeTerm(p diag.Path, t *podcv1.NodeSelectorTerm) {
	if len(t.GetMatchExpressions()) == 0 && len(t.GetMatchFields()) == 0 {
		c.addf(p.Field("matchExpressions"), "at least one requirement (here or in matchFields) is needed: a term without any matches no node")
	}
	for i, r := range t.GetMatchFields() {
		rp := p.Field("matchFields").Index(i)
		if r.GetKey() != "metadata.name" {
			c.addf(rp.Field("key"), "%q is not a node field a term can match: the only one is \"metadata.name\"", r.GetKey())
		}
		switch r.GetOperator() {
		case podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_IN, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_NOT_IN:
		default:
			c.addf(rp.Field("operator"), "required: NODE_SELECTOR_OPERATOR_IN or _NOT_IN, the operators a node field takes")
		}
		if len(r.GetValues()) != 1 {
			c.addf(rp.Field("values"), "exactly one value is needed: a node name")
		}
		for j, v := range r.GetValues() {
			c.addMsgs(rp.Field("values").Index(j), "node name", v, apivalidation.NameIsDNSSubdomain(v, false))
		}
	}
	for i, r := range t.GetMatchExpressions() {
		rp := p.Field("matchExpressions").Index(i)
		c.labelKey(rp.Field("key"), r.GetKey())
		vs := r.GetValues()
		switch r.GetOperator() {
		case podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_IN, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_NOT_IN:
			if len(vs) == 0 {
				c.addf(rp.Field("values"), "at least one value is needed with %s", r.GetOperator())
			}
			for j, v := range vs {
				c.addMsgs(rp.Field("values").Index(j), "label value", v, content.IsLabelValue(v))
			}
		case podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_EXISTS, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_DOES_NOT_EXIST:
			if len(vs) > 0 {
				c.addf(rp.Field("values"), "refused with %s, which takes no values", r.GetOperator())
			}
		case podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_GT, podcv1.NodeSelectorOperator_NODE_SELECTOR_OPERATOR_LT:
			if len(vs) != 1 {
				c.addf(rp.Field("values"), "exactly one integer is needed with %s", r.GetOperator())
			} else if _, err := strconv.ParseInt(vs[0], 10, 64); err != nil {
				c.addf(rp.Field("values").Index(0), "%q is not an integer, which %s compares with", vs[0], r.GetOperator())
			} else {
				// A node label's value: a negative number is not one.
				c.addMsgs(rp.Field("values").Index(0), "label value", vs[0], content.IsLabelValue(vs[0]))
			}
		default:
			c.addf(rp.Field("operator"), "required: one of NODE_SELECTOR_OPERATOR_IN, _NOT_IN, _EXISTS, _DOES_NOT_EXIST, _GT or _LT")
		}
	}
}

// podTerm checks a pod affinity term.
func (c *checker) podTerm(p diag.Path, t *podcv1.PodAffinityTerm) {
	if t == nil {
		t = &podcv1.PodAffinityTerm{}
	}
	if t.LabelSelector != nil {
		c.labelSelector(p.Field("labelSelector"), t.GetLabelSelector())
	}
	for i, n := range t.GetNamespaces() {
		c.addMsgs(p.Field("namespaces").Index(i), "namespace", n, apivalidation.ValidateNamespaceName(n, false))
	}
	if t.NamespaceSelector != nil {
		c.labelSelector(p.Field("namespaceSelector"), t.GetNamespaceSelector())
	}
	if t.GetTopologyKey() == "" {
		c.addf(p.Field("topologyKey"), "required: the node label that makes a domain, such as \"kubernetes.io/hostname\"")
	} else {
		c.labelKey(p.Field("topologyKey"), t.GetTopologyKey())
	}
	c.labelKeysOfPod(p, t)
}

// labelKeysOfPod checks a pod affinity term's matchLabelKeys and
// mismatchLabelKeys: label keys, each once, not keys of the term's label
// selector (the workload's own when unset) and not in both lists.
func (c *checker) labelKeysOfPod(p diag.Path, t *podcv1.PodAffinityTerm) {
	if len(t.GetMatchLabelKeys())+len(t.GetMismatchLabelKeys()) == 0 {
		return
	}
	if !c.opts.Target.Has(target.AffinityMatchLabelKeys) {
		field := "matchLabelKeys"
		if len(t.GetMatchLabelKeys()) == 0 {
			field = "mismatchLabelKeys"
		}
		c.addf(p.Field(field), "needs Kubernetes 1.%d or newer; the target is %s", target.AffinityMatchLabelKeys.Since, c.opts.Target)
		return
	}
	selKeys := c.selectorKeys(t.GetLabelSelector(), t.LabelSelector != nil)
	seen := map[string]string{}
	for _, l := range []struct {
		name string
		keys []string
	}{{"matchLabelKeys", t.GetMatchLabelKeys()}, {"mismatchLabelKeys", t.GetMismatchLabelKeys()}} {
		for j, k := range l.keys {
			kp := p.Field(l.name).Index(j)
			switch {
			case k == "":
				c.addf(kp, "required: a label key")
			case c.addMsgs(kp, "label key", k, validation.IsQualifiedName(k)):
			case l.name == "matchLabelKeys" && selKeys[k]:
				c.addf(kp, "%q is a key of the labelSelector already (the workload's own when unset)", k)
			default:
				if prev, dup := seen[k]; dup {
					c.addf(kp, "duplicate key %q: also at %s", k, prev)
				} else {
					seen[k] = fmt.Sprintf("%s[%d]", l.name, j)
				}
			}
		}
	}
}

// labelSelector checks a label selector.
func (c *checker) labelSelector(p diag.Path, s *podcv1.LabelSelector) {
	ml := s.GetMatchLabels()
	for _, k := range sortedKeys(ml) {
		kp := p.Field("matchLabels").Key(k)
		c.addMsgs(kp, "label key", k, content.IsLabelKey(k))
		c.addMsgs(kp, "label value", ml[k], content.IsLabelValue(ml[k]))
	}
	for i, r := range s.GetMatchExpressions() {
		rp := p.Field("matchExpressions").Index(i)
		c.labelKey(rp.Field("key"), r.GetKey())
		switch r.GetOperator() {
		case podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_IN, podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_NOT_IN:
			if len(r.GetValues()) == 0 {
				c.addf(rp.Field("values"), "at least one value is needed with %s", r.GetOperator())
			}
			for j, v := range r.GetValues() {
				c.addMsgs(rp.Field("values").Index(j), "label value", v, content.IsLabelValue(v))
			}
		case podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_EXISTS, podcv1.LabelSelectorOperator_LABEL_SELECTOR_OPERATOR_DOES_NOT_EXIST:
			if len(r.GetValues()) > 0 {
				c.addf(rp.Field("values"), "refused with %s, which takes no values", r.GetOperator())
			}
		default:
			c.addf(rp.Field("operator"), "required: one of LABEL_SELECTOR_OPERATOR_IN, _NOT_IN, _EXISTS or _DOES_NOT_EXIST")
		}
	}
}

// labelKey checks a label key: required, qualified.
func (c *checker) labelKey(p diag.Path, k string) {
	if k == "" {
		c.addf(p, "required: a label key")
		return
	}
	c.addMsgs(p, "label key", k, content.IsLabelKey(k))
}

// spread checks the topology spread constraints, and that the target has
// the fields they use.
func (c *checker) spread() {
	seen := map[string]int{}
	for i, s := range c.wi.GetTopologySpreadConstraints() {
		p := diag.Path("topologySpreadConstraints").Index(i)
		if s == nil {
			s = &podcv1.TopologySpreadConstraint{}
		}
		if s.GetMaxSkew() < 0 {
			c.addf(p.Field("maxSkew"), "%d: want 1 or more (0 means 1)", s.GetMaxSkew())
		}
		if s.GetTopologyKey() == "" {
			c.addf(p.Field("topologyKey"), "required: the node label that makes a domain, such as \"topology.kubernetes.io/zone\"")
		} else {
			c.labelKey(p.Field("topologyKey"), s.GetTopologyKey())
		}
		if !enumValid(s.GetWhenUnsatisfiable(), podcv1.WhenUnsatisfiable_name) {
			c.addf(p.Field("whenUnsatisfiable"), "unknown value %d: want WHEN_UNSATISFIABLE_DO_NOT_SCHEDULE or WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY", s.GetWhenUnsatisfiable())
		}
		anyway := s.GetWhenUnsatisfiable() == podcv1.WhenUnsatisfiable_WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY
		key := s.GetTopologyKey() + " " + strconv.FormatBool(anyway)
		if j, dup := seen[key]; dup && s.GetTopologyKey() != "" {
			c.addf(p, "a second constraint on %q with the same whenUnsatisfiable as topologySpreadConstraints[%d]: merge them", s.GetTopologyKey(), j)
		} else {
			seen[key] = i
		}
		if s.LabelSelector != nil {
			c.labelSelector(p.Field("labelSelector"), s.GetLabelSelector())
		}
		if s.MinDomains != nil {
			switch {
			case !c.opts.Target.Has(target.SpreadMinDomains):
				c.addf(p.Field("minDomains"), "needs Kubernetes 1.%d or newer; the target is %s", target.SpreadMinDomains.Since, c.opts.Target)
			case s.GetMinDomains() < 1:
				c.addf(p.Field("minDomains"), "%d: want 1 or more", s.GetMinDomains())
			case anyway:
				c.addf(p.Field("minDomains"), "only allowed with WHEN_UNSATISFIABLE_DO_NOT_SCHEDULE")
			}
		}
		for _, f := range []struct {
			name string
			v    podcv1.NodeInclusionPolicy
		}{{"nodeAffinityPolicy", s.GetNodeAffinityPolicy()}, {"nodeTaintsPolicy", s.GetNodeTaintsPolicy()}} {
			switch {
			case !enumValid(f.v, podcv1.NodeInclusionPolicy_name):
				c.addf(p.Field(f.name), "unknown policy %d: want NODE_INCLUSION_POLICY_HONOR or NODE_INCLUSION_POLICY_IGNORE", f.v)
			case f.v != podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_UNSPECIFIED && !c.opts.Target.Has(target.SpreadNodePolicies):
				c.addf(p.Field(f.name), "needs Kubernetes 1.%d or newer; the target is %s", target.SpreadNodePolicies.Since, c.opts.Target)
			}
		}
		if len(s.GetMatchLabelKeys()) > 0 && !c.opts.Target.Has(target.SpreadMatchLabelKeys) {
			c.addf(p.Field("matchLabelKeys"), "needs Kubernetes 1.%d or newer; the target is %s", target.SpreadMatchLabelKeys.Since, c.opts.Target)
		}
		selKeys := c.selectorKeys(s.GetLabelSelector(), s.LabelSelector != nil)
		keys := map[string]int{}
		for j, k := range s.GetMatchLabelKeys() {
			kp := p.Field("matchLabelKeys").Index(j)
			switch {
			case k == "":
				c.addf(kp, "required: a label key")
			case c.addMsgs(kp, "label key", k, validation.IsQualifiedName(k)):
			case selKeys[k]:
				c.addf(kp, "%q is a key of the labelSelector already (the workload's own when unset)", k)
			default:
				if prev, dup := keys[k]; dup {
					c.addf(kp, "duplicate key %q: also at matchLabelKeys[%d]", k, prev)
				}
				keys[k] = j
			}
		}
	}
}

// selectorKeys returns the keys a spread constraint's label selector
// reads: its own, or the workload's selector's when it is unset (a kept
// selector, else podc's own labels).
func (c *checker) selectorKeys(s *podcv1.LabelSelector, set bool) map[string]bool {
	keys := map[string]bool{}
	if !set {
		if sel := c.wi.GetSelector(); len(sel) > 0 {
			for k := range sel {
				keys[k] = true
			}
			return keys
		}
		keys[LabelName] = true
		keys[LabelManagedBy] = true
		return keys
	}
	for k := range s.GetMatchLabels() {
		keys[k] = true
	}
	for _, r := range s.GetMatchExpressions() {
		keys[r.GetKey()] = true
	}
	return keys
}
