package compiler_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// TestExplainSources: with Explain the report says where each field came
// from, the policy's defaults under their rules; without it there are no
// sources, and the two requests are answered apart.
func TestExplainSources(t *testing.T) {
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil)})
	ctx := context.Background()
	plain, err := eng.Compile(ctx, checkout(t))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Report.Sources != nil {
		t.Errorf("sources without Explain: %d", len(plain.Report.Sources))
	}
	req := checkout(t)
	req.Explain = true
	res, err := eng.Compile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res == plain {
		t.Fatal("an Explain request was answered from the cache of a plain one")
	}
	want := map[string]diag.FieldSource{
		"spec.replicas": {Origin: diag.OriginIntent, IntentField: "replicas"},
		"spec.template.spec.containers[0].imagePullPolicy": {Origin: diag.OriginCompiler, IntentField: "containers[0].pullPolicy"},
		"spec.template.spec.containers[0].securityContext.runAsNonRoot": {Origin: diag.OriginPolicy,
			IntentField: "containers[0].securityContext.runAsNonRoot", RuleID: "restricted.run-as-non-root"},
		"spec.template.spec.initContainers[0].securityContext.capabilities.drop[0]": {Origin: diag.OriginPolicy,
			IntentField: "sidecars[0].securityContext.capabilitiesDrop[0]", RuleID: "restricted.drop-all-capabilities"},
	}
	for _, s := range res.Report.Sources {
		if s.Object != "Deployment/checkout" {
			continue
		}
		if w, ok := want[s.ManifestField]; ok {
			w.Object, w.ManifestField = s.Object, s.ManifestField
			if s != w {
				t.Errorf("%s: %+v, want %+v", s.ManifestField, s, w)
			}
			delete(want, s.ManifestField)
		}
	}
	for f := range want {
		t.Errorf("no source for %s", f)
	}
	if first := res.Report.Sources[0]; first.Object != "Deployment/checkout" || first.ManifestField != "apiVersion" {
		t.Errorf("first source %v: want the workload's apiVersion", first)
	}
	// Every request gets the same list.
	again := checkout(t)
	again.Explain = true
	again.Intent.Labels["team"] = "other" // past the result cache
	other, err := eng.Compile(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Report.Sources) != len(res.Report.Sources) {
		t.Fatalf("%d sources, then %d", len(res.Report.Sources), len(other.Report.Sources))
	}
	if !reflect.DeepEqual(other.Report.Sources, res.Report.Sources) {
		t.Error("the sources of the same intent differ between runs")
	}
}

// TestExplainRefused: a refused compile's report and a dry run explain the
// objects as far as they were compiled.
func TestExplainRefused(t *testing.T) {
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil)})
	req := checkout(t)
	req.Explain = true
	f := false
	req.Intent.Containers[0].SecurityContext = &podcv1.SecurityContext{RunAsNonRoot: &f}
	_, err := eng.Compile(context.Background(), req)
	de, ok := diag.AsError(err)
	if !ok || de.Kind != diag.Denied || de.Report == nil {
		t.Fatalf("want a denial with a report, got %v", err)
	}
	if !hasSource(de.Report.Sources, "spec.template.spec.containers[0].securityContext.runAsNonRoot", "containers[0].securityContext.runAsNonRoot") {
		t.Errorf("the refused compile's report does not explain the denied field: %d sources", len(de.Report.Sources))
	}
	res, err := eng.Validate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Allowed() || !hasSource(res.Report.Sources, "spec.template.spec.containers[0].image", "containers[0].image") {
		t.Errorf("dry run: allowed %v, %d sources", res.Report.Allowed(), len(res.Report.Sources))
	}
	req.Explain = false
	if res, _ := eng.Validate(context.Background(), req); len(res.Report.Sources) != 0 {
		t.Error("a dry run without Explain has sources")
	}
}

func hasSource(ss []diag.FieldSource, manifestField, intentField string) bool {
	for _, s := range ss {
		if s.ManifestField == manifestField && s.IntentField == intentField && !strings.HasPrefix(s.Object, "Service/") {
			return true
		}
	}
	return false
}

// TestExplainProduction: under production the report says which rule's
// default each field of the objects it adds came from, the objects'
// kinds included, and which came from the intent.
func TestExplainProduction(t *testing.T) {
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil)})
	req := checkout(t)
	req.Profile, req.Explain = "production", true
	res, err := eng.Compile(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // object: field -> the rule, or "" for the intent
		"PodDisruptionBudget/checkout: kind":                                                                                         "production.disruption-budget",
		"PodDisruptionBudget/checkout: spec.maxUnavailable":                                                                          "production.disruption-budget",
		"NetworkPolicy/checkout: spec.ingress[0].from[0].podSelector":                                                                "production.network-policy",
		"NetworkPolicy/checkout: spec.ingress[0].ports[0].port":                                                                      "",
		"Deployment/checkout: spec.template.spec.topologySpreadConstraints[0].topologyKey":                                           "production.spread",
		"Deployment/checkout: spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight": "production.spread",
		"Deployment/checkout: spec.template.spec.securityContext.runAsUser":                                                          "production.run-as-user",
		"Deployment/checkout: spec.template.spec.securityContext.runAsGroup":                                                         "production.run-as-group",
		"Deployment/checkout: spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem":                               "production.read-only-root-filesystem",
		"Deployment/checkout: spec.template.spec.containers[0].resources.limits[ephemeral-storage]":                                  "production.ephemeral-storage",
		"Deployment/checkout: spec.template.spec.containers[0].resources.limits[cpu]":                                                "",
	}
	for _, s := range res.Report.Sources {
		key := s.Object + ": " + s.ManifestField
		rule, ok := want[key]
		if !ok {
			continue
		}
		delete(want, key)
		if rule == "" && s.Origin != diag.OriginIntent || rule != "" && (s.Origin != diag.OriginPolicy || s.RuleID != rule) {
			t.Errorf("%s: %+v, want rule %q", key, s, rule)
		}
	}
	for k := range want {
		t.Errorf("no source for %s", k)
	}
}
