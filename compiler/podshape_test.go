package compiler_test

import (
	"fmt"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// checkRollout: a Deployment's rollout settings are the intent's, every
// default written out.
func checkRollout(wi *podcv1.WorkloadIntent, objs []runtime.Object) string {
	for _, o := range objs {
		d, ok := o.(*appsv1.Deployment)
		if !ok {
			continue
		}
		st := wi.GetStrategy()
		want := "RollingUpdate 25% 25%"
		if st.GetType() == podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_RECREATE {
			want = "Recreate"
		} else {
			surge, unavail := st.GetMaxSurge(), st.GetMaxUnavailable()
			if surge == "" {
				surge = "25%"
			}
			if unavail == "" {
				unavail = "25%"
			}
			want = "RollingUpdate " + surge + " " + unavail
		}
		got := string(d.Spec.Strategy.Type)
		if ru := d.Spec.Strategy.RollingUpdate; ru != nil && ru.MaxSurge != nil && ru.MaxUnavailable != nil {
			got += " " + ru.MaxSurge.String() + " " + ru.MaxUnavailable.String()
		}
		if got != want {
			return fmt.Sprintf("strategy %q, want %q", got, want)
		}
		history, deadline := int32(10), int32(600)
		if wi.RevisionHistoryLimit != nil {
			history = wi.GetRevisionHistoryLimit()
		}
		if wi.ProgressDeadlineSeconds != nil {
			deadline = wi.GetProgressDeadlineSeconds()
		}
		if d.Spec.MinReadySeconds != wi.GetMinReadySeconds() || d.Spec.RevisionHistoryLimit == nil || *d.Spec.RevisionHistoryLimit != history ||
			d.Spec.ProgressDeadlineSeconds == nil || *d.Spec.ProgressDeadlineSeconds != deadline {
			return fmt.Sprintf("rollout timing %d/%v/%v, want %d/%d/%d", d.Spec.MinReadySeconds, d.Spec.RevisionHistoryLimit, d.Spec.ProgressDeadlineSeconds,
				wi.GetMinReadySeconds(), history, deadline)
		}
	}
	return ""
}

// podSpecOf returns the pod spec of the workload among objs.
func podSpecOf(objs []runtime.Object) *corev1.PodSpec {
	for _, o := range objs {
		switch o := o.(type) {
		case *corev1.Pod:
			return &o.Spec
		case *appsv1.Deployment:
			return &o.Spec.Template.Spec
		}
	}
	return nil
}

// checkSelection: the Deployment and every Service select with the kept
// selector (else podc's labels), the pods carry it, and each object's
// annotations are the ones meant for it.
func checkSelection(wi *podcv1.WorkloadIntent, objs []runtime.Object) string {
	want := wi.GetSelector()
	if len(want) == 0 {
		name := wi.GetName()
		if v, ok := wi.GetLabels()["app.kubernetes.io/name"]; ok {
			name = v
		}
		want = map[string]string{"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "podc"}
	}
	annotated := func(what string, got map[string]string, srcs ...map[string]string) string {
		w := map[string]string{}
		for _, m := range srcs {
			for k, v := range m {
				w[k] = v
			}
		}
		if len(w) == 0 && len(got) == 0 {
			return ""
		}
		if !reflect.DeepEqual(got, w) {
			return fmt.Sprintf("%s annotations %v, want %v", what, got, w)
		}
		return ""
	}
	for _, o := range objs {
		switch o := o.(type) {
		case *corev1.Pod:
			for k, v := range want {
				if o.Labels[k] != v {
					return fmt.Sprintf("the Pod lacks its selector's label %s=%s", k, v)
				}
			}
			if p := annotated("Pod", o.Annotations, wi.GetAnnotations(), wi.GetWorkloadAnnotations(), wi.GetPodAnnotations()); p != "" {
				return p
			}
		case *appsv1.Deployment:
			if !reflect.DeepEqual(o.Spec.Selector.MatchLabels, want) {
				return fmt.Sprintf("Deployment selector %v, want %v", o.Spec.Selector.MatchLabels, want)
			}
			if p := annotated("Deployment", o.Annotations, wi.GetAnnotations(), wi.GetWorkloadAnnotations()); p != "" {
				return p
			}
			if p := annotated("pod template", o.Spec.Template.Annotations, wi.GetAnnotations(), wi.GetPodAnnotations()); p != "" {
				return p
			}
		case *corev1.Service:
			if !reflect.DeepEqual(o.Spec.Selector, want) {
				return fmt.Sprintf("Service %s selector %v, want %v", o.Name, o.Spec.Selector, want)
			}
			var own map[string]string
			for _, s := range wi.GetServices() {
				if s.GetName() == o.Name {
					own = s.GetAnnotations()
				}
			}
			if p := annotated("Service "+o.Name, o.Annotations, wi.GetAnnotations(), wi.GetServiceAnnotations(), own); p != "" {
				return p
			}
		}
	}
	return ""
}

// checkPodSpec checks the pod-level fields of the compiled pod against the
// intent: each says what the intent said, with the defaults written out.
func checkPodSpec(wi *podcv1.WorkloadIntent, objs []runtime.Object) string {
	spec := podSpecOf(objs)
	if spec == nil {
		return "no pod spec"
	}
	if p := checkSelection(wi, objs); p != "" {
		return p
	}
	if p := checkPodSecurity(wi.GetSecurityContext(), spec.SecurityContext); p != "" {
		return p
	}
	if p := checkRollout(wi, objs); p != "" {
		return p
	}
	if p := checkLifecycle(wi, spec); p != "" {
		return p
	}
	if p := checkVolumes(wi, spec); p != "" {
		return p
	}
	if p := checkEnvSources(wi, spec); p != "" {
		return p
	}
	if p := checkScheduling(wi, spec); p != "" {
		return p
	}
	if p := checkPlumbing(wi, spec); p != "" {
		return p
	}
	return checkResources(wi, spec)
}

// checkResources: every device's request is its limit, and pod-level
// resources have a request for every limit.
func checkResources(wi *podcv1.WorkloadIntent, spec *corev1.PodSpec) string {
	for _, cs := range [][]*podcv1.Container{wi.GetInitSteps(), wi.GetContainers(), wi.GetSidecars()} {
		for _, c := range cs {
			ct := containerNamed(spec, c.GetName())
			for _, e := range c.GetResources().GetExtended() {
				name := corev1.ResourceName(e.GetName())
				lim, okL := ct.Resources.Limits[name]
				req, okR := ct.Resources.Requests[name]
				if !okL || !okR || lim.Cmp(req) != 0 {
					return fmt.Sprintf("%s %s: request %v, limit %v", c.GetName(), name, req, lim)
				}
			}
		}
	}
	if (wi.GetResources() == nil) != (spec.Resources == nil) {
		return "pod-level resources lost"
	}
	if spec.Resources != nil {
		for name := range spec.Resources.Limits {
			if _, ok := spec.Resources.Requests[name]; !ok {
				return "pod-level " + string(name) + " limit without a request"
			}
		}
	}
	return ""
}

// checkPlumbing: the DNS policy is the intent's or ClusterFirst, and the
// rest of the pod's plumbing is carried.
func checkPlumbing(wi *podcv1.WorkloadIntent, spec *corev1.PodSpec) string {
	want := map[podcv1.DnsPolicy]corev1.DNSPolicy{
		podcv1.DnsPolicy_DNS_POLICY_UNSPECIFIED:                 corev1.DNSClusterFirst,
		podcv1.DnsPolicy_DNS_POLICY_CLUSTER_FIRST:               corev1.DNSClusterFirst,
		podcv1.DnsPolicy_DNS_POLICY_CLUSTER_FIRST_WITH_HOST_NET: corev1.DNSClusterFirstWithHostNet,
		podcv1.DnsPolicy_DNS_POLICY_DEFAULT:                     corev1.DNSDefault,
		podcv1.DnsPolicy_DNS_POLICY_NONE:                        corev1.DNSNone,
	}[wi.GetDnsPolicy()]
	if spec.DNSPolicy != want {
		return fmt.Sprintf("dnsPolicy %q, want %q", spec.DNSPolicy, want)
	}
	if len(spec.HostAliases) != len(wi.GetHostAliases()) || len(spec.ImagePullSecrets) != len(wi.GetImagePullSecrets()) ||
		spec.Hostname != wi.GetHostname() || spec.Subdomain != wi.GetSubdomain() ||
		(spec.AutomountServiceAccountToken == nil) != (wi.AutomountServiceAccountToken == nil) {
		return "pod plumbing lost"
	}
	for _, c := range wi.GetContainers() {
		if ct := containerNamed(spec, c.GetName()); ct == nil || ct.Stdin != c.GetStdin() || ct.StdinOnce != c.GetStdinOnce() || ct.TTY != c.GetTty() {
			return "stdin or tty of " + c.GetName() + " lost"
		}
	}
	return ""
}

// checkScheduling: the node selector, classes and tolerations are the
// intent's (an unset operator written out as Equal), every spread
// constraint has its maxSkew, action and selector written out, and every
// pod affinity term a selector.
func checkScheduling(wi *podcv1.WorkloadIntent, spec *corev1.PodSpec) string {
	if fmt.Sprint(spec.NodeSelector) != fmt.Sprint(nonNilMap(wi.GetNodeSelector())) && len(wi.GetNodeSelector())+len(spec.NodeSelector) > 0 {
		return fmt.Sprintf("nodeSelector %v, want %v", spec.NodeSelector, wi.GetNodeSelector())
	}
	rc := ""
	if spec.RuntimeClassName != nil {
		rc = *spec.RuntimeClassName
	}
	if spec.PriorityClassName != wi.GetPriorityClassName() || rc != wi.GetRuntimeClassName() {
		return fmt.Sprintf("classes %q %q, want %q %q", spec.PriorityClassName, rc, wi.GetPriorityClassName(), wi.GetRuntimeClassName())
	}
	if len(spec.Tolerations) != len(wi.GetTolerations()) {
		return "tolerations lost"
	}
	for i, t := range spec.Tolerations {
		want := corev1.TolerationOpEqual
		if wi.GetTolerations()[i].GetOperator() == podcv1.TolerationOperator_TOLERATION_OPERATOR_EXISTS {
			want = corev1.TolerationOpExists
		}
		if t.Operator != want || t.Key != wi.GetTolerations()[i].GetKey() {
			return fmt.Sprintf("toleration %d: %+v", i, t)
		}
	}
	own, keys := len(wi.GetTopologySpreadConstraints()), wi.GetProtection().GetSpreadTopologyKeys()
	if len(spec.TopologySpreadConstraints) != own+len(keys) {
		return fmt.Sprintf("%d spread constraints, want the intent's %d and %d for its spread keys", len(spec.TopologySpreadConstraints), own, len(keys))
	}
	for i, c := range spec.TopologySpreadConstraints {
		if c.MaxSkew < 1 || c.WhenUnsatisfiable == "" || c.LabelSelector == nil {
			return fmt.Sprintf("spread constraint %d without its defaults: %+v", i, c)
		}
		if i >= own && (c.TopologyKey != keys[i-own] || c.MaxSkew != 1 || c.WhenUnsatisfiable != corev1.ScheduleAnyway) {
			return fmt.Sprintf("spread constraint %d for key %s: %+v", i, keys[i-own], c)
		}
	}
	anti := wi.GetProtection().GetAntiAffinityTopologyKeys()
	if len(anti) > 0 {
		a := spec.Affinity
		ownAnti := len(wi.GetAffinity().GetPodAnti().GetPreferred())
		if a == nil || a.PodAntiAffinity == nil || len(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) != ownAnti+len(anti) {
			return fmt.Sprintf("anti-affinity %+v: want the intent's %d preferred terms and %d for its anti-affinity keys", a, ownAnti, len(anti))
		}
		for i, k := range anti {
			w := a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[ownAnti+i]
			if w.Weight != 100 || w.PodAffinityTerm.TopologyKey != k {
				return fmt.Sprintf("anti-affinity term for key %s: %+v", k, w)
			}
		}
	}
	if a := spec.Affinity; a != nil {
		var terms []corev1.PodAffinityTerm
		if a.PodAffinity != nil {
			terms = append(terms, a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
		}
		if a.PodAntiAffinity != nil {
			terms = append(terms, a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
			for _, w := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
				terms = append(terms, w.PodAffinityTerm)
			}
		}
		for _, t := range terms {
			if t.LabelSelector == nil {
				return "a pod affinity term without a selector"
			}
		}
	} else if wi.GetAffinity() != nil || len(anti) > 0 {
		return "affinity lost"
	}
	return ""
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// checkEnvSources: every environment variable from a pod field reads it
// from the v1 API, and every one from a resource names its container, the
// variable's own when the intent names none.
func checkEnvSources(wi *podcv1.WorkloadIntent, spec *corev1.PodSpec) string {
	for _, cs := range [][]*podcv1.Container{wi.GetInitSteps(), wi.GetContainers(), wi.GetSidecars()} {
		for _, c := range cs {
			ct := containerNamed(spec, c.GetName())
			if ct == nil || len(ct.Env) != len(c.GetEnv()) {
				return "environment of " + c.GetName() + " lost"
			}
			for i, e := range c.GetEnv() {
				vf := ct.Env[i].ValueFrom
				switch src := e.GetSource().(type) {
				case *podcv1.EnvVar_Field:
					if vf == nil || vf.FieldRef == nil || vf.FieldRef.APIVersion != "v1" || vf.FieldRef.FieldPath != src.Field {
						return fmt.Sprintf("%s env %s: %+v, want the field %s of v1", c.GetName(), e.GetName(), vf, src.Field)
					}
				case *podcv1.EnvVar_Resource:
					want := src.Resource.GetContainer()
					if want == "" {
						want = c.GetName()
					}
					if vf == nil || vf.ResourceFieldRef == nil || vf.ResourceFieldRef.ContainerName != want || vf.ResourceFieldRef.Resource != src.Resource.GetResource() {
						return fmt.Sprintf("%s env %s: %+v, want %s of %s", c.GetName(), e.GetName(), vf, src.Resource.GetResource(), want)
					}
				}
			}
		}
	}
	return ""
}

// checkVolumes: every volume's file mode is the intent's or 0644, every
// projected token's lifetime the intent's or an hour, and a pod with a
// projected token runs as a named service account.
func checkVolumes(wi *podcv1.WorkloadIntent, spec *corev1.PodSpec) string {
	if len(spec.Volumes) != len(wi.GetVolumes()) {
		return fmt.Sprintf("%d volumes, the intent has %d", len(spec.Volumes), len(wi.GetVolumes()))
	}
	mode := func(got, want *int32) string {
		w := int32(0o644)
		if want != nil {
			w = *want
		}
		if got == nil || *got != w {
			return fmt.Sprintf("defaultMode %v, want %d", got, w)
		}
		return ""
	}
	tokens := false
	for i, v := range wi.GetVolumes() {
		vol := spec.Volumes[i]
		var p string
		switch {
		case v.GetConfig() != nil:
			p = mode(vol.ConfigMap.DefaultMode, v.GetConfig().DefaultMode)
		case v.GetSecret() != nil:
			p = mode(vol.Secret.DefaultMode, v.GetSecret().DefaultMode)
		case v.GetDownwardApi() != nil:
			p = mode(vol.DownwardAPI.DefaultMode, v.GetDownwardApi().DefaultMode)
			if len(vol.DownwardAPI.Items) != len(v.GetDownwardApi().GetItems()) {
				p = "downward API files lost"
			}
		case v.GetProjected() != nil:
			p = mode(vol.Projected.DefaultMode, v.GetProjected().DefaultMode)
			for j, s := range v.GetProjected().GetSources() {
				t := s.GetServiceAccountToken()
				if t == nil {
					continue
				}
				tokens = true
				want := int64(3600)
				if t.ExpirationSeconds != nil {
					want = t.GetExpirationSeconds()
				}
				got := vol.Projected.Sources[j].ServiceAccountToken
				if got == nil || got.ExpirationSeconds == nil || *got.ExpirationSeconds != want || got.Audience != t.GetAudience() {
					p = fmt.Sprintf("projected token %d is %+v, want expiration %d", j, got, want)
				}
			}
		}
		if p != "" {
			return "volume " + v.GetName() + ": " + p
		}
	}
	if tokens && spec.ServiceAccountName == "" {
		return "a projected token without a service account"
	}
	return ""
}

// containerNamed returns the compiled container called name.
func containerNamed(spec *corev1.PodSpec, name string) *corev1.Container {
	for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range cs {
			if cs[i].Name == name {
				return &cs[i]
			}
		}
	}
	return nil
}

// checkLifecycle: the grace period is the intent's or 30, and every hook
// is the intent's, an HTTP hook's path and scheme written out.
func checkLifecycle(wi *podcv1.WorkloadIntent, spec *corev1.PodSpec) string {
	want := int64(30)
	if wi.TerminationGracePeriodSeconds != nil {
		want = wi.GetTerminationGracePeriodSeconds()
	}
	if spec.TerminationGracePeriodSeconds == nil || *spec.TerminationGracePeriodSeconds != want {
		return fmt.Sprintf("terminationGracePeriodSeconds %v, want %d", spec.TerminationGracePeriodSeconds, want)
	}
	hook := func(h *corev1.LifecycleHandler) string {
		switch {
		case h == nil:
			return ""
		case h.Exec != nil:
			return fmt.Sprint("exec ", h.Exec.Command)
		case h.HTTPGet != nil:
			return fmt.Sprint("http ", h.HTTPGet.Scheme, " ", h.HTTPGet.Port.String(), h.HTTPGet.Path, " ", len(h.HTTPGet.HTTPHeaders))
		case h.Sleep != nil:
			return fmt.Sprint("sleep ", h.Sleep.Seconds)
		}
		return "empty"
	}
	wantHook := func(h *podcv1.LifecycleHandler) string {
		switch a := h.GetHandler().(type) {
		case *podcv1.LifecycleHandler_Exec:
			return fmt.Sprint("exec ", a.Exec.GetCommand())
		case *podcv1.LifecycleHandler_HttpGet:
			path, scheme := a.HttpGet.GetPath(), "HTTP"
			if path == "" {
				path = "/"
			}
			if a.HttpGet.GetScheme() == podcv1.Scheme_SCHEME_HTTPS {
				scheme = "HTTPS"
			}
			return fmt.Sprint("http ", scheme, " ", a.HttpGet.GetPort(), path, " ", len(a.HttpGet.GetHeaders()))
		case *podcv1.LifecycleHandler_Sleep:
			return fmt.Sprint("sleep ", a.Sleep.GetSeconds())
		}
		return ""
	}
	for _, cs := range [][]*podcv1.Container{wi.GetInitSteps(), wi.GetContainers(), wi.GetSidecars()} {
		for _, c := range cs {
			ct := containerNamed(spec, c.GetName())
			if ct == nil {
				return "no container " + c.GetName()
			}
			var post, pre string
			if ct.Lifecycle != nil {
				post, pre = hook(ct.Lifecycle.PostStart), hook(ct.Lifecycle.PreStop)
				if post == "" && pre == "" {
					return "an empty lifecycle on " + c.GetName()
				}
			}
			if w := wantHook(c.GetLifecycle().GetPostStart()); post != w {
				return fmt.Sprintf("%s postStart %q, want %q", c.GetName(), post, w)
			}
			if w := wantHook(c.GetLifecycle().GetPreStop()); pre != w {
				return fmt.Sprintf("%s preStop %q, want %q", c.GetName(), pre, w)
			}
		}
	}
	return ""
}

// checkPodSecurity: the pod's security context is the intent's, with the
// fsGroup change policy written out when fsGroup is set.
func checkPodSecurity(in *podcv1.PodSecurityContext, got *corev1.PodSecurityContext) string {
	if got == nil {
		got = &corev1.PodSecurityContext{}
	}
	eq := func(what string, a, b any) string {
		if !reflect.DeepEqual(a, b) {
			return fmt.Sprintf("pod securityContext.%s is %v, the intent says %v", what, a, b)
		}
		return ""
	}
	val := func(p *int64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var nonRoot any
	if got.RunAsNonRoot != nil {
		nonRoot = *got.RunAsNonRoot
	}
	var wantNonRoot any
	if in != nil && in.RunAsNonRoot != nil {
		wantNonRoot = in.GetRunAsNonRoot()
	}
	seccomp := ""
	if got.SeccompProfile != nil {
		seccomp = string(got.SeccompProfile.Type)
	}
	wantSeccomp := map[podcv1.SeccompProfile]string{
		podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT: "RuntimeDefault",
		podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED:      "Unconfined",
	}[in.GetSeccompProfile()]
	change := ""
	if got.FSGroupChangePolicy != nil {
		change = string(*got.FSGroupChangePolicy)
	}
	wantChange := ""
	if in != nil && in.FsGroup != nil {
		wantChange = "Always"
		if in.GetFsGroupChangePolicy() == podcv1.FsGroupChangePolicy_FS_GROUP_CHANGE_POLICY_ON_ROOT_MISMATCH {
			wantChange = "OnRootMismatch"
		}
	}
	var sysctls, wantSysctls []string
	for _, s := range got.Sysctls {
		sysctls = append(sysctls, s.Name+"="+s.Value)
	}
	for _, s := range in.GetSysctls() {
		wantSysctls = append(wantSysctls, s.GetName()+"="+s.GetValue())
	}
	var wantUser, wantGroup, wantFS any
	if in != nil {
		wantUser, wantGroup, wantFS = val(in.RunAsUser), val(in.RunAsGroup), val(in.FsGroup)
	}
	for _, p := range []string{
		eq("runAsUser", val(got.RunAsUser), wantUser),
		eq("runAsGroup", val(got.RunAsGroup), wantGroup),
		eq("fsGroup", val(got.FSGroup), wantFS),
		eq("runAsNonRoot", nonRoot, wantNonRoot),
		eq("seccompProfile", seccomp, wantSeccomp),
		eq("fsGroupChangePolicy", change, wantChange),
		eq("supplementalGroups", fmt.Sprint(got.SupplementalGroups), fmt.Sprint(in.GetSupplementalGroups())),
		eq("sysctls", fmt.Sprint(sysctls), fmt.Sprint(wantSysctls)),
	} {
		if p != "" {
			return p
		}
	}
	return ""
}
