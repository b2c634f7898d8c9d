package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/intent"
)

// webManifests is a Deployment and its Service that the intent can say
// whole.
const webManifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27.3
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`

// lossyManifests adds a scheduler name and turns the Services'
// environment variables off, which the intent cannot say.
var lossyManifests = strings.Replace(webManifests, "      containers:\n", "      schedulerName: bin-packer\n      enableServiceLinks: false\n      containers:\n", 1)

func TestImportWritesTheIntent(t *testing.T) {
	for _, o := range []string{"json", "yaml"} {
		t.Run(o, func(t *testing.T) {
			code, out, errs := run(t, webManifests, "import", "-f", "-", "-o", o)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			wi, err := intent.Decode([]byte(out))
			if err != nil {
				t.Fatalf("stdout is not an intent: %v\n%s", err, out)
			}
			if wi.GetName() != "web" || len(wi.GetContainers()) != 1 {
				t.Errorf("intent %v", wi)
			}
			if o == "json" && !strings.HasPrefix(out, "{\n  \"name\": \"web\"") || o == "yaml" && !strings.HasPrefix(out, "name: web\n") {
				t.Errorf("stdout is not %s:\n%s", o, out)
			}
			if strings.Contains(errs, "warning") || !strings.Contains(errs, "note: Deployment/web: spec.selector: kept as the intent's selector") {
				t.Errorf("stderr:\n%s", errs)
			}
			// The intent compiles.
			if code, _, errs := run(t, out, "compile", "-f", "-"); code != 0 {
				t.Errorf("compile of the imported intent: exit %d\n%s", code, errs)
			}
		})
	}
}

func TestImportRefusesLossExitsOne(t *testing.T) {
	code, out, errs := run(t, lossyManifests, "import", "-f", "-")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, errs)
	}
	if out != "" {
		t.Errorf("stdout must be empty on refusal, got:\n%s", out)
	}
	want := "refused: 2 fields the intent cannot say (--allow-loss drops them)\n" +
		"Deployment/web: spec.template.spec.schedulerName: the intent has no scheduler name: compile leaves the cluster's default scheduler (at 9:7)\n" +
		"Deployment/web: spec.template.spec.enableServiceLinks: the intent has no setting for Service environment variables: compile leaves them on (at 10:7)\n"
	if errs != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errs, want)
	}
}

func TestImportAllowLossWarnsForEachField(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "web.yaml")
	if err := os.WriteFile(f, []byte(lossyManifests), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "", "import", "-f", f, "--allow-loss")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if _, err := intent.Decode([]byte(out)); err != nil {
		t.Fatalf("stdout is not an intent: %v", err)
	}
	for _, w := range []string{
		"warning: lost Deployment/web: spec.template.spec.schedulerName: the intent has no scheduler name: compile leaves the cluster's default scheduler (at 9:7)\n",
		"warning: lost Deployment/web: spec.template.spec.enableServiceLinks: the intent has no setting for Service environment variables: compile leaves them on (at 10:7)\n",
	} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
}

func TestImportInvalidManifestsExitOne(t *testing.T) {
	for name, c := range map[string]struct{ in, want string }{
		"a syntax error":   {"apiVersion: v1\nkind: [Pod\n", "not valid YAML"},
		"a type error":     {"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: 3}\n", "Pod/x: spec.containers: a number, where Kubernetes wants a list (at 4:8)"},
		"no workload":      {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "no Pod or Deployment"},
		"control in names": {"apiVersion: v1\nkind: Pod\nmetadata: {name: \"a\\nb\"}\nspec: {containers: 3}\n", `Pod/a\x0ab: spec.containers`},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := run(t, c.in, "import", "-f", "-")
			if code != 1 || out != "" {
				t.Fatalf("exit %d, stdout %q; want 1 and nothing\n%s", code, out, errs)
			}
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			if !strings.HasPrefix(lines[0], "refused: invalid manifests") || len(lines) != 2 || !strings.Contains(lines[1], c.want) {
				t.Errorf("stderr:\n%s\nwant a refusal and one line saying %q", errs, c.want)
			}
		})
	}
}

func TestImportUsageExitsTwo(t *testing.T) {
	for name, args := range map[string][]string{
		"no file":         {"import"},
		"an extra arg":    {"import", "-f", "-", "x"},
		"a bad output":    {"import", "-f", "-", "-o", "toml"},
		"a bad format":    {"import", "-f", "-", "--format", "xml"},
		"a missing file":  {"import", "-f", "/nonexistent/web.yaml"},
		"too large":       {"import", "-f", "-", "--max-input-bytes", "10"},
		"a zero bound":    {"import", "-f", "-", "--max-input-bytes", "0"},
		"an unknown flag": {"import", "-f", "-", "--loss"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := run(t, webManifests, args...)
			if code != 2 || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing\n%s", code, out, errs)
			}
		})
	}
	if code, _, _ := run(t, "", "import", "-h"); code != 0 {
		t.Errorf("import -h: exit %d, want 0", code)
	}
}

func TestImportJSONFormat(t *testing.T) {
	in := `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"}, "spec": {"containers": [{"name": "app", "image": "app:1.0"}]}}`
	if code, _, errs := run(t, in, "import", "-f", "-", "--format", "json"); code != 0 {
		t.Errorf("exit %d\n%s", code, errs)
	}
	if code, _, errs := run(t, webManifests, "import", "-f", "-", "--format", "json"); code != 1 || !strings.Contains(errs, "not JSON") {
		t.Errorf("YAML read as JSON: exit %d\n%s", code, errs)
	}
}

// A Score workload file: its placeholders take --set values, and one
// without a value refuses it.
func TestImportScore(t *testing.T) {
	score := `apiVersion: score.dev/v1b1
metadata: {name: hello}
service:
  ports: {www: {port: 80, targetPort: 8080}}
containers:
  hello:
    image: busybox:1.36
    variables: {DB_HOST: "${resources.db.host}"}
`
	code, _, errs := run(t, score, "import", "-f", "-")
	if code != 1 || !strings.Contains(errs, "Workload/hello: containers.hello.variables.DB_HOST: ${resources.db.host} is a placeholder") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	code, out, errs := run(t, score, "import", "-f", "-", "--set", "resources.db.host=db.internal")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	wi, err := intent.Decode([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if env := wi.GetContainers()[0].GetEnv(); len(env) != 1 || env[0].GetValue() != "db.internal" {
		t.Errorf("env %v", env)
	}
	for _, bad := range []string{"novalue", "=x"} {
		if code, _, _ := run(t, score, "import", "-f", "-", "--set", bad); code != 2 {
			t.Errorf("--set %s: exit %d, want 2", bad, code)
		}
	}
	if code, _, _ := run(t, score, "import", "-f", "-", "--set", "a=1", "--set", "a=2"); code != 2 {
		t.Errorf("a key set twice: exit %d, want 2", code)
	}
}
