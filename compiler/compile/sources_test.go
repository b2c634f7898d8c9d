package compile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// checkSources holds a compile's record to the objects it describes: every
// field of every rendered object (each scalar, each element of a list of
// scalars, each map entry, each empty object) has exactly one recorded
// source, and every recorded source names a field that is there. The
// rendered objects hold only what podc wrote: the fields the kube-apiserver
// defaults (dnsPolicy, terminationMessagePath, ...) are not in them, and so
// not in the record either. Every compiler default in the report is
// recorded at the fields it wrote.
func checkSources(out *compile.Output) error {
	var problems []string
	sources := out.Sources.Sources()
	byObject := map[string][]string{}
	for _, s := range sources {
		byObject[s.Object] = append(byObject[s.Object], s.ManifestField)
	}
	for _, obj := range out.Objects() {
		data, err := render.One(obj, render.JSON)
		if err != nil {
			return err
		}
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var tree map[string]any
		if err := d.Decode(&tree); err != nil {
			return err
		}
		ref := tree["kind"].(string) + "/" + tree["metadata"].(map[string]any)["name"].(string)
		var leaves []string
		walkLeaves(tree, "", tree["kind"] == "Service", &leaves)
		recorded := byObject[ref]
		for _, l := range leaves {
			if n := count(recorded, l); n != 1 {
				problems = append(problems, fmt.Sprintf("%s: %s: %d sources recorded, want 1", ref, l, n))
			}
		}
		for _, r := range recorded {
			if !slices.Contains(leaves, r) {
				problems = append(problems, fmt.Sprintf("%s: %s: recorded but not in the object", ref, r))
			}
		}
		delete(byObject, ref)
	}
	for ref := range byObject {
		problems = append(problems, ref+": recorded but not compiled")
	}
	for _, d := range out.Defaults {
		// A sidecar's placement is a default about the container as a
		// whole: on targets without native sidecars no field stands for it.
		if strings.HasPrefix(d.Field, "sidecars[") && !strings.Contains(d.Field, ".") {
			continue
		}
		if !slices.ContainsFunc(sources, func(s diag.FieldSource) bool {
			return s.Origin == diag.OriginCompiler && s.IntentField == d.Field
		}) {
			problems = append(problems, fmt.Sprintf("default %s = %s: no field recorded as this compiler default", d.Field, d.Value))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("sources do not match the objects:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

func count(list []string, s string) int {
	n := 0
	for _, e := range list {
		if e == s {
			n++
		}
	}
	return n
}

// mapFields are the fields whose JSON object is a map: its keys are
// written in brackets, as the kube-apiserver writes them.
var mapFields = []string{"labels", "annotations", "matchLabels", "limits", "requests"}

// walkLeaves appends the path of every value-holding field of v below
// path. service says the object is a Service, whose spec.selector is a
// map.
func walkLeaves(v any, path string, service bool, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 && path != "" {
			*out = append(*out, path)
			return
		}
		last := path[strings.LastIndexAny(path, ".]")+1:]
		isMap := slices.Contains(mapFields, last) || service && path == "spec.selector"
		for k, e := range t {
			p := k
			switch {
			case isMap:
				p = path + "[" + k + "]"
			case path != "":
				p = path + "." + k
			}
			walkLeaves(e, p, service, out)
		}
	case []any:
		for i, e := range t {
			walkLeaves(e, fmt.Sprintf("%s[%d]", path, i), service, out)
		}
	default:
		*out = append(*out, path)
	}
}

// examples returns the example intents' files.
func examples(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	return files
}

// TestSourcesOfExamples holds the record of every example, on the oldest
// and the newest target, to the objects.
func TestSourcesOfExamples(t *testing.T) {
	for _, file := range examples(t) {
		for _, tv := range []target.Version{{Minor: target.Oldest}, target.Default} {
			out, err := compile.Workload(decodeFile(t, file), compile.Options{Target: tv})
			if err != nil {
				t.Fatal(err)
			}
			if err := checkSources(out); err != nil {
				t.Errorf("%s on %s: %v", file, tv, err)
			}
		}
	}
}

// TestSourcesPolicyDefaults: fields compiled from what a policy default
// wrote are that rule's; a compiler default is not, nor is a field the
// intent set beside them.
func TestSourcesPolicyDefaults(t *testing.T) {
	wi := decodeFile(t, "../../examples/hello.json")
	nonRoot := true
	wi.Containers[0].SecurityContext = &podcv1.SecurityContext{RunAsNonRoot: &nonRoot}
	out, err := compile.Workload(wi, compile.Options{Defaults: []diag.Default{
		{Field: "containers[0].securityContext.runAsNonRoot", Value: "true", Source: diag.PolicySource("restricted.run-as-non-root")},
		{Field: "containers[0].pullPolicy", Value: "IfNotPresent", Source: diag.SourceCompiler},
	}})
	if err != nil {
		t.Fatal(err)
	}
	ref := out.Objects()[0].GetObjectKind().GroupVersionKind().Kind + "/" + wi.GetName()
	spec := "spec"
	if out.Deployment != nil {
		spec = "spec.template.spec"
	}
	got, ok := out.Sources.Exact(ref, spec+".containers[0].securityContext.runAsNonRoot")
	if !ok || got.Origin != diag.OriginPolicy || got.RuleID != "restricted.run-as-non-root" || got.IntentField != "containers[0].securityContext.runAsNonRoot" {
		t.Errorf("policy-defaulted field: %+v, %v", got, ok)
	}
	got, ok = out.Sources.Exact(ref, spec+".containers[0].image")
	if !ok || got.Origin != diag.OriginIntent || got.RuleID != "" {
		t.Errorf("intent field: %+v, %v", got, ok)
	}
	if err := checkSources(out); err != nil {
		t.Error(err)
	}
}
