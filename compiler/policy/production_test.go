package policy_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podc-dev/podc/compiler/policy"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/exampletest"
	"github.com/podc-dev/podc/policies"
)

// productionReference is an independent, plain-Go statement of the
// production profile's intent-stage decisions and of the defaults its
// rules write, to check the CUE engine against (see reference).
func productionReference(wi *podcv1.WorkloadIntent) (findings, defaults []string) {
	add := func(out *[]string, s string) { *out = append(*out, s) }
	deployment := wi.GetController() == podcv1.Controller_CONTROLLER_DEPLOYMENT
	if !deployment {
		add(&findings, "production.deployment controller")
	}
	if a := wi.GetAutoscaling(); a != nil {
		min := int32(1)
		if a.MinReplicas != nil {
			min = a.GetMinReplicas()
		}
		if a.GetMaxReplicas() == min {
			add(&findings, "production.autoscaling autoscaling.maxReplicas")
		}
	}
	qty := func(s string) bool {
		_, err := resource.ParseQuantity(s)
		return s != "" && err == nil
	}
	psc := wi.GetSecurityContext()
	podUser, podGroup := psc != nil && psc.RunAsUser != nil, psc != nil && psc.RunAsGroup != nil
	userDefault, groupDefault := false, false
	for _, g := range []struct {
		field string
		list  []*podcv1.Container
	}{{"containers", wi.GetContainers()}, {"sidecars", wi.GetSidecars()}, {"initSteps", wi.GetInitSteps()}} {
		for i, c := range g.list {
			path := fmt.Sprintf("%s[%d]", g.field, i)
			es := c.GetResources().GetEphemeralStorage()
			switch {
			case !qty(es.GetRequest()) && !qty(es.GetLimit()):
				add(&defaults, path+".resources.ephemeralStorage.request=100Mi")
				add(&defaults, path+".resources.ephemeralStorage.limit=1Gi")
			case qty(es.GetRequest()) && !qty(es.GetLimit()):
				add(&findings, "production.ephemeral-storage "+path+".resources.ephemeralStorage.limit")
			}
			sc := c.GetSecurityContext()
			if sc == nil {
				sc = &podcv1.SecurityContext{}
			}
			if sc.ReadOnlyRootFilesystem == nil {
				add(&defaults, path+".securityContext.readOnlyRootFilesystem=true")
			}
			userDefault = userDefault || !podUser && sc.RunAsUser == nil
			groupDefault = groupDefault || !podGroup && sc.RunAsGroup == nil
		}
	}
	if userDefault {
		add(&defaults, "securityContext.runAsUser=10001")
	}
	if groupDefault {
		add(&defaults, "securityContext.runAsGroup=10001")
	}
	pr := wi.GetProtection()
	if db := pr.GetDisruptionBudget(); deployment && db.GetMaxUnavailable() == "" && db.GetMinAvailable() == "" {
		add(&defaults, "protection.disruptionBudget.maxUnavailable=1")
	}
	ownSpread := len(wi.GetTopologySpreadConstraints()) > 0 || wi.GetAffinity().GetPodAnti() != nil ||
		len(pr.GetSpreadTopologyKeys()) > 0 || len(pr.GetAntiAffinityTopologyKeys()) > 0
	if deployment && !ownSpread {
		add(&defaults, `protection.spreadTopologyKeys=["topology.kubernetes.io/zone", "kubernetes.io/hostname"]`)
		add(&defaults, `protection.antiAffinityTopologyKeys=["kubernetes.io/hostname"]`)
	}
	if pr.GetNetworkPolicy().GetClusterClients() == podcv1.ClusterClients_CLUSTER_CLIENTS_UNSPECIFIED {
		add(&defaults, "protection.networkPolicy.clusterClients=CLUSTER_CLIENTS_NAMESPACE")
	}
	slices.Sort(findings)
	slices.Sort(defaults)
	return findings, defaults
}

