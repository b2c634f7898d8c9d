package intent

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func TestDecodeJSONAndYAMLAgree(t *testing.T) {
	js := `{"name": "hello", "controller": "CONTROLLER_DEPLOYMENT", "replicas": 2,
	  "labels": {"team": "web"},
	  "containers": [{"name": "web", "image": "nginx:1.27.3",
	    "ports": [{"name": "http", "containerPort": 80, "expose": "EXPOSE_CLUSTER"}]}]}`
	yml := `
name: hello
controller: CONTROLLER_DEPLOYMENT
replicas: 2
labels:
  team: web
containers:
  - name: web
    image: nginx:1.27.3
    ports:
      - name: http
        containerPort: 80
        expose: EXPOSE_CLUSTER
`
	a, err := Decode([]byte(js))
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	b, err := Decode([]byte(yml))
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	for _, wi := range []*podcv1.WorkloadIntent{a, b} {
		if wi.GetName() != "hello" || wi.GetController() != podcv1.Controller_CONTROLLER_DEPLOYMENT ||
			wi.Replicas == nil || wi.GetReplicas() != 2 || wi.GetLabels()["team"] != "web" ||
			len(wi.GetContainers()) != 1 || wi.GetContainers()[0].GetPorts()[0].GetExpose() != podcv1.Expose_EXPOSE_CLUSTER {
			t.Errorf("decoded %v", wi)
		}
	}
}

func TestDecodeKeepsUnsetReplicasUnset(t *testing.T) {
	wi, err := Decode([]byte(`{"name": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if wi.Replicas != nil {
		t.Error("replicas must stay unset when the document does not say it")
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in, field, msg string
	}{
		{"empty", "", "", "empty"},
		{"blank", " \n\t ", "", "empty"},
		{"unknown field", `{"name": "x", "replica": 3}`, "replica", `unknown field "replica"`},
		{"unknown nested field", `{"containers": [{"name": "a", "imag": "x"}]}`, "imag", `unknown field "imag"`},
		{"wrong enum", `{"controller": "DEPLOYMENT"}`, "controller", `"DEPLOYMENT"; want one of CONTROLLER_POD, CONTROLLER_DEPLOYMENT`},
		{"wrong nested enum", `{"containers": [{"ports": [{"protocol": "tcp"}]}]}`, "protocol", "want one of PROTOCOL_TCP, PROTOCOL_UDP, PROTOCOL_SCTP"},
		{"wrong type", `{"replicas": "three"}`, "replicas", "replicas"},
		{"yaml list", "- a\n- b\n", "", "must be an object"},
		{"yaml scalar", "hello\n", "", "must be an object"},
		{"broken yaml", "name: [x\n", "", "not JSON or YAML"},
		{"broken json", `{"name": `, "", "unexpected"},
		{"yaml unknown field", "name: x\nreplica: 2\n", "replica", "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wi, err := Decode([]byte(tc.in))
			if err == nil {
				t.Fatalf("Decode succeeded: %v", wi)
			}
			de, ok := diag.AsError(err)
			if !ok || de.Kind != diag.Invalid || len(de.Findings) != 1 {
				t.Fatalf("want one Invalid finding, got %#v", err)
			}
			f := de.Findings[0]
			if f.Severity != diag.Deny || f.Stage != diag.StageIntent {
				t.Errorf("finding %v: want a deny of the intent stage", f)
			}
			if f.Field != tc.field {
				t.Errorf("field = %q, want %q (message %q)", f.Field, tc.field, f.Message)
			}
			if !strings.Contains(strings.ToLower(f.Message), strings.ToLower(tc.msg)) {
				t.Errorf("message %q does not mention %q", f.Message, tc.msg)
			}
			if strings.HasPrefix(f.Message, "proto:") {
				t.Errorf("message %q keeps protojson's prefix", f.Message)
			}
		})
	}
}

// FuzzDecode: no input panics, and whatever decodes can be checked.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"name": "x", "containers": [{"name": "a", "image": "nginx"}]}`))
	f.Add([]byte("name: x\ncontainers:\n  - name: a\n    image: nginx\n"))
	f.Add([]byte(`{"containers": [{"probes": {"liveness": {}}, "ports": [{"containerPort": -1}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		wi, err := Decode(data)
		if err != nil {
			if _, ok := diag.AsError(err); !ok {
				t.Fatalf("Decode error is not a diag.Error: %v", err)
			}
			return
		}
		Check(wi, Options{})
	})
}
