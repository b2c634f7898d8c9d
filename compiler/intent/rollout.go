package intent

import (
	"strconv"
	"strings"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// A Deployment's rollout settings when the intent sets none: the
// kube-apiserver's defaults.
const (
	DefaultMaxSurge                = "25%"
	DefaultMaxUnavailable          = "25%"
	DefaultRevisionHistoryLimit    = 10
	DefaultProgressDeadlineSeconds = 600
)

// Rollout is a Deployment's effective rollout settings: the intent's, with
// the defaults where it sets none.
type Rollout struct {
	Recreate                 bool
	MaxSurge, MaxUnavailable string // "" for a recreate
	MinReadySeconds          int32
	RevisionHistoryLimit     int32
	ProgressDeadlineSeconds  int32
}

// RolloutOf returns the effective rollout settings of wi's Deployment.
func RolloutOf(wi *podcv1.WorkloadIntent) Rollout {
	r := Rollout{
		Recreate:                wi.GetStrategy().GetType() == podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_RECREATE,
		MinReadySeconds:         wi.GetMinReadySeconds(),
		RevisionHistoryLimit:    DefaultRevisionHistoryLimit,
		ProgressDeadlineSeconds: DefaultProgressDeadlineSeconds,
	}
	if !r.Recreate {
		r.MaxSurge, r.MaxUnavailable = DefaultMaxSurge, DefaultMaxUnavailable
		if s := wi.GetStrategy().GetMaxSurge(); s != "" {
			r.MaxSurge = s
		}
		if s := wi.GetStrategy().GetMaxUnavailable(); s != "" {
			r.MaxUnavailable = s
		}
	}
	if wi.RevisionHistoryLimit != nil {
		r.RevisionHistoryLimit = wi.GetRevisionHistoryLimit()
	}
	if wi.ProgressDeadlineSeconds != nil {
		r.ProgressDeadlineSeconds = wi.GetProgressDeadlineSeconds()
	}
	return r
}

// IntOrPercent reads "3" as the number 3 and "25%" as the percentage 25;
// ok is false for anything else, or a number beyond an int32.
func IntOrPercent(s string) (n int32, percent, ok bool) {
	digits, percent := strings.CutSuffix(s, "%")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false, false
	}
	v, err := strconv.ParseInt(digits, 10, 32)
	if err != nil {
		return 0, false, false
	}
	return int32(v), percent, true
}

// rollout checks a Deployment's rollout settings, and refuses them on a
// bare Pod, which is never rolled out.
func (c *checker) rollout() {
	wi := c.wi
	if wi.GetController() != podcv1.Controller_CONTROLLER_DEPLOYMENT {
		for _, f := range []struct {
			set  bool
			name string
		}{
			{wi.Strategy != nil, "strategy"},
			{wi.MinReadySeconds != nil, "minReadySeconds"},
			{wi.RevisionHistoryLimit != nil, "revisionHistoryLimit"},
			{wi.ProgressDeadlineSeconds != nil, "progressDeadlineSeconds"},
		} {
			if f.set {
				c.addf(diag.Path(f.name), "only allowed with controller CONTROLLER_DEPLOYMENT: a bare Pod is never rolled out (it has no controller to replace it)")
			}
		}
		return
	}
	st := wi.GetStrategy()
	p := diag.Path("strategy")
	switch {
	case !enumValid(st.GetType(), podcv1.DeploymentStrategyType_name):
		c.addf(p.Field("type"), "unknown strategy %d: want DEPLOYMENT_STRATEGY_TYPE_ROLLING_UPDATE or DEPLOYMENT_STRATEGY_TYPE_RECREATE", st.GetType())
	case st.GetType() == podcv1.DeploymentStrategyType_DEPLOYMENT_STRATEGY_TYPE_RECREATE:
		for _, f := range []struct{ name, v string }{{"maxSurge", st.GetMaxSurge()}, {"maxUnavailable", st.GetMaxUnavailable()}} {
			if f.v != "" {
				c.addf(p.Field(f.name), "only allowed with a rolling update: a recreate stops every old pod before starting new ones")
			}
		}
	default:
		surge, surgeOK := c.intOrPercent(p.Field("maxSurge"), st.GetMaxSurge(), DefaultMaxSurge)
		unavail, unavailOK := c.intOrPercent(p.Field("maxUnavailable"), st.GetMaxUnavailable(), DefaultMaxUnavailable)
		if unavailOK && strings.HasSuffix(unavail.s, "%") && unavail.n > 100 {
			c.addf(p.Field("maxUnavailable"), "%s is more than 100%%", unavail.s)
		}
		if surgeOK && unavailOK && surge.n == 0 && unavail.n == 0 {
			c.addf(p.Field("maxUnavailable"), "may not be 0 when maxSurge is 0: the rollout could never replace a pod")
		}
	}
	if wi.MinReadySeconds != nil && wi.GetMinReadySeconds() < 0 {
		c.addf("minReadySeconds", "%d is negative: want 0 or more seconds", wi.GetMinReadySeconds())
	}
	if wi.RevisionHistoryLimit != nil && wi.GetRevisionHistoryLimit() < 0 {
		c.addf("revisionHistoryLimit", "%d is negative: want 0 or more ReplicaSets", wi.GetRevisionHistoryLimit())
	}
	r := RolloutOf(wi)
	switch {
	case wi.ProgressDeadlineSeconds != nil && r.ProgressDeadlineSeconds < 0:
		c.addf("progressDeadlineSeconds", "%d is negative: want more seconds than minReadySeconds", r.ProgressDeadlineSeconds)
	case r.MinReadySeconds >= 0 && r.ProgressDeadlineSeconds <= r.MinReadySeconds:
		if wi.ProgressDeadlineSeconds != nil {
			c.addf("progressDeadlineSeconds", "%d must be more than minReadySeconds (%d): a new pod must be able to become available in time", r.ProgressDeadlineSeconds, r.MinReadySeconds)
		} else {
			c.addf("minReadySeconds", "%d must be less than progressDeadlineSeconds (%d when unset): a new pod must be able to become available in time", r.MinReadySeconds, r.ProgressDeadlineSeconds)
		}
	}
}

// amount is a checked maxSurge or maxUnavailable.
type amount struct {
	s string
	n int32
}

// intOrPercent checks a maxSurge or maxUnavailable, def when unset.
func (c *checker) intOrPercent(p diag.Path, s, def string) (amount, bool) {
	if s == "" {
		s = def
	}
	n, _, ok := IntOrPercent(s)
	if !ok {
		c.addf(p, "%q is not a number of pods (\"1\") or a percentage of the replicas (\"25%%\")", s)
		return amount{}, false
	}
	return amount{s, n}, true
}
