package policytest_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestRunTestsExceptions: a case judges exceptions at its now line (else
// at TestOptions.Now), and asserts the excepted violations and what
// became of each exception.
func TestRunTestsExceptions(t *testing.T) {
	const src = `package platform
profiles: prod: description: "p"
rules: "prod.owner": {profiles: ["prod"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.labels.owner == _|_ {field: "labels[\"owner\"]"}], exception: allowed: true}
`
	const intent = `-- intent.json --
{"name": "x", "profile": "prod", "exceptions": [{"rule": "prod.owner", "reason": "r", "expires": "2025-06-30"}], "containers": [{"name": "a", "image": "nginx:1"}]}
-- want --
`
	applied := "excepted prod.owner labels[\"owner\"]\nexception prod.owner applied\n"
	expired := "deny prod.owner labels[\"owner\"]\nwarn prod.owner exceptions[0].expires\nexception prod.owner expired\n"
	dir := bundletest.Write(t, map[string]string{
		"rules.cue":           src,
		"tests/applied.txtar": "now: 2025-06-30T23:59:59Z\n" + intent + applied,
		"tests/expired.txtar": "now: 2025-07-01\n" + intent + expired,
		"tests/options.txtar": intent + expired,
		"tests/wrong.txtar":   "now: 2025-06-01\n" + intent + expired,
		"tests/bad-now.txtar": "now: tomorrow\n" + intent + applied,
		"tests/unknown.txtar": "now: 2025-06-01\n" + strings.Replace(intent, `"prod.owner"`, `"prod.ownr"`, 1) + "deny prod.owner labels[\"owner\"]\ndeny - exceptions[0].rule\n",
	})
	b, err := policy.LoadDir(dir, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	results, err := policytest.RunTests(b, os.DirFS(dir), policytest.TestOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		wantPass := r.Name != "tests/wrong.txtar" && r.Name != "tests/bad-now.txtar"
		if r.Passed != wantPass {
			t.Errorf("%s: passed %v, want %v: %q", r.Name, r.Passed, wantPass, r.Problems)
		}
		switch r.Name {
		case "tests/wrong.txtar":
			if !slices.Contains(r.Problems, "+ exception prod.owner applied") || !slices.Contains(r.Problems, "- exception prod.owner expired") {
				t.Errorf("%s: problems %q", r.Name, r.Problems)
			}
		case "tests/bad-now.txtar":
			if len(r.Problems) != 1 || !strings.Contains(r.Problems[0], `now: "tomorrow"`) {
				t.Errorf("%s: problems %q", r.Name, r.Problems)
			}
		}
	}
}
