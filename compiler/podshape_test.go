package compiler_test

import (
	"fmt"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

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

// checkPodSpec checks the pod-level fields of the compiled pod against the
// intent: each says what the intent said, with the defaults written out.
func checkPodSpec(wi *podcv1.WorkloadIntent, objs []runtime.Object) string {
	spec := podSpecOf(objs)
	if spec == nil {
		return "no pod spec"
	}
	return checkPodSecurity(wi.GetSecurityContext(), spec.SecurityContext)
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
