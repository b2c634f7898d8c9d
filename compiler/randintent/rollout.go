package randintent

import (
	"fmt"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// rollout sets a Deployment's rollout settings now and then: either
// strategy, amounts as numbers and percentages (never both zero), a
// progress deadline beyond the minimum ready time.
func (b *builder) rollout() {
	wi := b.wi
	if wi.Controller != podcv1.Controller_CONTROLLER_DEPLOYMENT {
		return
	}
	if b.chance(0.4) {
		st := &podcv1.DeploymentStrategy{Type: pick(b, podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_UNSPECIFIED,
			podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_ROLLING_UPDATE, podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_RECREATE)}
		if st.Type != podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_RECREATE {
			amount := func(maxPercent int) string {
				if b.chance(0.5) {
					return fmt.Sprint(b.between(0, 5))
				}
				return fmt.Sprintf("%d%%", b.between(0, maxPercent))
			}
			if b.chance(0.6) {
				st.MaxSurge = amount(300)
			}
			if b.chance(0.6) {
				st.MaxUnavailable = amount(100)
			}
			zero := func(s string) bool { return s == "0" || s == "0%" }
			if zero(st.MaxSurge) && zero(st.MaxUnavailable) {
				st.MaxUnavailable = "1"
			}
		}
		wi.Strategy = st
	}
	minReady := int32(0)
	if b.chance(0.3) {
		minReady = int32(pick(b, 0, 5, 30, 599))
		wi.MinReadySeconds = &minReady
	}
	if b.chance(0.3) {
		h := int32(pick(b, 0, 1, 10, 100))
		wi.RevisionHistoryLimit = &h
	}
	if b.chance(0.3) {
		d := minReady + int32(pick(b, 1, 60, 600))
		wi.ProgressDeadlineSeconds = &d
	}
}
