package intent

import (
	"strings"
	"testing"
)

func TestCheckTakeover(t *testing.T) {
	for _, tc := range []struct {
		name   string
		intent string
		want   []string // "field: message fragment", in order
	}{
		{"kept selector and labels", `{"name": "shop-api", "controller": "CONTROLLER_DEPLOYMENT", "selector": {"app": "shop", "app.kubernetes.io/managed-by": "Helm"},
			"labels": {"app.kubernetes.io/name": "shop", "app": "shop"}, "podLabels": {"version": "v2", "app": "shop"},
			"podAnnotations": {"controller.kubernetes.io/pod-deletion-cost": "10"}, "workloadAnnotations": {"a": "b"}, "serviceAnnotations": {"c": "d"},
			"containers": [{"name": "a", "image": "x"}]}`, nil},
		{"name label any value", pod(`"labels": {"app.kubernetes.io/name": "storefront"}`), nil},
		{"managed-by in pod labels", pod(`"podLabels": {"app.kubernetes.io/managed-by": "x", "bad key": "v"}`), []string{
			`podLabels["app.kubernetes.io/managed-by"]: "app.kubernetes.io/managed-by" is set by podc`,
			`podLabels["bad key"]: "bad key" is not a valid label key`,
		}},
		{"selector conflicts", pod(`"selector": {"app": "shop", "tier": "-"}, "labels": {"app": "store"}, "podLabels": {"app": "cart"}`), []string{
			`labels["app"]: "store", but the selector says "shop"`,
			`podLabels["app"]: "cart", but the selector says "shop"`,
			`selector["tier"]: "-" is not a valid label value`,
		}},
		{"pod annotation meanings", `{"name": "a", "podAnnotations": {"controller.kubernetes.io/pod-deletion-cost": "x"}, "workloadAnnotations": {"kubernetes.io/config.mirror": "y"},
			"containers": [{"name": "a", "image": "x"}]}`, []string{
			`podAnnotations["controller.kubernetes.io/pod-deletion-cost"]: "x" must be a 32-bit integer`,
			`workloadAnnotations["kubernetes.io/config.mirror"]: marks a static (mirror) pod`,
		}},
		{"workload annotations of a Deployment are not the pods'", `{"name": "a", "controller": "CONTROLLER_DEPLOYMENT", "workloadAnnotations": {"kubernetes.io/config.mirror": "y"},
			"containers": [{"name": "a", "image": "x"}]}`, nil},
		{"service annotation meanings", `{"name": "a", "serviceAnnotations": {"service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8"},
			"containers": [{"name": "a", "image": "x", "ports": [{"name": "p", "containerPort": 80, "expose": "EXPOSE_CLUSTER"}]}]}`, []string{
			`serviceAnnotations["service.beta.kubernetes.io/load-balancer-source-ranges"]: only a LoadBalancer Service may have it`,
		}},
		{"annotation keys", pod(`"podAnnotations": {"-x": "1"}, "serviceAnnotations": {"a/b/c": "1"}`), []string{
			`podAnnotations["-x"]: "-x" is not a valid annotation key`,
			`serviceAnnotations["a/b/c"]: "a/b/c" is not a valid annotation key`,
		}},
		{"too large together", pod(`"annotations": {"a": "` + strings.Repeat("x", 200*1024) + `"}, "podAnnotations": {"b": "` + strings.Repeat("y", 60*1024) + `"}`), []string{
			"podAnnotations: too large on the pods, with annotations",
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
