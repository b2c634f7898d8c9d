package policy

import (
	"strconv"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/provenance"
)

// The flattened objects that govern the workload: its
// PodDisruptionBudgets, HorizontalPodAutoscalers and NetworkPolicies, each
// with whether it selects (or scales) the workload, which Go works out
// from the objects so rules need not match selectors. Their shapes are
// #DisruptionBudget, #Autoscaler and #NetworkPolicy in prelude.cue.

type inDisruptionBudget struct {
	Name            string            `json:"name"`
	Ref             string            `json:"ref"`
	Field           string            `json:"field"`
	SelectsWorkload bool              `json:"selectsWorkload"`
	MaxUnavailable  *inManifestAmount `json:"maxUnavailable"`
	MinAvailable    *inManifestAmount `json:"minAvailable"`
	// UnhealthyPodEvictionPolicy is "IfHealthyBudget" or "AlwaysAllow";
	// "" when unset.
	UnhealthyPodEvictionPolicy string `json:"unhealthyPodEvictionPolicy"`
}

// inManifestAmount is a budget's amount at its manifest path, with the
// intent field it came from.
type inManifestAmount struct {
	Path    string `json:"path"`
	Field   string `json:"field"`
	Value   int32  `json:"value"`
	Percent bool   `json:"percent"`
}

type inAutoscaler struct {
	Name           string     `json:"name"`
	Ref            string     `json:"ref"`
	Field          string     `json:"field"`
	Target         inScaleRef `json:"scaleTargetRef"`
	ScalesWorkload bool       `json:"scalesWorkload"`
	MinReplicas    int32      `json:"minReplicas"`
	MaxReplicas    int32      `json:"maxReplicas"`
	Metrics        []inMetric `json:"metrics"`
}

type inScaleRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
}

// inMetric is one of an autoscaler's metrics: its type, and for a
// Resource metric the resource and its target (averageUtilization 0 when
// the target is not a utilization).
type inMetric struct {
	Path               string `json:"path"`
	Field              string `json:"field"`
	Type               string `json:"type"`
	Resource           string `json:"resource"`
	TargetType         string `json:"targetType"`
	AverageUtilization int32  `json:"averageUtilization"`
}

type inNetworkPolicyObj struct {
	Name            string          `json:"name"`
	Ref             string          `json:"ref"`
	Field           string          `json:"field"`
	SelectsWorkload bool            `json:"selectsWorkload"`
	PolicyTypes     []string        `json:"policyTypes"`
	Ingress         []inIngressRule `json:"ingress"`
	// Egress is how many egress rules it has.
	Egress int `json:"egress"`
}

// inIngressRule is one ingress rule: from anywhere when it names no peer.
type inIngressRule struct {
	Path     string         `json:"path"`
	Anywhere bool           `json:"anywhere"`
	Peers    []inPeer       `json:"peers"`
	Ports    []inPolicyPort `json:"ports"`
}

// inPeer is one peer of a rule; nil selectors and "" are unset.
type inPeer struct {
	Pods       *inSelector `json:"podSelector"`
	Namespaces *inSelector `json:"namespaceSelector"`
	IPBlock    string      `json:"ipBlock"`
}

type inSelector struct {
	MatchLabels      map[string]string `json:"matchLabels"`
	MatchExpressions []inRequirement   `json:"matchExpressions"`
}

type inRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

// inPolicyPort is a port a rule admits: its protocol ("TCP" when unset)
// and port as written ("" for every port), with the intent field of the
// port it came from.
type inPolicyPort struct {
	Field    string `json:"field"`
	Protocol string `json:"protocol"`
	Port     string `json:"port"`
}

