package hostile

import (
	"fmt"
	"strings"
)

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

const webYAML = "containers:\n  - name: web\n    image: nginx:1.27.3\n"

// decodeCases are documents the decoder refuses, or reads into intents
// that are then refused.
func decodeCases() []Case {
	return []Case{
		text("yaml-duplicate-key", "name: a\nname: b\n"+webYAML, "name", `duplicate key "name": first at 1:1 (at 2:1)`),
		text("yaml-duplicate-nested-key", "name: a\ncontainers:\n  - name: web\n    image: nginx:1.27.3\n    image: evil:latest\n", "containers[0].image", "duplicate key"),
		text("yaml-duplicate-label", "name: a\nlabels:\n  team: a\n  team: b\n"+webYAML, `labels["team"]`, "duplicate key"),
		text("yaml-two-documents", "name: a\n"+webYAML+"---\nname: b\n", "", "several YAML documents"),
		text("yaml-document-after-empty-ones", "---\n---\nname: a\n"+webYAML+"---\n~\n---\nname: b\n", "", "several YAML documents"),
		text("yaml-merge-key", "base: &b {name: a}\n<<: *b\n"+webYAML, "", "merge keys (<<) are not supported"),
		text("yaml-billion-laughs", "name: a\nlabels: &l0 {a: b}\n"+yamlBomb(9), "a3", "aliases expand the document beyond"),
		text("yaml-alias-to-itself", "name: &x [*x]\n", "name", "nested more than 64 levels"),
		text("yaml-deep-nesting", "name: a\nlabels: "+strings.Repeat("[", 1000)+strings.Repeat("]", 1000)+"\n", "labels", "nested more than 64 levels"),
		text("yaml-deeper-than-the-parser", "name: "+strings.Repeat("[", 20000), "", "not valid YAML"),
		text("yaml-invalid-utf8", "name: \"a\xc3\x28\"\n"+webYAML, "", "not valid UTF-8 (at 1:9)"),
		text("yaml-tab-indent", "name: a\ncontainers:\n\t- name: web\n", "", "not valid YAML"),
		text("yaml-1.1-boolean", "name: a\nhostNetwork: yes\n"+webYAML, "hostNetwork", `invalid value for bool field hostNetwork: "yes"`),
		text("yaml-infinite-replicas", "name: a\nreplicas: .inf\n"+webYAML, "replicas", "not a finite number"),
		text("yaml-huge-integer", "name: a\nreplicas: 99999999999999999999999999\n"+webYAML, "replicas", "invalid value for int32 field"),
		text("yaml-complex-key", "? [name]\n: a\n", "", "a key must be a string"),
		text("yaml-top-level-list", "- name: a\n", "", "must be an object"),
		text("yaml-control-characters-in-name", "name: \"web\\x01\\x1b[31m\"\n"+webYAML, "name", "not a valid name"),
		text("json-duplicate-key", `{"name": "a", "name": "b", "containers": [{"name": "web", "image": "nginx:1.27.3"}]}`, "name", `duplicate field "name"`),
		text("json-invalid-utf8", "{\"name\": \"a\xff\"}", "", "not valid UTF-8 (at 1:12)"),
		text("json-lone-surrogate", `{"name": "\ud800"}`, "", "unexpected EOF"),
		text("json-raw-control-character", "{\"name\": \"a\x00b\"}", "", "invalid character"),
		text("json-deep-nesting", `{"name": `+strings.Repeat("[", 100000), "name", "invalid value for string field name"),
		text("json-garbage-number", `{"name": "a", "replicas": 1e999999999}`, "replicas", "invalid value for int32 field"),
		text("json-number-as-name", `{"name": 1e400}`, "name", "invalid value for string field name"),
		text("json-two-objects", `{"name": "a"} {"name": "b"}`, "", "syntax error: unexpected token"),
		text("json-unknown-nested-field", `{"name": "a", "containers": [{"name": "web", "image": "nginx:1.27.3", "privileged": true}]}`, "containers[0].privileged", `unknown field "privileged"`),
		text("json-long-unknown-field", `{"`+strings.Repeat("x", 100000)+`": 1}`, "", "unknown field (a 100000-byte string)"),
		text("json-wrong-enum-number", `{"name": "a", "controller": 99, "containers": [{"name": "web", "image": "nginx:1.27.3"}]}`, "controller", "unknown controller 99"),
		text("input-empty", "", "", "the intent is empty"),
		text("input-only-comments", "# nothing\n# here\n", "", "the intent is empty"),
	}
}
