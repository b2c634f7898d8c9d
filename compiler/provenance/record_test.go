package provenance

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/diag"
)

// testRecord records a small Pod the way compile does: a container placed
// after its fields were recorded, a map with a key of digits, a list of
// scalars, and a field a policy default wrote.
func testRecord() *Record {
	r := New([]diag.Default{
		{Field: "containers[0].securityContext.runAsNonRoot", Source: "policy:restricted.run-as-non-root"},
		{Field: "containers[0].pullPolicy", Source: diag.SourceCompiler},
	})
	root := r.Object("Pod/web", FromIntent(Intent))
	name := r.In(Intent, "name")
	r.Field(root, "kind", CompilerDefault(r.In(Intent, "controller")))
	meta := r.Field(root, "metadata", Holder)
	r.Field(meta, "name", FromIntent(name))
	labels := r.Field(meta, "labels", FromIntent(r.In(Intent, "labels")))
	r.Key(labels, "team", FromIntent(r.AtKey(r.In(Intent, "labels"), "team")))
	r.Key(labels, "7", FromIntent(r.AtKey(r.In(Intent, "labels"), "7")))
	r.Key(labels, "app.kubernetes.io/name", FromIntent(name))

	c := r.At(r.In(Intent, "containers"), 0)
	cn := r.Detached(FromIntent(c))
	r.Field(cn, "image", FromIntent(r.In(c, "image")))
	r.Field(cn, "imagePullPolicy", CompilerDefault(r.In(c, "pullPolicy")))
	args := r.Field(cn, "args", Holder)
	for i := range 12 {
		r.Index(args, i, FromIntent(r.At(r.In(c, "args"), i)))
	}
	sc := r.Field(cn, "securityContext", FromIntent(r.In(c, "securityContext")))
	r.Field(sc, "runAsNonRoot", FromIntent(r.In(r.In(c, "securityContext"), "runAsNonRoot")))
	r.Field(sc, "privileged", FromIntent(r.In(r.In(c, "securityContext"), "privileged")))

	spec := r.Field(root, "spec", Holder)
	list := r.Field(spec, "containers", Holder)
	r.AttachIndex(cn, list, 0)
	return r
}

func TestExact(t *testing.T) {
	r := testRecord()
	cases := []struct {
		path   string
		want   string // IntentField; "-" for no source
		origin diag.Origin
	}{
		{"metadata.name", "name", diag.OriginIntent},
		{"metadata.labels[team]", `labels["team"]`, diag.OriginIntent},
		{"metadata.labels[7]", `labels["7"]`, diag.OriginIntent},
		{"metadata.labels[app.kubernetes.io/name]", "name", diag.OriginIntent},
		{"spec.containers[0].image", "containers[0].image", diag.OriginIntent},
		{"spec.containers[0].imagePullPolicy", "containers[0].pullPolicy", diag.OriginCompiler},
		{"spec.containers[0].args[11]", "containers[0].args[11]", diag.OriginIntent},
		{"spec.containers[0].securityContext.runAsNonRoot", "containers[0].securityContext.runAsNonRoot", diag.OriginPolicy},
		{"kind", "controller", diag.OriginCompiler},
		{"", "", diag.OriginIntent},
		{"spec", "-", 0},
		{"spec.containers[1]", "-", 0},
		{"spec.dnsPolicy", "-", 0},
	}
	for _, c := range cases {
		got, ok := r.Exact("Pod/web", c.path)
		if c.want == "-" {
			if ok {
				t.Errorf("%s: recorded as %+v, want no source", c.path, got)
			}
			continue
		}
		if !ok || got.IntentField != c.want || got.Origin != c.origin || got.ManifestField != c.path || got.Object != "Pod/web" {
			t.Errorf("%s: got %+v (%v), want %s from %s", c.path, got, ok, c.origin, c.want)
		}
	}
	if got, ok := r.Exact("Pod/web", "spec.containers[0].securityContext.runAsNonRoot"); !ok || got.RuleID != "restricted.run-as-non-root" {
		t.Errorf("policy default: %+v", got)
	}
	if _, ok := r.Exact("Pod/other", "metadata.name"); ok {
		t.Error("a field of an object not in the record")
	}
}

func TestNearest(t *testing.T) {
	r := testRecord()
	cases := []struct{ path, manifest, intent string }{
		{"spec.containers[0].terminationMessagePath", "spec.containers[0]", "containers[0]"},
		{"spec.containers[0].securityContext.seLinuxOptions.level", "spec.containers[0].securityContext", "containers[0].securityContext"},
		{"spec.containers[0].args[2]", "spec.containers[0].args[2]", "containers[0].args[2]"},
		{"spec.containers[0].args[40]", "spec.containers[0]", "containers[0]"},
		{"spec.containers[3].image", "", ""},
		{"spec.dnsPolicy", "", ""},
		{"metadata.labels[other]", "metadata.labels", "labels"},
		{"metadata.labels[", "metadata.labels", "labels"},
	}
	for _, c := range cases {
		got, ok := r.Nearest("Pod/web", c.path)
		if !ok || got.ManifestField != c.manifest || got.IntentField != c.intent {
			t.Errorf("%s: got %+v (%v), want %s <- %s", c.path, got, ok, c.manifest, c.intent)
		}
	}
	if _, ok := r.Nearest("Service/web", "spec"); ok {
		t.Error("an object not in the record has a source")
	}
	var none *Record
	if _, ok := none.Nearest("Pod/web", "spec"); ok {
		t.Error("a nil record has a source")
	}
	if none.Sources() != nil || none.PolicyWithin("Pod/web", "spec") != "" {
		t.Error("a nil record is not empty")
	}
}

