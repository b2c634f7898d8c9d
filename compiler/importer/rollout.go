package importer

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// rollout maps a Deployment's strategy, minReadySeconds,
// revisionHistoryLimit and progressDeadlineSeconds. The Kubernetes
// defaults, which compile writes when the intent sets none, are left out.
func (b *builder) rollout(w *object, ds *appsv1.DeploymentSpec) {
	spec := fieldPath{}.f("spec")
	sp := spec.f("strategy")
	st := &podcv1.DeploymentStrategy{}
	switch ds.Strategy.Type {
	case appsv1.RecreateDeploymentStrategyType:
		if b.take(w, sp.f("type"), "strategy.type") {
			st.Type = podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_RECREATE
		}
	case appsv1.RollingUpdateDeploymentStrategyType, "":
		b.use(w, sp.f("type"))
		if ru := ds.Strategy.RollingUpdate; ru != nil {
			rp := sp.f("rollingUpdate")
			b.surge(w, rp.f("maxSurge"), ru.MaxSurge, intent.DefaultMaxSurge, "strategy.maxSurge", &st.MaxSurge)
			b.surge(w, rp.f("maxUnavailable"), ru.MaxUnavailable, intent.DefaultMaxUnavailable, "strategy.maxUnavailable", &st.MaxUnavailable)
		}
	}
	if st.Type != podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_UNSPECIFIED || st.MaxSurge != "" || st.MaxUnavailable != "" {
		b.wi.Strategy = st
	}
	b.int32Field(w, spec.f("minReadySeconds"), &ds.MinReadySeconds, 0, "minReadySeconds", &b.wi.MinReadySeconds)
	b.int32Field(w, spec.f("revisionHistoryLimit"), ds.RevisionHistoryLimit, intent.DefaultRevisionHistoryLimit, "revisionHistoryLimit", &b.wi.RevisionHistoryLimit)
	b.int32Field(w, spec.f("progressDeadlineSeconds"), ds.ProgressDeadlineSeconds, intent.DefaultProgressDeadlineSeconds, "progressDeadlineSeconds", &b.wi.ProgressDeadlineSeconds)
}

// surge maps a maxSurge or maxUnavailable at p, a number or a percentage,
// into into: def, which compile writes when it is unset, is left out.
func (b *builder) surge(w *object, p fieldPath, v *intstr.IntOrString, def string, ip diag.Path, into *string) {
	if v == nil {
		return
	}
	s := v.StrVal
	if v.Type == intstr.Int {
		s = strconv.Itoa(int(v.IntVal))
	}
	if s == def {
		b.use(w, p)
		return
	}
	if b.take(w, p, ip) {
		*into = s
	}
}

// int32Field maps an optional number at p into into: def, which compile
// writes when it is unset, is left out.
func (b *builder) int32Field(w *object, p fieldPath, v *int32, def int32, ip diag.Path, into **int32) {
	switch {
	case v == nil:
	case *v == def:
		b.use(w, p)
	case b.take(w, p, ip):
		n := *v
		*into = &n
	}
}
