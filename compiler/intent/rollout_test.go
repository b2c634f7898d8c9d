package intent

import (
	"strings"
	"testing"
)

func deployment(fields string) string {
	return `{"name": "app", "controller": "CONTROLLER_DEPLOYMENT", ` + fields + `, "containers": [{"name": "a", "image": "x"}]}`
}

func TestCheckRollout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		intent string
		want   []string // "field: message fragment", in order
	}{
		{"every field", deployment(`"strategy": {"type": "DEPLOYMENT_STRATEGY_TYPE_ROLLING_UPDATE", "maxSurge": "1", "maxUnavailable": "0"},
			"minReadySeconds": 10, "revisionHistoryLimit": 0, "progressDeadlineSeconds": 11`), nil},
		{"numbers as numbers", deployment(`"strategy": {"maxSurge": 2, "maxUnavailable": 1}`), nil},
		{"percentages", deployment(`"strategy": {"maxSurge": "200%", "maxUnavailable": "100%"}`), nil},
		{"recreate", deployment(`"strategy": {"type": "DEPLOYMENT_STRATEGY_TYPE_RECREATE"}`), nil},
		{"recreate with rolling fields", deployment(`"strategy": {"type": "DEPLOYMENT_STRATEGY_TYPE_RECREATE", "maxSurge": "1", "maxUnavailable": "1"}`), []string{
			"strategy.maxSurge: only allowed with a rolling update",
			"strategy.maxUnavailable: only allowed with a rolling update",
		}},
		{"malformed amounts", deployment(`"strategy": {"maxSurge": "-1", "maxUnavailable": "1.5%"}`), []string{
			`strategy.maxSurge: "-1" is not a number of pods`,
			`strategy.maxUnavailable: "1.5%" is not a number of pods`,
		}},
		{"too large", deployment(`"strategy": {"maxSurge": "99999999999", "maxUnavailable": "101%"}`), []string{
			`strategy.maxSurge: "99999999999" is not a number of pods`,
			"strategy.maxUnavailable: 101% is more than 100%",
		}},
		{"both zero", deployment(`"strategy": {"maxSurge": "0%", "maxUnavailable": 0}`), []string{
			"strategy.maxUnavailable: may not be 0 when maxSurge is 0",
		}},
		{"surge zero alone", deployment(`"strategy": {"maxSurge": "0"}`), nil},
		{"unknown type", deployment(`"strategy": {"type": 9}`), []string{"strategy.type: unknown strategy 9"}},
		{"negative", deployment(`"minReadySeconds": -1, "revisionHistoryLimit": -2, "progressDeadlineSeconds": -3`), []string{
			"minReadySeconds: -1 is negative",
			"revisionHistoryLimit: -2 is negative",
			"progressDeadlineSeconds: -3 is negative",
		}},
		{"deadline not after min ready", deployment(`"minReadySeconds": 30, "progressDeadlineSeconds": 30`), []string{
			"progressDeadlineSeconds: 30 must be more than minReadySeconds (30)",
		}},
		{"min ready beyond the default deadline", deployment(`"minReadySeconds": 600`), []string{
			"minReadySeconds: 600 must be less than progressDeadlineSeconds (600 when unset)",
		}},
		{"on a pod", `{"name": "app", "strategy": {}, "minReadySeconds": 1, "revisionHistoryLimit": 1, "progressDeadlineSeconds": 1, "containers": [{"name": "a", "image": "x"}]}`, []string{
			"strategy: only allowed with controller CONTROLLER_DEPLOYMENT: a bare Pod is never rolled out",
			"minReadySeconds: only allowed with controller CONTROLLER_DEPLOYMENT",
			"revisionHistoryLimit: only allowed with controller CONTROLLER_DEPLOYMENT",
			"progressDeadlineSeconds: only allowed with controller CONTROLLER_DEPLOYMENT",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Check(mustDecode(t, tc.intent), Options{}) {
				got = append(got, f.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n  %s", len(got), len(tc.want), strings.Join(got, "\n  "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("finding %d = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestDecodeNumericStrategy(t *testing.T) {
	for form, doc := range map[string]string{
		"json": deployment(`"strategy": {"maxSurge": 3, "maxUnavailable": "10%"}`),
		"yaml": "name: app\ncontroller: CONTROLLER_DEPLOYMENT\nstrategy: {maxSurge: 3, maxUnavailable: 10%}\ncontainers: [{name: a, image: x}]\n",
	} {
		wi := mustDecode(t, doc)
		if wi.GetStrategy().GetMaxSurge() != "3" || wi.GetStrategy().GetMaxUnavailable() != "10%" {
			t.Errorf("%s: %v", form, wi.GetStrategy())
		}
	}
}
