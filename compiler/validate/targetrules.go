package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/apis/core"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/apis/policy"
	"k8s.io/kubernetes/pkg/features"

	"github.com/podc-dev/podc/compiler/target"
)

// targetPodSpec refuses the pod features that the apiserver podc runs
// accepts but an apiserver of version v does not have: native sidecars,
// gRPC probes, sleep hooks, the status.hostIPs field, the newer fields of
// topology spread constraints and pod affinity terms, and pod-level
// resources.
func targetPodSpec(spec *core.PodSpec, path *field.Path, v target.Version) field.ErrorList {
	var errs field.ErrorList
	if !v.Has(target.NativeSidecars) {
		for i, c := range spec.InitContainers {
			if c.RestartPolicy != nil {
				errs = append(errs, field.Forbidden(path.Child("initContainers").Index(i).Child("restartPolicy"), missing(target.NativeSidecars, v)))
			}
		}
	}
	if !v.Has(target.GRPCProbes) {
		check := func(cs []core.Container, list string) {
			for i := range cs {
				c := &cs[i]
				for _, p := range []struct {
					name  string
					probe *core.Probe
				}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
					if p.probe != nil && p.probe.GRPC != nil {
						errs = append(errs, field.Forbidden(path.Child(list).Index(i).Child(p.name, "grpc"), missing(target.GRPCProbes, v)))
					}
				}
			}
		}
		check(spec.InitContainers, "initContainers")
		check(spec.Containers, "containers")
	}
	if !v.Has(target.HostIPs) {
		for _, l := range []struct {
			name string
			cs   []core.Container
		}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
			for i := range l.cs {
				for j, e := range l.cs[i].Env {
					if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "status.hostIPs" {
						errs = append(errs, field.Forbidden(path.Child(l.name).Index(i).Child("env").Index(j).Child("valueFrom", "fieldRef", "fieldPath"), missing(target.HostIPs, v)))
					}
				}
			}
		}
	}
	if spec.Resources != nil && !v.Has(target.PodResources) {
		errs = append(errs, field.Forbidden(path.Child("resources"), missing(target.PodResources, v)))
	}
	for i, c := range spec.TopologySpreadConstraints {
		cp := path.Child("topologySpreadConstraints").Index(i)
		for _, f := range []struct {
			set     bool
			name    string
			feature target.Feature
		}{
			{c.MinDomains != nil, "minDomains", target.SpreadMinDomains},
			{c.NodeAffinityPolicy != nil, "nodeAffinityPolicy", target.SpreadNodePolicies},
			{c.NodeTaintsPolicy != nil, "nodeTaintsPolicy", target.SpreadNodePolicies},
			{len(c.MatchLabelKeys) > 0, "matchLabelKeys", target.SpreadMatchLabelKeys},
		} {
			if f.set && !v.Has(f.feature) {
				errs = append(errs, field.Forbidden(cp.Child(f.name), fmt.Sprintf("%s needs Kubernetes 1.%d or newer; the target is %s", f.feature.Name, f.feature.Since, v)))
			}
		}
	}
	if !v.Has(target.SleepHooks) {
		check := func(cs []core.Container, list string) {
			for i := range cs {
				lc := cs[i].Lifecycle
				if lc == nil {
					continue
				}
				for _, h := range []struct {
					name string
					hook *core.LifecycleHandler
				}{{"postStart", lc.PostStart}, {"preStop", lc.PreStop}} {
					if h.hook != nil && h.hook.Sleep != nil {
						errs = append(errs, field.Forbidden(path.Child(list).Index(i).Child("lifecycle", h.name, "sleep"), missing(target.SleepHooks, v)))
					}
				}
			}
		}
		check(spec.InitContainers, "initContainers")
		check(spec.Containers, "containers")
	}
	if !v.Has(target.AffinityMatchLabelKeys) {
		errs = append(errs, targetAffinityTerms(spec.Affinity, path.Child("affinity"), v)...)
	}
	return errs
}

// targetAffinityTerms refuses the matchLabelKeys and mismatchLabelKeys of
// pod affinity and anti-affinity terms, which an apiserver of version v
// does not have.
func targetAffinityTerms(a *core.Affinity, path *field.Path, v target.Version) field.ErrorList {
	if a == nil {
		return nil
	}
	var errs field.ErrorList
	check := func(t *core.PodAffinityTerm, p *field.Path) {
		if len(t.MatchLabelKeys) > 0 {
			errs = append(errs, field.Forbidden(p.Child("matchLabelKeys"), missing(target.AffinityMatchLabelKeys, v)))
		}
		if len(t.MismatchLabelKeys) > 0 {
			errs = append(errs, field.Forbidden(p.Child("mismatchLabelKeys"), missing(target.AffinityMatchLabelKeys, v)))
		}
	}
	terms := func(name string, req []core.PodAffinityTerm, pref []core.WeightedPodAffinityTerm) {
		for i := range req {
			check(&req[i], path.Child(name, "requiredDuringSchedulingIgnoredDuringExecution").Index(i))
		}
		for i := range pref {
			check(&pref[i].PodAffinityTerm, path.Child(name, "preferredDuringSchedulingIgnoredDuringExecution").Index(i).Child("podAffinityTerm"))
		}
	}
	if pa := a.PodAffinity; pa != nil {
		terms("podAffinity", pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		terms("podAntiAffinity", pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	return errs
}

func missing(f target.Feature, v target.Version) string {
	return fmt.Sprintf("%s need Kubernetes 1.%d or newer; the target is %s", f.Name, f.Since, v)
}

// targetService applies the Service name rule of version v: before relaxed
// Service names, a Service's name is a DNS-1035 label (it starts with a
// letter).
func targetService(svc *core.Service, v target.Version) field.ErrorList {
	if enabledAt(features.RelaxedServiceNameValidation, v) || !enabledAt(features.RelaxedServiceNameValidation, target.Default) {
		// Either v has relaxed names, or the apiserver's own validation
		// already applied the strict rule.
		return nil
	}
	var errs field.ErrorList
	for _, msg := range corevalidation.ValidateServiceName(svc.Name, false) {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), svc.Name, msg+fmt.Sprintf(" (Service names before Kubernetes 1.36; the target is %s)", v)))
	}
	return errs
}

// targetDisruptionBudget refuses the PodDisruptionBudget fields an
// apiserver of version v does not have: the unhealthy pod eviction policy,
// which an older one drops without a word.
func targetDisruptionBudget(pdb *policy.PodDisruptionBudget, v target.Version) field.ErrorList {
	if pdb.Spec.UnhealthyPodEvictionPolicy != nil && !v.Has(target.UnhealthyPodEviction) {
		return field.ErrorList{field.Forbidden(field.NewPath("spec", "unhealthyPodEvictionPolicy"), missing(target.UnhealthyPodEviction, v))}
	}
	return nil
}