func TestPolicyWithin(t *testing.T) {
	r := testRecord()
	for path, want := range map[string]string{
		"spec.containers[0].securityContext.runAsNonRoot": "restricted.run-as-non-root",
		"spec.containers[0].securityContext":              "restricted.run-as-non-root",
		"spec.containers[0].securityContext.capabilities": "restricted.run-as-non-root",
		"spec.containers[0]":                              "restricted.run-as-non-root",
		"spec.containers[0].securityContext.privileged":   "",
		"spec.containers[0].image":                        "",
		"spec.containers[0].imagePullPolicy":              "",
		"spec":                                            "", // the object's root stands for the whole intent
		"spec.dnsPolicy":                                  "",
		"metadata.labels":                                 "",
	} {
		if got := r.PolicyWithin("Pod/web", path); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

func TestSourcesOrderAndText(t *testing.T) {
	r := testRecord()
	s2 := r.Object("Service/web", CompilerDefault(Intent))
	r.Field(s2, "apiVersion", CompilerDefault(Intent))
	r.Object("Deployment/a", Holder) // before the others by reference, and empty
	var lines []string
	for _, s := range r.Sources() {
		lines = append(lines, s.String())
	}
	want := []string{
		"Pod/web: kind <- [compiler] controller",
		`Pod/web: metadata.labels[7] <- labels["7"]`,
		"Pod/web: metadata.labels[app.kubernetes.io/name] <- name",
		`Pod/web: metadata.labels[team] <- labels["team"]`,
		"Pod/web: metadata.name <- name",
	}
	for i := range 12 {
		want = append(want, "Pod/web: spec.containers[0].args["+strconv.Itoa(i)+"] <- containers[0].args["+strconv.Itoa(i)+"]")
	}
	want = append(want,
		"Pod/web: spec.containers[0].image <- containers[0].image",
		"Pod/web: spec.containers[0].imagePullPolicy <- [compiler] containers[0].pullPolicy",
		"Pod/web: spec.containers[0].securityContext.privileged <- containers[0].securityContext.privileged",
		"Pod/web: spec.containers[0].securityContext.runAsNonRoot <- [policy:restricted.run-as-non-root] containers[0].securityContext.runAsNonRoot",
		"Service/web: apiVersion <- [compiler]",
	)
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("sources:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestParse(t *testing.T) {
	got := parse("spec.containers[0].resources.limits[memory]")
	want := []seg{
		{text: "spec"}, {text: "containers"}, {text: "0", kind: segKey},
		{text: "resources"}, {text: "limits"}, {text: "memory", index: -1, kind: segKey},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parse = %+v", got)
	}
	if got := parse("metadata.labels[app.kubernetes.io/name]"); len(got) != 3 || got[2].text != "app.kubernetes.io/name" {
		t.Errorf("label key path = %+v", got)
	}
	if parse("") != nil {
		t.Error("empty path has segments")
	}
	if got := parse("a[1"); len(got) != 1 {
		t.Errorf("unterminated bracket = %+v", got)
	}
}

// TestInside: a path is inside another only at a step boundary, so a
// sibling with a common prefix is not.
func TestInside(t *testing.T) {
	for _, c := range []struct {
		field, base string
		want        bool
	}{
		{"containers[0].securityContext.runAsUser", "containers[0].securityContext.runAsUser", true},
		{"containers[0].securityContext.runAsUser", "containers[0].securityContext", true},
		{"containers[0].securityContext.capabilitiesDrop[0]", "containers[0].securityContext.capabilitiesDrop", true},
		{"containers[0].securityContext.runAsUserX", "containers[0].securityContext.runAsUser", false},
		{"containers[10].image", "containers[1]", false},
		{"containers[0]", "containers[0].image", false},
	} {
		if got := inside(c.field, c.base); got != c.want {
			t.Errorf("inside(%q, %q) = %v", c.field, c.base, got)
		}
	}
}

func TestIntentField(t *testing.T) {
	r := testRecord()
	for path, want := range map[string]string{
		"spec.containers[0].imagePullPolicy":        "containers[0].pullPolicy",
		"metadata.labels[7]":                        `labels["7"]`,
		"spec.containers[0]":                        "containers[0]",
		"spec.containers[0].terminationMessagePath": "",
		"spec": "",
		"":     "",
	} {
		if got := r.IntentField("Pod/web", path); got != want {
			t.Errorf("%q: %q, want %q", path, got, want)
		}
	}
}

// TestReleaseReuse: a record made after another was released holds only
// its own fields.
func TestReleaseReuse(t *testing.T) {
	for range 3 {
		r := testRecord()
		if got := len(r.Sources()); got != 21 {
			t.Fatalf("%d sources, want 21", got)
		}
		r.Release()
	}
	r := New(nil)
	if r.Sources() != nil || len(r.objects) != 0 || len(r.nodes) != 0 || len(r.steps) != 0 {
		t.Errorf("a new record after a release is not empty: %v", r.Sources())
	}
	root := r.Object("Pod/x", FromIntent(Intent))
	r.Field(root, "kind", CompilerDefault(r.In(Intent, "controller")))
	if got := r.Sources(); len(got) != 1 || got[0].String() != "Pod/x: kind <- [compiler] controller" {
		t.Errorf("sources %v", got)
	}
	var none *Record
	none.Release()
}
