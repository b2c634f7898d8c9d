package importer_test

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/importer"
	"github.com/podc-dev/podc/compiler/intent"
)

// pod is a Pod manifest with one container, for the tests that need any
// workload.
const pod = `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers: [{name: app, image: "app:1.0"}]
`

func TestImportRefusesInput(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		format importer.Format
		limits importer.Limits
		// want is the problem's text, which starts with the object and
		// field and ends with the position.
		want string
	}{
		{"empty", "", importer.Detect, importer.Limits{}, "no Pod or Deployment"},
		{"not YAML", "apiVersion: v1\nkind: [Pod\n", importer.Detect, importer.Limits{}, "not valid YAML"},
		{"a YAML syntax error's position", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n   bad: indent\n", importer.Detect, importer.Limits{}, "(at 5:"},
		{"not JSON", `{"apiVersion": "v1",`, importer.Detect, importer.Limits{}, "not valid JSON"},
		{"JSON asked for, YAML given", pod, importer.JSON, importer.Limits{}, "not JSON"},
		{"two JSON values", `{"apiVersion":"v1"} {"kind":"Pod"}`, importer.JSON, importer.Limits{}, "not valid JSON: did not find expected <document start> (at 1:21)"},
		{"a scalar document", "hello\n", importer.Detect, importer.Limits{}, "not a Kubernetes object: want a mapping with apiVersion and kind (at 1:1)"},
		{"no kind", "apiVersion: v1\nmetadata: {name: x}\n", importer.Detect, importer.Limits{}, "apiVersion and kind are required"},
		{"no name", "apiVersion: v1\nkind: Pod\nspec: {}\n", importer.Detect, importer.Limits{}, "Pod/: metadata.name: required"},
		{"only a Service", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n", importer.Detect, importer.Limits{}, "no Pod or Deployment"},
		{"two workloads", pod + "---\n" + strings.Replace(pod, "name: app}", "name: other}", 1), importer.Detect, importer.Limits{},
			"Pod/other: a second workload: an import reads one Pod or Deployment, and Pod/app came first (at 7:1)"},
		{"a value of the wrong type", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: three\n", importer.Detect, importer.Limits{},
			"Deployment/web: spec.replicas: a string, where Kubernetes wants an integer (at 5:3)"},
		{"a malformed quantity at its path", strings.Replace(pod, `image: "app:1.0"}`, `image: "app:1.0", resources: {limits: {cpu: lots}}}`, 1), importer.Detect, importer.Limits{},
			"Pod/app: spec.containers[0].resources.limits[cpu]: quantities must match"},
		{"a duplicate key", "apiVersion: v1\nkind: Pod\nkind: Pod\n", importer.Detect, importer.Limits{}, "duplicate key \"kind\": first at 2:1"},
		{"merge keys", "apiVersion: v1\nkind: Pod\nmetadata:\n  <<: {name: x}\n", importer.Detect, importer.Limits{}, "merge keys"},
		{"too large", pod, importer.Detect, importer.Limits{Bytes: 10}, "more than the 10 an import reads"},
		{"too many objects", pod + "---\n" + pod, importer.Detect, importer.Limits{Objects: 1}, "more than 1 objects"},
		{"not UTF-8", "apiVersion: v1\nkind: \xff\n", importer.Detect, importer.Limits{}, "not valid UTF-8 (at 2:7)"},
		{"an image the intent cannot say", strings.Replace(pod, `"app:1.0"`, `"App:1.0"`, 1), importer.Detect, importer.Limits{},
			"Pod/app: spec.containers[0].image: the intent cannot say it, and the workload cannot go without it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := importer.Import([]byte(c.in), importer.Options{Format: c.format, Limits: c.limits, AllowLoss: true})
			var ie *importer.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *InputError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %q, want it to say %q", err, c.want)
			}
		})
	}
}

func TestImportJSON(t *testing.T) {
	object := `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"}, "spec": {"containers": [{"name": "app", "image": "app:1.0"}]}}`
	service := `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "app"}, "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}}`
	yamlRes, err := importer.Import([]byte(pod), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"an object":          object,
		"a List":             `{"apiVersion": "v1", "kind": "List", "items": [` + object + `]}`,
		"an array":           "[" + object + "]",
		"a List in YAML":     "apiVersion: v1\nkind: List\nitems:\n- " + object + "\n",
		"a List and another": `{"apiVersion": "v1", "kind": "List", "items": [` + object + `, ` + service + `]}`,
	} {
		t.Run(name, func(t *testing.T) {
			res, err := importer.Import([]byte(in), importer.Options{AllowLoss: true})
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(res.Intent, yamlRes.Intent) {
				t.Errorf("got %v, want %v", res.Intent, yamlRes.Intent)
			}
		})
	}
	// A field of a List item is placed in the input.
	_, err = importer.Import([]byte(`{"apiVersion": "v1", "kind": "List", "items": [`+object+`, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
  "spec": {"replicas": "3"}}]}`), importer.Options{})
	if err == nil || !strings.Contains(err.Error(), "Deployment/web: spec.replicas: a string, where Kubernetes wants an integer (at 2:12)") {
		t.Errorf("got %v", err)
	}
}

func TestImportRefusesLoss(t *testing.T) {
	in := strings.Replace(pod, `image: "app:1.0"}`, `image: "app:1.0", resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}], terminationMessagePolicy: FallbackToLogsOnError}`, 1)
	_, err := importer.Import([]byte(in), importer.Options{})
	var le *importer.LossError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a *LossError", err)
	}
	want := []importer.Loss{
		{Object: "Pod/app", Field: "spec.containers[0].resizePolicy", Reason: "the intent has no resize policy", Line: 5, Column: 46},
		{Object: "Pod/app", Field: "spec.containers[0].terminationMessagePolicy", Reason: "the intent has no termination message settings", Line: 5, Column: 111},
	}
	if len(le.Lost) != len(want) {
		t.Fatalf("lost %v, want %v", le.Lost, want)
	}
	for i := range want {
		if le.Lost[i] != want[i] {
			t.Errorf("lost[%d] = %#v, want %#v", i, le.Lost[i], want[i])
		}
	}
	if !strings.Contains(err.Error(), "Pod/app: spec.containers[0].resizePolicy: the intent has no resize policy") {
		t.Errorf("the error does not list the loss: %v", err)
	}
}

// Encode writes what intent.Decode reads back, in JSON and YAML, the same
// on every run.
func TestEncode(t *testing.T) {
	res, err := importer.Import(corpus(t)["microservices-demo-frontend"], importer.Options{AllowLoss: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []importer.Format{importer.JSON, importer.YAML} {
		a, err := importer.Encode(res.Intent, f)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			if b, _ := importer.Encode(res.Intent, f); string(b) != string(a) {
				t.Fatalf("format %d: two encodings differ", f)
			}
		}
		back, err := intent.Decode(a)
		if err != nil {
			t.Fatalf("format %d: %v\n%s", f, err, a)
		}
		if !proto.Equal(back, res.Intent) {
			t.Errorf("format %d: decodes to another intent", f)
		}
	}
}
