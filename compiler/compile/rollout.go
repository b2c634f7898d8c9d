package compile

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// rolloutDefaults reports the rollout settings a Deployment's intent
// leaves unset, which rollout writes out.
func (b *builder) rolloutDefaults() {
	wi := b.wi
	st := wi.GetStrategy()
	r := intent.RolloutOf(wi)
	if st.GetType() == podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_UNSPECIFIED {
		b.def("strategy.type", "DEPLOYMENT_STRATEGY_TYPE_ROLLING_UPDATE", "unset: pods are replaced a few at a time, so the workload keeps serving")
	}
	if !r.Recreate {
		if st.GetMaxSurge() == "" {
			b.def("strategy.maxSurge", r.MaxSurge, "unset: the Kubernetes default, a quarter of the replicas (rounded up) above them during a rollout")
		}
		if st.GetMaxUnavailable() == "" {
			b.def("strategy.maxUnavailable", r.MaxUnavailable, "unset: the Kubernetes default, a quarter of the replicas (rounded down) unavailable during a rollout")
		}
	}
	if wi.RevisionHistoryLimit == nil {
		b.def("revisionHistoryLimit", fmt.Sprint(r.RevisionHistoryLimit), "unset: the Kubernetes default number of old ReplicaSets kept to roll back to")
	}
	if wi.ProgressDeadlineSeconds == nil {
		b.def("progressDeadlineSeconds", fmt.Sprint(r.ProgressDeadlineSeconds), "unset: the Kubernetes default time a rollout may make no progress before it is reported failed")
	}
}

// rollout writes a Deployment's rollout settings into ds, every default
// written out, and records them under the Deployment spec's node sp.
func (b *builder) rollout(sp provenance.Node, ds *appsv1.DeploymentSpec) {
	wi := b.wi
	rec := b.rec
	st := wi.GetStrategy()
	r := intent.RolloutOf(wi)
	ip := b.in("strategy")
	sn := rec.Field(sp, "strategy", provenance.Holder)
	rec.Field(sn, "type", from(st.GetType() != podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_UNSPECIFIED, rec.In(ip, "type")))
	if r.Recreate {
		ds.Strategy.Type = appsv1.RecreateDeploymentStrategyType
	} else {
		ds.Strategy.Type = appsv1.RollingUpdateDeploymentStrategyType
		surge, unavail := intOrPercent(r.MaxSurge), intOrPercent(r.MaxUnavailable)
		ds.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavail}
		rn := rec.Field(sn, "rollingUpdate", provenance.Holder)
		rec.Field(rn, "maxSurge", from(st.GetMaxSurge() != "", rec.In(ip, "maxSurge")))
		rec.Field(rn, "maxUnavailable", from(st.GetMaxUnavailable() != "", rec.In(ip, "maxUnavailable")))
	}
	ds.MinReadySeconds = r.MinReadySeconds
	// minReadySeconds 0, the unset value, is not rendered (the field is
	// not a pointer): recorded only when it holds another.
	if r.MinReadySeconds != 0 {
		rec.Field(sp, "minReadySeconds", from(wi.MinReadySeconds != nil, b.in("minReadySeconds")))
	}
	ds.RevisionHistoryLimit = &r.RevisionHistoryLimit
	rec.Field(sp, "revisionHistoryLimit", from(wi.RevisionHistoryLimit != nil, b.in("revisionHistoryLimit")))
	ds.ProgressDeadlineSeconds = &r.ProgressDeadlineSeconds
	rec.Field(sp, "progressDeadlineSeconds", from(wi.ProgressDeadlineSeconds != nil, b.in("progressDeadlineSeconds")))
}

// intOrPercent is a checked number or percentage (a maxSurge, a
// maxUnavailable, a disruption budget's amount) as Kubernetes writes it: a
// number, or a percentage string.
func intOrPercent(s string) intstr.IntOrString {
	n, percent, _ := intent.IntOrPercent(s)
	if percent {
		return intstr.FromString(s)
	}
	return intstr.FromInt32(n)
}