// flattenGoverning adds the objects governing the workload, whose pods
// carry pods, to out; an autoscaler that scales the Deployment sets its
// replicas to the autoscaler's minimum.
func flattenGoverning(out *inManifests, objs []runtime.Object, pods map[string]string, src *provenance.Record) {
	w := &out.Workload
	for _, o := range objs {
		switch obj := o.(type) {
		case *policyv1.PodDisruptionBudget:
			ref := "PodDisruptionBudget/" + obj.Name
			b := inDisruptionBudget{Name: obj.Name, Ref: ref, Field: src.IntentField(ref, ""), SelectsWorkload: selectsPods(obj.Spec.Selector, pods)}
			b.MaxUnavailable = manifestAmount(obj.Spec.MaxUnavailable, ref, "spec.maxUnavailable", src)
			b.MinAvailable = manifestAmount(obj.Spec.MinAvailable, ref, "spec.minAvailable", src)
			if p := obj.Spec.UnhealthyPodEvictionPolicy; p != nil {
				b.UnhealthyPodEvictionPolicy = string(*p)
			}
			out.DisruptionBudgets = append(out.DisruptionBudgets, b)
		case *autoscalingv2.HorizontalPodAutoscaler:
			ref := "HorizontalPodAutoscaler/" + obj.Name
			t := obj.Spec.ScaleTargetRef
			a := inAutoscaler{
				Name: obj.Name, Ref: ref, Field: src.IntentField(ref, ""),
				Target:         inScaleRef{APIVersion: t.APIVersion, Kind: t.Kind, Name: t.Name},
				ScalesWorkload: w.Kind == "Deployment" && t.APIVersion == "apps/v1" && t.Kind == "Deployment" && t.Name == w.Name,
				MinReplicas:    1, MaxReplicas: obj.Spec.MaxReplicas, Metrics: []inMetric{},
			}
			if obj.Spec.MinReplicas != nil {
				a.MinReplicas = *obj.Spec.MinReplicas
			}
			for i, m := range obj.Spec.Metrics {
				path := "spec.metrics[" + strconv.Itoa(i) + "]"
				im := inMetric{Path: path, Field: src.IntentField(ref, path), Type: string(m.Type)}
				if r := m.Resource; r != nil {
					im.Resource, im.TargetType = string(r.Name), string(r.Target.Type)
					if r.Target.AverageUtilization != nil {
						im.AverageUtilization = *r.Target.AverageUtilization
					}
				}
				a.Metrics = append(a.Metrics, im)
			}
			if a.ScalesWorkload {
				w.Autoscaled, w.Replicas = true, a.MinReplicas
			}
			out.Autoscalers = append(out.Autoscalers, a)
		case *networkingv1.NetworkPolicy:
			ref := "NetworkPolicy/" + obj.Name
			np := inNetworkPolicyObj{
				Name: obj.Name, Ref: ref, Field: src.IntentField(ref, ""),
				SelectsWorkload: selectsPods(&obj.Spec.PodSelector, pods),
				PolicyTypes:     []string{}, Ingress: []inIngressRule{}, Egress: len(obj.Spec.Egress),
			}
			for _, t := range obj.Spec.PolicyTypes {
				np.PolicyTypes = append(np.PolicyTypes, string(t))
			}
			for i, r := range obj.Spec.Ingress {
				path := "spec.ingress[" + strconv.Itoa(i) + "]"
				ir := inIngressRule{Path: path, Anywhere: len(r.From) == 0, Peers: []inPeer{}, Ports: []inPolicyPort{}}
				for _, p := range r.From {
					peer := inPeer{Pods: selectorOf(p.PodSelector), Namespaces: selectorOf(p.NamespaceSelector)}
					if p.IPBlock != nil {
						peer.IPBlock = p.IPBlock.CIDR
					}
					ir.Peers = append(ir.Peers, peer)
				}
				for j, p := range r.Ports {
					pp := inPolicyPort{Field: src.IntentField(ref, path+".ports["+strconv.Itoa(j)+"]"), Protocol: "TCP"}
					if p.Protocol != nil {
						pp.Protocol = string(*p.Protocol)
					}
					if p.Port != nil {
						pp.Port = p.Port.String()
					}
					ir.Ports = append(ir.Ports, pp)
				}
				np.Ingress = append(np.Ingress, ir)
			}
			out.NetworkPolicies = append(out.NetworkPolicies, np)
		}
	}
}

// selectsPods reports whether sel selects pods carrying labels: a
// selector that selects everything does too.
func selectsPods(sel *metav1.LabelSelector, pods map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(pods))
}

// manifestAmount flattens a budget's amount at path of object ref; nil
// when unset.
func manifestAmount(v *intstr.IntOrString, ref, path string, src *provenance.Record) *inManifestAmount {
	if v == nil {
		return nil
	}
	a := &inManifestAmount{Path: path, Field: src.IntentField(ref, path)}
	if v.Type == intstr.Int {
		a.Value = v.IntVal
		return a
	}
	digits, percent := strings.CutSuffix(v.StrVal, "%")
	if n, err := strconv.ParseInt(digits, 10, 32); err == nil {
		a.Value, a.Percent = int32(n), percent
	}
	return a
}

// selectorOf flattens a label selector; nil when unset.
func selectorOf(s *metav1.LabelSelector) *inSelector {
	if s == nil {
		return nil
	}
	out := &inSelector{MatchLabels: map[string]string{}, MatchExpressions: []inRequirement{}}
	for k, v := range s.MatchLabels {
		out.MatchLabels[k] = v
	}
	for _, r := range s.MatchExpressions {
		out.MatchExpressions = append(out.MatchExpressions, inRequirement{Key: r.Key, Operator: string(r.Operator), Values: nonNil(r.Values)})
	}
	return out
}
