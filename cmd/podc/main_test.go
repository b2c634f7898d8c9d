package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCompileExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, out, errs := run(t, "", "compile", "-f", f)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			if !strings.HasPrefix(out, "---\n") || !strings.Contains(out, "apiVersion:") {
				t.Errorf("stdout is not a YAML stream:\n%s", out)
			}
			if !strings.Contains(errs, "compiled for Kubernetes 1.") {
				t.Errorf("stderr does not name the target version:\n%s", errs)
			}
		})
	}
}

func TestCompileYAMLFromStdinToJSON(t *testing.T) {
	data, err := os.ReadFile("../../examples/hello.json")
	if err != nil {
		t.Fatal(err)
	}
	y, err := yaml.JSONToYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, string(y), "compile", "-f", "-", "-o", "json", "--target-version", "1.30")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var objs []map[string]any
	if err := json.Unmarshal([]byte(out), &objs); err != nil {
		t.Fatalf("stdout is not a JSON list: %v\n%s", err, out)
	}
	if len(objs) == 0 || objs[0]["kind"] != "Pod" {
		t.Errorf("first object = %v, want the Pod", objs)
	}
	if !strings.Contains(errs, "Kubernetes 1.30") {
		t.Errorf("stderr: %s", errs)
	}
}

func TestCompileRefusedExitsOne(t *testing.T) {
	in := `{"name": "Bad_Name", "containers": [{"name": "web", "image": "nginx:1.27.3", "ports": [{"name": "http", "containerPort": 70000}]}]}`
	code, out, errs := run(t, in, "compile", "-f", "-")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, errs)
	}
	if out != "" {
		t.Errorf("stdout must be empty on refusal, got:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "refused: invalid intent") {
		t.Fatalf("stderr:\n%s", errs)
	}
	var sawName, sawPort bool
	for _, l := range lines[1:] {
		sawName = sawName || strings.HasPrefix(l, "name: ")
		sawPort = sawPort || strings.HasPrefix(l, "containers[0].ports[0].containerPort: ")
	}
	if !sawName || !sawPort {
		t.Errorf("want one line per problem starting with its field path:\n%s", errs)
	}
}

func TestCompileUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"compile"},
		{"compile", "-f", "does-not-exist.json"},
		{"compile", "-f", "../../examples/hello.json", "-o", "xml"},
		{"compile", "-f", "../../examples/hello.json", "--node-port-range", "9-1"},
		{"compile", "--no-such-flag"},
		{"frobnicate"},
		{},
	} {
		if code, _, _ := run(t, "", args...); code != 2 {
			t.Errorf("podc %v: exit %d, want 2", args, code)
		}
	}
}

func TestCompileDecodeErrorExitsOne(t *testing.T) {
	code, out, errs := run(t, `{"name": "x", "containres": []}`, "compile", "-f", "-")
	if code != 1 || out != "" || !strings.Contains(errs, "containres") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestVersionAndPolicyList(t *testing.T) {
	if code, out, _ := run(t, "", "version"); code != 0 || !strings.HasPrefix(out, "podc ") {
		t.Errorf("version: %d %q", code, out)
	}
	code, out, errs := run(t, "", "policy", "list")
	if code != 0 || !strings.Contains(out, "baseline") || !strings.Contains(out, "restricted") {
		t.Errorf("policy list: exit %d\n%s%s", code, out, errs)
	}
	// Each rule says on what terms an intent may except it.
	for _, want := range []string{
		`restricted.memory-limit\s+restricted,production\s+deny\s+intent-policy\s+conditional,<=90d\s`,
		`restricted.team-label\s+restricted,production\s+deny\s+intent-policy\s+-\s`,
		`baseline.image-pinned\s+baseline\s+warn\s+intent-policy\s+allowed\s`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("policy list lacks %s:\n%s", want, out)
		}
	}
}

func TestCompileExplain(t *testing.T) {
	code, _, errs := run(t, "", "compile", "-f", "../../examples/checkout.json", "--explain")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, want := range []string{
		"default: containers[0].pullPolicy = IfNotPresent [compiler]",
		"[policy:restricted.run-as-non-root]",
		"decision: restricted.team-label pass (severity deny)",
		"note: sidecars emitted as native sidecars",
		"source: Deployment/checkout: spec.replicas <- replicas\n",
		"source: Deployment/checkout: spec.template.spec.containers[0].imagePullPolicy <- [compiler] containers[0].pullPolicy\n",
		"source: Deployment/checkout: spec.template.spec.containers[0].securityContext.runAsNonRoot <- [policy:restricted.run-as-non-root] containers[0].securityContext.runAsNonRoot\n",
		"source: Deployment/checkout: spec.template.spec.initContainers[0].restartPolicy <- [compiler] sidecars[0]\n",
		"source: Service/checkout-nodeport: spec.ports[0].nodePort <- containers[0].ports[0].nodePort\n",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("--explain output lacks %q:\n%s", want, errs)
		}
	}
	// The sources come workload first, then the Services by name, each in
	// the order of its manifest.
	var sources []string
	for _, line := range strings.Split(errs, "\n") {
		if s, ok := strings.CutPrefix(line, "source: "); ok {
			sources = append(sources, s)
		}
	}
	if len(sources) < 100 || !strings.HasPrefix(sources[0], "Deployment/checkout: apiVersion <- ") ||
		!strings.HasPrefix(sources[len(sources)-1], "Service/checkout-nodeport: spec.type <- ") {
		t.Errorf("%d sources, from %q to %q", len(sources), sources[0], sources[len(sources)-1])
	}
	// Without --explain there are none.
	if _, _, errs := run(t, "", "compile", "-f", "../../examples/checkout.json"); strings.Contains(errs, "source: ") {
		t.Errorf("sources without --explain:\n%s", errs)
	}
}

// TestCompileExplainRefused: a refused intent is explained as far as it
// was compiled, so the denied field's source is there.
func TestCompileExplainRefused(t *testing.T) {
	const in = `{"name": "web", "profile": "restricted", "labels": {"team": "web"}, "containers": [{"name": "web",
		"image": "registry.example.com/web:1.0.0", "resources": {"cpu": {"limit": "1"}, "memory": {"limit": "1Gi"}},
		"probes": {"liveness": {"exec": {"command": ["true"]}}}, "securityContext": {"runAsNonRoot": false}}]}`
	code, _, errs := run(t, in, "compile", "-f", "-", "--explain")
	if code != exitRefused {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, want := range []string{
		"containers[0].securityContext.runAsNonRoot: runAsNonRoot must be true [restricted.run-as-non-root]",
		"source: Pod/web: spec.containers[0].securityContext.runAsNonRoot <- containers[0].securityContext.runAsNonRoot\n",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("output lacks %q:\n%s", want, errs)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"serve", "-h"}, {"compile", "--help"}, {"policy", "list", "-h"}} {
		if code, out, errs := run(t, "", args...); code != 0 || (out+errs) == "" {
			t.Errorf("podc %v: exit %d, output %q", args, code, out+errs)
		}
	}
}