// productionVariants derives intents from checkout.json that flip the
// fields the production rules read.
func productionVariants(base *podcv1.WorkloadIntent) []*podcv1.WorkloadIntent {
	storage := []*podcv1.Resource{nil, {Limit: "2Gi"}, {Request: "50Mi"}, {Request: "50Mi", Limit: "500Mi"}}
	bools := []*bool{nil, proto.Bool(true), proto.Bool(false)}
	ids := []*int64{nil, proto.Int64(1000), proto.Int64(20000)}
	var out []*podcv1.WorkloadIntent
	for i := range 72 {
		wi := proto.Clone(base).(*podcv1.WorkloadIntent)
		all := append(append(slices.Clone(wi.Containers), wi.Sidecars...), wi.InitSteps...)
		for j, c := range all {
			k := i*5 + j*3
			c.Resources.EphemeralStorage = storage[k%len(storage)]
			c.SecurityContext = &podcv1.SecurityContext{
				ReadOnlyRootFilesystem: bools[(k/2)%len(bools)],
				RunAsUser:              ids[(k/3)%len(ids)],
				RunAsGroup:             ids[(k/5)%len(ids)],
			}
		}
		if i%4 == 1 {
			wi.SecurityContext = &podcv1.PodSecurityContext{RunAsUser: ids[i%3], RunAsGroup: ids[(i/3)%3]}
		}
		if i%5 == 2 {
			wi.Controller = podcv1.Controller_CONTROLLER_UNSPECIFIED
			wi.Replicas = nil
		}
		switch i % 6 {
		case 1:
			wi.TopologySpreadConstraints = []*podcv1.TopologySpreadConstraint{{TopologyKey: "kubernetes.io/hostname"}}
		case 3:
			wi.Affinity = &podcv1.Affinity{PodAnti: &podcv1.PodAffinity{Preferred: []*podcv1.WeightedPodAffinityTerm{{Weight: 1, Term: &podcv1.PodAffinityTerm{TopologyKey: "zone"}}}}}
		case 5:
			wi.Protection = &podcv1.Protection{SpreadTopologyKeys: []string{"zone"}}
		}
		if wi.Protection == nil {
			wi.Protection = &podcv1.Protection{}
		}
		switch i % 7 {
		case 1:
			wi.Protection.DisruptionBudget = &podcv1.DisruptionBudget{}
		case 3:
			wi.Protection.DisruptionBudget = &podcv1.DisruptionBudget{MinAvailable: "2"}
		case 4:
			wi.Protection.NetworkPolicy = &podcv1.NetworkPolicy{}
		case 6:
			wi.Protection.NetworkPolicy = &podcv1.NetworkPolicy{ClusterClients: podcv1.ClusterClients_CLUSTER_CLIENTS_CLUSTER}
		}
		if i%3 == 0 && wi.Controller == podcv1.Controller_CONTROLLER_DEPLOYMENT {
			wi.Replicas = nil
			wi.Autoscaling = &podcv1.Autoscaling{MinReplicas: proto.Int32(int32(2 + i%2)), MaxReplicas: int32(3 + i%4)}
		}
		out = append(out, wi)
	}
	return out
}

func TestProductionMatchesReference(t *testing.T) {
	b := defaultBundle(t)
	rules := []string{"production.deployment", "production.autoscaling", "production.ephemeral-storage"}
	for i, wi := range productionVariants(exampletest.Intent(t, "checkout.json")) {
		ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "production"})
		if err != nil {
			t.Fatal(err)
		}
		var got, gotDefaults []string
		for _, f := range ir.Findings {
			if f.Fault {
				t.Errorf("variant %d: fault %v", i, f)
			}
			if slices.Contains(rules, f.RuleID) {
				got = append(got, f.RuleID+" "+f.Field)
			}
		}
		for _, d := range ir.Defaults {
			if strings.HasPrefix(d.Source, "policy:production.") {
				gotDefaults = append(gotDefaults, d.Field+"="+d.Value)
			}
		}
		slices.Sort(got)
		slices.Sort(gotDefaults)
		want, wantDefaults := productionReference(wi)
		if !slices.Equal(got, want) {
			t.Errorf("variant %d findings:\n got %v\nwant %v", i, got, want)
		}
		if !slices.Equal(gotDefaults, wantDefaults) {
			t.Errorf("variant %d defaults:\n got %v\nwant %v", i, gotDefaults, wantDefaults)
		}
	}
}

// A platform team changes the production parameters with a file of its
// own beside the default bundle's: labelled clients and their labels,
// another budget, other ids and storage bounds, other spread keys.
func TestProductionParameters(t *testing.T) {
	dir := t.TempDir()
	err := fs.WalkDir(policies.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".cue") || strings.Contains(p, "/") {
			return err
		}
		data, err := fs.ReadFile(policies.FS(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	own := `package policies

parameters: {
	networkPolicyClients: "labelled"
	networkPolicyClientLabels: {"role": "shop-client", "a.example.com/tier": "web"}
	disruptionBudgetMaxUnavailable: "25%"
	spreadTopologyKeys: ["topology.kubernetes.io/zone"]
	antiAffinityTopologyKeys: []
	ephemeralStorageRequest: "1Gi"
	ephemeralStorageLimit: "4Gi"
	runAsUser: 65532
	runAsGroup: 65532
}
`
	if err := os.WriteFile(filepath.Join(dir, "platform.cue"), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ir, err := b.EvaluateIntent(context.Background(), exampletest.Intent(t, "checkout.json"), policy.Params{Profile: "production"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ir.Defaults {
		if strings.HasPrefix(d.Source, "policy:production.") && !strings.HasPrefix(d.Field, "initSteps") && !strings.HasPrefix(d.Field, "sidecars") {
			got = append(got, d.Field+"="+d.Value)
		}
	}
	want := []string{
		`containers[0].resources.ephemeralStorage.limit=4Gi`,
		`containers[0].resources.ephemeralStorage.request=1Gi`,
		`containers[0].securityContext.readOnlyRootFilesystem=true`,
		`protection.disruptionBudget.maxUnavailable=25%`,
		`protection.networkPolicy.clientLabels["a.example.com/tier"]=web`,
		`protection.networkPolicy.clientLabels["role"]=shop-client`,
		`protection.networkPolicy.clusterClients=CLUSTER_CLIENTS_LABELLED`,
		`protection.spreadTopologyKeys=["topology.kubernetes.io/zone"]`,
		`securityContext.runAsGroup=65532`,
		`securityContext.runAsUser=65532`,
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("defaults:\n got %v\nwant %v", got, want)
	}
	if len(ir.Findings) != 0 {
		t.Errorf("findings %v", ir.Findings)
	}
	if got := ir.Intent.GetProtection().GetNetworkPolicy().GetClientLabels(); got["role"] != "shop-client" || len(got) != 2 {
		t.Errorf("client labels on the intent: %v", got)
	}
}
