package policytest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/policytest"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/bundletest"
)

const runnerCase = `A case.
profile: prod

-- intent.json --
{"name": "x", "containers": [{"name": "a", "image": "docker.io/nginx:1"}]}
-- want --
# comments and blank lines are ignored

deny prod.registry containers[0].image
`

func TestRunTests(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{
		"rules.cue":         bundletest.Custom,
		"tests/pass.txtar":  runnerCase + "warn dev.owner labels[\"owner\"]\n",
		"tests/fail.txtar":  runnerCase,
		"tests/bad.txtar":   "no sections\n",
		"tests/yaml.txtar":  "profile: dev\n-- intent.yaml --\nname: x\nlabels: {owner: me}\ncontainers: [{name: a, image: nginx}]\n-- want --\n",
		"tests/ignored.txt": "not a case",
	})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var updated []string
	results, err := policytest.RunTests(b, os.DirFS(dir), policytest.TestOptions{Update: func(name string, data []byte) error {
		updated = append(updated, name)
		return os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]policytest.CaseResult{}
	for _, r := range results {
		got[r.Name] = r
	}
	if len(results) != 4 {
		t.Fatalf("%d results, want 4: %+v", len(results), results)
	}
	if !got["tests/pass.txtar"].Passed || !got["tests/yaml.txtar"].Passed {
		t.Errorf("pass cases failed: %+v", results)
	}
	fail := got["tests/fail.txtar"]
	if fail.Passed || len(fail.Problems) != 1 || fail.Problems[0] != `+ warn dev.owner labels["owner"]` {
		t.Errorf("fail case: %+v", fail)
	}
	if bad := got["tests/bad.txtar"]; bad.Passed || !strings.Contains(strings.Join(bad.Problems, " "), "intent.json") {
		t.Errorf("bad case: %+v", bad)
	}
	// Update rewrote the failing case, which now passes.
	if len(updated) == 0 {
		t.Fatal("no case updated")
	}
	results, _ = policytest.RunTests(b, os.DirFS(dir), policytest.TestOptions{})
	for _, r := range results {
		if r.Name == "tests/fail.txtar" && !r.Passed {
			t.Errorf("after update: %+v", r)
		}
	}
}

func TestRunTestsManifestRulesNeedManifests(t *testing.T) {
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := bundletest.Write(t, map[string]string{"tests/m.txtar": `profile: restricted
-- intent.json --
{"name": "x", "labels": {"team": "t"}, "containers": [{"name": "a", "image": "r.io/a:1",
  "resources": {"cpu": {"limit": "1"}, "memory": {"limit": "1Gi"}}, "probes": {"liveness": {"exec": {"command": ["true"]}}},
  "securityContext": {"runAsNonRoot": true, "allowPrivilegeEscalation": false, "capabilitiesDrop": ["ALL"], "seccompProfile": "SECCOMP_PROFILE_RUNTIME_DEFAULT"}}]}
-- want --
deny restricted.run-as-non-root containers[0].securityContext.runAsNonRoot @ Pod/x: spec.containers[0].securityContext.runAsNonRoot
`})
	results, err := policytest.RunTests(b, os.DirFS(dir), policytest.TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Passed || !strings.Contains(results[0].Problems[0], "manifests.yaml") {
		t.Errorf("got %+v, want a failure asking for manifests", results)
	}
	// With a compiler, the compiled Pod honours the intent: the want line
	// is now wrong, and the case says so.
	results, _ = policytest.RunTests(b, os.DirFS(dir), policytest.TestOptions{Compile: func(wi *podcv1.WorkloadIntent) ([]runtime.Object, *provenance.Record, error) {
		out, err := compile.Workload(wi, compile.Options{Target: target.Default})
		if err != nil {
			return nil, nil, err
		}
		return out.Objects(), out.Sources, nil
	}})
	if len(results) != 1 || results[0].Passed || results[0].Problems[0] != "- deny restricted.run-as-non-root containers[0].securityContext.runAsNonRoot @ Pod/x: spec.containers[0].securityContext.runAsNonRoot" {
		t.Errorf("with a compiler: %+v", results)
	}
}
