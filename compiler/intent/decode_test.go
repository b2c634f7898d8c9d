package intent

import (
	"fmt"
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
		{"unknown field", `{"name": "x", "replica": 3}`, "replica", `unknown field "replica" (at 1:15)`},
		{"unknown nested field", `{"containers": [{"name": "a", "imag": "x"}]}`, "containers[0].imag", `unknown field "imag"`},
		{"wrong enum", `{"controller": "DEPLOYMENT"}`, "controller", `"DEPLOYMENT"; want one of CONTROLLER_POD, CONTROLLER_DEPLOYMENT`},
		{"wrong nested enum", `{"containers": [{}, {"ports": [{}, {"protocol": "tcp"}]}]}`, "containers[1].ports[1].protocol", "want one of PROTOCOL_TCP, PROTOCOL_UDP, PROTOCOL_SCTP"},
		{"wrong type", `{"replicas": "three"}`, "replicas", "replicas"},
		{"map value", `{"labels": {"team": 1}}`, `labels["team"]`, "invalid value"},
		{"proto field name", `{"containers": [{"pull_policy": "x"}]}`, "containers[0].pull_policy", "want one of PULL_POLICY_ALWAYS"},
		{"json duplicate key", `{"name": "x", "name": "y"}`, "name", `duplicate field "name"`},
		{"json nested duplicate key", `{"containers": [{"name": "a", "name": "b"}]}`, "containers[0].name", "duplicate field"},
		{"json two documents", `{"name": "x"} {"name": "y"}`, "", "syntax error: unexpected token"},
		{"json trailing comma", `{"containers": [{"name": "a"},]}`, "", "syntax error"},
		{"json invalid utf-8", "{\"name\": \"a\xff\"}", "", "not valid UTF-8 (at 1:12)"},
		{"json control character", "{\"name\": \"a\x01\"}", "", "invalid character"},
		{"json garbage number", `{"replicas": 1e999999}`, "replicas", "invalid value for int32 field"},
		{"json deep nesting", `{"name": ` + strings.Repeat("[", 100000), "name", "invalid value"},
		{"broken json", `{"name": `, "", "unexpected"},
		{"yaml list", "- a\n- b\n", "", "must be an object"},
		{"yaml scalar", "hello\n", "", "must be an object"},
		{"yaml null", "~\n", "", "empty"},
		{"broken yaml", "name: [x\n", "", "not valid YAML: did not find expected ',' or ']' (at 2:1, while parsing a flow sequence at 1:7)"},
		{"yaml unknown field", "name: x\nreplica: 2\n", "replica", "unknown field \"replica\" (at 2:1)"},
		{"yaml nested unknown field", "name: x\ncontainers:\n  - name: a\n    imag: x\n", "containers[0].imag", "(at 4:5)"},
		{"yaml wrong enum", "containers:\n  - ports:\n      - protocol: tcp\n", "containers[0].ports[0].protocol", "want one of PROTOCOL_TCP, PROTOCOL_UDP, PROTOCOL_SCTP (at 3:19)"},
		{"yaml duplicate key", "name: x\nname: y\n", "name", `duplicate key "name": first at 1:1 (at 2:1)`},
		{"yaml nested duplicate key", "containers:\n  - name: a\n    image: x\n    name: b\n", "containers[0].name", "duplicate key \"name\": first at 2:5 (at 4:5)"},
		{"yaml duplicate map key", "labels:\n  a: x\n  a: y\n", `labels["a"]`, "duplicate key"},
		{"yaml two documents", "name: x\n---\nname: y\n", "", "several YAML documents: an intent is one document, and another starts at 3:1"},
		{"yaml document after empty ones", "---\n---\nname: x\n---\n~\n---\nname: y\n", "", "another starts at 7:1"},
		{"yaml broken second document", "name: x\n---\nname: [y\n", "", "not valid YAML"},
		{"yaml merge key", "base: &b {name: a}\n<<: *b\n", "", "merge keys (<<) are not supported"},
		{"yaml alias bomb", yamlBomb(9), "a3", "aliases expand the document beyond"},
		{"yaml self alias", "a: &x [*x]\n", "a", "nested more than 64 levels"},
		{"yaml deep nesting", "labels: " + strings.Repeat("[", 1000) + strings.Repeat("]", 1000), "labels", "nested more than 64 levels deep (at 1:"},
		{"yaml deeper than the parser", "name: " + strings.Repeat("[", 20000), "", "not valid YAML"},
		{"yaml 1.1 boolean", "hostNetwork: yes\n", "hostNetwork", `invalid value for bool field hostNetwork: "yes" (at 1:14)`},
		{"yaml infinity", "replicas: .inf\n", "replicas", `".inf" is not a finite number (at 1:11)`},
		{"yaml huge integer", "replicas: 99999999999999999999\n", "replicas", "invalid value for int32 field"},
		{"yaml invalid utf-8", "name: x\nlabels:\n  a: \"\xc3\x28\"\n", "", "not valid UTF-8 (at 3:7)"},
		{"yaml complex key", "? [a]\n: x\n", "", "a key must be a string"},
		{"yaml long duplicate key", "labels:\n  " + strings.Repeat("k", 600) + ": a\n  " + strings.Repeat("k", 600) + ": b\n", "labels", "duplicate key (a 600-byte value)"},
		{"json long unknown field", `{"` + strings.Repeat("x", 5000) + `": 1}`, "", "unknown field (a 5000-byte string)"},
		{"json long enum value", `{"controller": "` + strings.Repeat("x", 5000) + `"}`, "controller", "invalid value for enum field controller: (a 5000-byte string)"},
		{"json long number", `{"replicas": ` + strings.Repeat("9", 5000) + `}`, "replicas", "bytes cut)"},
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
			if len(f.Message) > 300 || len(f.Field) > 300 {
				t.Errorf("a %d-byte message at a %d-byte path", len(f.Message), len(f.Field))
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

// yamlBomb is a "billion laughs" document: levels of anchors, each a list
// of ten aliases to the one before.
func yamlBomb(levels int) string {
	s := "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i <= levels; i++ {
		prev := fmt.Sprintf("*a%d", i-1)
		s += fmt.Sprintf("a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(prev+", ", 10), ", "))
	}
	return s
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

// TestDecodeAcceptsYAML: what YAML offers beyond JSON still reads: a
// document marker, trailing empty documents, comments, anchors and aliases
// within bounds, integers in other bases.
func TestDecodeAcceptsYAML(t *testing.T) {
	in := `---
# the web tier
name: web
containers:
  - name: a
    image: nginx:1.27.3
    env: &env
      - name: MODE
        value: prod
    ports:
      - containerPort: 0x50
  - name: b
    image: nginx:1.27.3
    env: *env
---
...
`
	wi, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	cs := wi.GetContainers()
	if wi.GetName() != "web" || len(cs) != 2 || cs[0].GetPorts()[0].GetContainerPort() != 80 ||
		cs[1].GetEnv()[0].GetName() != "MODE" || cs[1].GetEnv()[0].GetValue() != "prod" {
		t.Errorf("decoded %v", wi)
	}
}

// TestDecodeBombBounded: an alias bomb is refused once its expansion passes
// the bound, whatever the size it would reach.
func TestDecodeBombBounded(t *testing.T) {
	for _, levels := range []int{2, 9, 30} {
		_, err := Decode([]byte(yamlBomb(levels)))
		de, ok := diag.AsError(err)
		if levels == 2 {
			// 10^2 values fit the budget; the document is then an unknown field.
			if !ok || !strings.Contains(de.Findings[0].Message, "unknown field") {
				t.Errorf("2 levels: %v", err)
			}
			continue
		}
		if !ok || !strings.Contains(de.Findings[0].Message, "aliases expand the document beyond") {
			t.Errorf("%d levels: %v", levels, err)
		}
	}
}
