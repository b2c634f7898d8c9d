package importer_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/importer"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/validate"
)

// The round trip is the judge of an import: the manifests, and the
// manifests that compile writes for the imported intent, are each put
// through the kube-apiserver's defaulting (validate.Defaulted) and must be
// equal, apart from podc's own labels (additions), podc's selectors
// (checked on their own: the old selectors must still select the new
// pods) and exactly the fields the import reports lost. The manifests are
// read here with the Kubernetes YAML reader, not the importer's.
//
// Equal means the same workload, so three spellings that Kubernetes reads
// alike are compared by what they mean (sameMeaning), and nothing else:
//
//   - A Service port's targetPort is compared by the container port it
//     resolves to, on each side against that side's pod: a number is
//     that port; a name is the containerPort of the pod's port of that
//     name and protocol, among the containers and then the native
//     sidecars, as Kubernetes' endpoint controllers resolve it. A name
//     that resolves to no port stays a name. A targetPort that resolves
//     to another port is a difference.
//   - A name compile gives a port the manifest leaves unnamed (a
//     container port, paired by container name, containerPort and
//     protocol; a Service port, paired by port and protocol, else by the
//     container port it resolves to and protocol) is an addition, like
//     podc's labels. A port the manifest names keeps its name: a renamed
//     or dropped name is a difference.
//   - A pod's fsGroupChangePolicy Always is the same as unset: the
//     kubelet reads unset as Always. OnRootMismatch against either is a
//     difference.
//
// A loss the import reports must still be a difference after these: an
// addition or a spelling reported lost is a fault of the import.

// engine is one compiler engine on the embedded policies, for every case.
var engine = sync.OnceValues(func() (*compiler.Engine, error) {
	b, err := policy.Default()
	if err != nil {
		return nil, err
	}
	return compiler.New(compiler.Options{Policies: store.New(b, nil)}), nil
})

// reporter is the part of testing.TB the comparison uses, so that a test
// can check that it finds differences.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// roundTrip imports data with AllowLoss, compiles the intent under the
// baseline profile and compares. It returns the result of the import.
func roundTrip(t *testing.T, data []byte) *importer.Result {
	t.Helper()
	res, err := importer.Import(data, importer.Options{AllowLoss: true})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	judge(t, data, res, "")
	return res
}

// judge compiles the intent of res under the baseline profile and
// compares the output with data, the manifests res was imported from.
// When denied names a baseline rule, that rule must refuse the intent, and
// compile's own output (compile.Workload, before policies) is compared.
func judge(t reporter, data []byte, res *importer.Result, denied string) {
	t.Helper()
	eng, err := engine()
	if err != nil {
		t.Fatalf("%v", err)
	}
	out, err := eng.Compile(context.Background(), compiler.Request{Intent: res.Intent, Profile: "baseline", Format: render.JSON})
	var compiled []runtime.Object
	switch de, _ := diag.AsError(err); {
	case denied != "" && err == nil:
		t.Errorf("compile of the imported intent: not denied by %s", denied)
	case denied != "" && de != nil && de.Kind == diag.Denied && de.Findings[0].RuleID == denied:
		c, err := compile.Workload(res.Intent, compile.Options{})
		if err != nil {
			t.Fatalf("compile.Workload: %v", err)
		}
		compiled = c.Objects()
	case err != nil:
		t.Fatalf("compile of the imported intent: %v", err)
	}
	if out != nil {
		for _, m := range out.Manifests {
			compiled = append(compiled, decodeObject(t, m.Kind, m.Content))
		}
	}
	orig, unknown := readManifests(t, data)
	compare(t, orig, compiled, unknown, res)
}

// readManifests reads the Pods, Deployments and Services of a YAML stream
// with the Kubernetes YAML reader, as the apiserver decodes them, and the
// paths of the fields they hold that Kubernetes does not know, by
// "Kind/name".
func readManifests(t reporter, data []byte) ([]runtime.Object, map[string]map[string]bool) {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []runtime.Object
	unknown := map[string]map[string]bool{}
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return objs, unknown
		}
		if err != nil {
			t.Fatalf("%v", err)
		}
		var meta struct{ Kind string }
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatalf("%v", err)
		}
		switch meta.Kind {
		case "Pod", "Deployment", "Service":
			js, err := yaml.YAMLToJSON(doc)
			if err != nil {
				t.Fatalf("%v", err)
			}
			obj := newObject(t, meta.Kind)
			strict, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowUnknownFields)
			if err != nil {
				t.Fatalf("%v", err)
			}
			key := meta.Kind + "/" + obj.(interface{ GetName() string }).GetName()
			unknown[key] = map[string]bool{}
			for _, e := range strict {
				if fe, ok := e.(interface{ FieldPath() string }); ok {
					unknown[key][fe.FieldPath()] = true
				}
			}
			objs = append(objs, obj)
		}
	}
}

// decodeObject decodes one JSON object of a kind podc emits.
func decodeObject(t reporter, kind string, js []byte) runtime.Object {
	t.Helper()
	obj := newObject(t, kind)
	if err := kjson.UnmarshalCaseSensitivePreserveInts(js, obj); err != nil {
		t.Fatalf("%v", err)
	}
	return obj
}

// newObject is a new object of a kind podc emits.
func newObject(t reporter, kind string) runtime.Object {
	t.Helper()
	var obj runtime.Object
	switch kind {
	case "Pod":
		obj = &corev1.Pod{}
	case "Deployment":
		obj = &appsv1.Deployment{}
	case "Service":
		obj = &corev1.Service{}
	default:
		t.Fatalf("unexpected kind %s", kind)
	}
	return obj
}

// trees returns the objects defaulted, as JSON trees by "Kind/name".
func trees(t reporter, objs []runtime.Object) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, o := range validate.Defaulted(objs) {
		js, err := json.Marshal(o)
		if err != nil {
			t.Fatalf("%v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			t.Fatalf("%v", err)
		}
		md := m["metadata"].(map[string]any)
		out[m["kind"].(string)+"/"+md["name"].(string)] = m
	}
	return out
}

// compare checks the round trip of one import.
func compare(t reporter, origObjs, compiledObjs []runtime.Object, unknown map[string]map[string]bool, res *importer.Result) {
	t.Helper()
	orig, compiled := trees(t, origObjs), trees(t, compiledObjs)
	for _, m := range []map[string]any{orig, compiled} {
		for k, v := range m {
			m[k] = prune(v)
		}
	}
	sameMeaning(orig, compiled)

	// A field Kubernetes does not know is dropped by the apiserver when
	// it decodes the manifest, so the trees do not show it: the import
	// must report it lost, or a field that holds it.
	holdsUnknown := func(l importer.Loss) bool {
		lf := dotted(l.Field)
		for f := range unknown[l.Object] {
			if lf == "" || lf == f || strings.HasPrefix(f, lf+".") || strings.HasPrefix(f, lf+"[") {
				return true
			}
		}
		return false
	}
	for obj, fields := range unknown {
		for f := range fields {
			reported := false
			for _, l := range res.Lost {
				if l.Object == obj && holdsUnknown(importer.Loss{Object: obj, Field: l.Field}) {
					lf := dotted(l.Field)
					if lf == "" || lf == f || strings.HasPrefix(f, lf+".") || strings.HasPrefix(f, lf+"[") {
						reported = true
					}
				}
			}
			if !reported {
				t.Errorf("%s: %s is not a field Kubernetes knows, and the import does not report it lost", obj, f)
			}
		}
	}

	// Each lost field must be a real difference, and is then left out of
	// the comparison: a list element from the manifests only (the
	// compiled list never had it), anything else from both.
	spliced := map[string][]int{} // object + list path -> spliced indexes
	var keyLosses []importer.Loss
	for _, l := range res.Lost {
		if l.Field == "" {
			if _, ok := compiled[l.Object]; ok {
				t.Errorf("%s is lost whole, but compile writes it", l.Object)
			}
			delete(orig, l.Object)
			continue
		}
		o, ok := orig[l.Object]
		if !ok {
			if strings.HasPrefix(l.Object, "Deployment/") || strings.HasPrefix(l.Object, "Pod/") || strings.HasPrefix(l.Object, "Service/") {
				t.Errorf("lost %s: no such object", l.Path())
			}
			continue
		}
		p := parsePath(o, l.Field)
		if p.lastIndex() {
			list := l.Object + "\x00" + p[:len(p)-1].id()
			spliced[list] = append(spliced[list], p[len(p)-1].index)
			continue
		}
		keyLosses = append(keyLosses, l)
	}
	for _, l := range keyLosses {
		p := parsePath(orig[l.Object], l.Field)
		cp := translate(p, l.Object, spliced)
		ov, _ := lookup(orig[l.Object], p)
		if holdsUnknown(l) {
			continue // the apiserver drops what Kubernetes does not know, so the trees do not show it
		}
		var cv any
		if c, ok := compiled[l.Object]; ok {
			cv, _ = lookup(c, cp)
		}
		if reflect.DeepEqual(ov, cv) {
			t.Errorf("lost %s: the same after the round trip (%v)", l.Path(), ov)
		}
	}
	for _, l := range keyLosses {
		p := parsePath(orig[l.Object], l.Field)
		ps := []path{p}
		if last := p[len(p)-1]; last.name == "serviceAccountName" {
			// The apiserver's defaulting keeps the deprecated
			// serviceAccount equal to it.
			alias := append(append(path{}, p[:len(p)-1]...), step{name: "serviceAccount", index: -1})
			ps = append(ps, alias)
		}
		for _, p := range ps {
			remove(orig[l.Object], p)
			if c, ok := compiled[l.Object]; ok {
				remove(c, translate(p, l.Object, spliced))
			}
		}
	}
	for list, idx := range spliced {
		obj, id, _ := strings.Cut(list, "\x00")
		sort.Sort(sort.Reverse(sort.IntSlice(idx)))
		for _, i := range idx {
			splice(orig[obj], id, i)
		}
	}

	// podc's labels are additions. A selector the intent keeps is
	// compared with the rest; otherwise podc's selectors replace the
	// manifests', which must still select the compiled pods. A selector
	// reported lost was left out above.
	name, podLabels := res.Intent.GetName(), map[string]any{}
	for k, v := range compiledPodLabels(compiled, name) {
		podLabels[k] = v
	}
	lostPodLabel := func(k string) bool {
		for _, l := range res.Lost {
			if strings.HasSuffix(l.Field, "metadata.labels["+k+"]") && (strings.HasPrefix(l.Field, "spec.template.") || strings.HasPrefix(l.Object, "Pod/")) {
				return true
			}
		}
		return false
	}
	podc := map[string]any{intent.LabelName: name, intent.LabelManagedBy: intent.ManagedBy}
	// podc's own selector names the workload by its name label.
	podcSel := map[string]any{intent.LabelName: name, intent.LabelManagedBy: intent.ManagedBy}
	if v, ok := res.Intent.GetLabels()[intent.LabelName]; ok {
		podcSel[intent.LabelName] = v
	}
	for key, c := range compiled {
		o := orig[key]
		for _, lp := range [][]string{{"metadata", "labels"}, {"spec", "template", "metadata", "labels"}} {
			cl, _ := dig(c, lp...).(map[string]any)
			ol, _ := dig(o, lp...).(map[string]any)
			for k, v := range podc {
				if cl != nil && cl[k] == v && (ol == nil || ol[k] != v) {
					delete(cl, k)
				}
			}
		}
		var cs, os any
		lostSelector := false
		for _, l := range res.Lost {
			if l.Object == key && (l.Field == "spec.selector" || strings.HasPrefix(l.Field, "spec.selector.")) {
				lostSelector = true
			}
		}
		switch {
		case !strings.HasPrefix(key, "Deployment/") && !strings.HasPrefix(key, "Service/"), lostSelector:
			continue
		case len(res.Intent.GetSelector()) > 0:
			want := map[string]any{}
			for k, v := range res.Intent.GetSelector() {
				want[k] = v
			}
			cs = dig(c, "spec", "selector")
			if strings.HasPrefix(key, "Deployment/") {
				cs = dig(c, "spec", "selector", "matchLabels")
			}
			if !reflect.DeepEqual(cs, want) {
				t.Errorf("%s: compile selects with %v, not the intent's selector %v", key, cs, want)
			}
			continue
		case strings.HasPrefix(key, "Deployment/"):
			cs, os = dig(c, "spec", "selector", "matchLabels"), dig(o, "spec", "selector", "matchLabels")
			deleteKey(c, "spec", "selector")
			deleteKey(o, "spec", "selector")
		case strings.HasPrefix(key, "Service/"):
			cs, os = dig(c, "spec", "selector"), dig(o, "spec", "selector")
			deleteKey(c, "spec", "selector")
			deleteKey(o, "spec", "selector")
		default:
			continue
		}
		if !reflect.DeepEqual(cs, podcSel) {
			t.Errorf("%s: compile selects with %v, not podc's labels", key, cs)
		}
		sel, _ := os.(map[string]any)
		for k, v := range sel {
			if podLabels[k] != v && !lostPodLabel(k) {
				t.Errorf("%s: the manifest's selector %s=%v no longer selects the compiled pods (%v)", key, k, v, podLabels)
			}
		}
	}

	for key := range orig {
		orig[key] = prune(orig[key])
		c, ok := compiled[key]
		if !ok {
			t.Errorf("%s: in the manifests, not in the compiled output, and not lost", key)
			continue
		}
		compiled[key] = prune(c)
		for _, d := range diff(orig[key], compiled[key], "") {
			t.Errorf("%s: %s", key, d)
		}
	}
	for key := range compiled {
		if _, ok := orig[key]; !ok {
			t.Errorf("%s: compiled, but not in the manifests", key)
		}
	}
}

// dotted writes a path as the strict decoder names unknown fields: a
// field whose name has a dot in brackets, as the importer writes it, is
// joined with a dot.
func dotted(path string) string {
	var b strings.Builder
	for len(path) > 0 {
		i := strings.IndexByte(path, '[')
		if i < 0 {
			b.WriteString(path)
			break
		}
		end := strings.IndexByte(path[i:], ']') + i
		b.WriteString(path[:i])
		inner := path[i+1 : end]
		if strings.Trim(inner, "0123456789") == "" {
			b.WriteString("[" + inner + "]")
		} else {
			b.WriteString("." + inner)
		}
		path = path[end+1:]
	}
	return b.String()
}

// compiledPodLabels are the labels of the compiled pods.
func compiledPodLabels(compiled map[string]any, name string) map[string]any {
	for _, path := range [][]string{{"Deployment/" + name, "spec", "template", "metadata", "labels"}, {"Pod/" + name, "metadata", "labels"}} {
		if c, ok := compiled[path[0]]; ok {
			m, _ := dig(c, path[1:]...).(map[string]any)
			out := map[string]any{}
			for k, v := range m {
				out[k] = v
			}
			return out
		}
	}
	return nil
}

// prune drops nulls and empty objects and lists, recursively.
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			c = prune(c)
			if c == nil {
				delete(v, k)
				continue
			}
			v[k] = c
		}
		if len(v) == 0 {
			return nil
		}
		return v
	case []any:
		out := v[:0]
		for _, c := range v {
			out = append(out, prune(c))
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return v
}

// diff lists the differences of two trees, by path.
func diff(a, b any, at string) []string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		var out []string
		for _, k := range sortedKeys(keys) {
			out = append(out, diff(av[k], bv[k], join(at, k))...)
		}
		return out
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			break
		}
		var out []string
		for i := range av {
			out = append(out, diff(av[i], bv[i], fmt.Sprintf("%s[%d]", at, i))...)
		}
		return out
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	return []string{fmt.Sprintf("%s: manifest %s, compiled %s", at, short(a), short(b))}
}

func join(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

func short(v any) string {
	if v == nil {
		return "(absent)"
	}
	js, _ := json.Marshal(v)
	if len(js) > 200 {
		return string(js[:200]) + "…"
	}
	return string(js)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// A path into a tree, as the importer prints it, read against the tree:
// "[x]" is an index into a list and a key into a map.
type step struct {
	name  string
	index int
}

type path []step

func (p path) lastIndex() bool { return len(p) > 0 && p[len(p)-1].index >= 0 }

func (p path) id() string {
	var b strings.Builder
	for _, s := range p {
		if s.index >= 0 {
			fmt.Fprintf(&b, "[%d]", s.index)
		} else {
			b.WriteString("." + s.name)
		}
	}
	return b.String()
}

// parsePath reads a printed path against tree.
func parsePath(tree any, s string) path {
	var p path
	node := tree
	for len(s) > 0 {
		var name string
		switch {
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			name, s = s[1:end], s[end+1:]
		case s[0] == '.':
			s = s[1:]
			continue
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			name, s = s[:end], s[end:]
		}
		if l, ok := node.([]any); ok {
			i, _ := strconv.Atoi(name)
			p = append(p, step{index: i})
			if i < len(l) {
				node = l[i]
			} else {
				node = nil
			}
			continue
		}
		p = append(p, step{name: name, index: -1})
		m, _ := node.(map[string]any)
		node = m[name]
	}
	return p
}

// translate maps a path of the manifest to the compiled object, where the
// list elements lost before it are not.
func translate(p path, obj string, spliced map[string][]int) path {
	out := make(path, len(p))
	copy(out, p)
	for j := range out {
		if out[j].index < 0 {
			continue
		}
		n := 0
		for _, i := range spliced[obj+"\x00"+p[:j].id()] {
			if i < p[j].index {
				n++
			}
		}
		out[j].index -= n
	}
	return out
}

func lookup(tree any, p path) (any, bool) {
	node := tree
	for _, s := range p {
		switch n := node.(type) {
		case map[string]any:
			c, ok := n[s.name]
			if !ok || s.index >= 0 {
				return nil, false
			}
			node = c
		case []any:
			if s.index < 0 || s.index >= len(n) {
				return nil, false
			}
			node = n[s.index]
		default:
			return nil, false
		}
	}
	return node, true
}

func remove(tree any, p path) {
	parent, ok := lookup(tree, p[:len(p)-1])
	if m, isMap := parent.(map[string]any); ok && isMap {
		delete(m, p[len(p)-1].name)
	}
}

// splice removes element i of the list at the path with id under obj.
func splice(obj any, id string, i int) {
	p := parsePathID(id)
	parent, _ := lookup(obj, p[:len(p)-1])
	l, ok := lookup(obj, p)
	list, isList := l.([]any)
	m, isMap := parent.(map[string]any)
	if !ok || !isList || !isMap || i >= len(list) {
		return
	}
	m[p[len(p)-1].name] = append(list[:i:i], list[i+1:]...)
}

// parsePathID reads a path written by path.id.
func parsePathID(id string) path {
	var p path
	for len(id) > 0 {
		if id[0] == '[' {
			end := strings.IndexByte(id, ']')
			i, _ := strconv.Atoi(id[1:end])
			p = append(p, step{index: i})
			id = id[end+1:]
			continue
		}
		id = id[1:]
		end := strings.IndexAny(id, ".[")
		if end < 0 {
			end = len(id)
		}
		p = append(p, step{name: id[:end], index: -1})
		id = id[end:]
	}
	return p
}

func dig(tree any, keys ...string) any {
	node := tree
	for _, k := range keys {
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[k]
	}
	return node
}

func deleteKey(tree any, keys ...string) {
	m, ok := dig(tree, keys[:len(keys)-1]...).(map[string]any)
	if ok {
		delete(m, keys[len(keys)-1])
	}
}

// sameMeaning rewrites, in the defaulted trees of the manifests and of the
// compiled objects, the spellings that mean the same workload (see the
// comment at the top of this file): targetPorts as the container port
// they resolve to, names compile adds to unnamed ports left out, and a
// pod's fsGroupChangePolicy Always left out as unset.
func sameMeaning(orig, compiled map[string]any) {
	for _, m := range []map[string]any{orig, compiled} {
		resolveTargetPorts(m)
		for _, spec := range podSpecs(m) {
			if sc, ok := spec["securityContext"].(map[string]any); ok && sc["fsGroupChangePolicy"] == "Always" {
				delete(sc, "fsGroupChangePolicy")
			}
		}
	}
	dropAddedPortNames(orig, compiled)
}

// podSpecs are the pod specs of the Pods and Deployments of objs, by
// "Kind/name".
func podSpecs(objs map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for key, o := range objs {
		var spec any
		switch {
		case strings.HasPrefix(key, "Pod/"):
			spec = dig(o, "spec")
		case strings.HasPrefix(key, "Deployment/"):
			spec = dig(o, "spec", "template", "spec")
		}
		if m, ok := spec.(map[string]any); ok {
			out[key] = m
		}
	}
	return out
}

// resolveTargetPorts writes each Service port's targetPort that names a
// port of the workload's pod as that port's containerPort. It does
// nothing unless objs hold exactly one workload.
func resolveTargetPorts(objs map[string]any) {
	specs := podSpecs(objs)
	if len(specs) != 1 {
		return
	}
	var spec map[string]any
	for _, s := range specs {
		spec = s
	}
	for key, o := range objs {
		if !strings.HasPrefix(key, "Service/") {
			continue
		}
		ports, _ := dig(o, "spec", "ports").([]any)
		for _, p := range ports {
			sp, _ := p.(map[string]any)
			if name, ok := sp["targetPort"].(string); ok {
				if n, found := namedPort(spec, name, sp["protocol"]); found {
					sp["targetPort"] = n
				}
			}
		}
	}
}

// namedPort is the containerPort of the pod's port called name with
// protocol, as Kubernetes finds it: among the containers, then among the
// native sidecars (init containers that restart Always).
func namedPort(spec map[string]any, name string, protocol any) (any, bool) {
	for _, list := range []string{"containers", "initContainers"} {
		cs, _ := spec[list].([]any)
		for _, c := range cs {
			cm, _ := c.(map[string]any)
			if list == "initContainers" && cm["restartPolicy"] != "Always" {
				continue
			}
			ports, _ := cm["ports"].([]any)
			for _, p := range ports {
				pm, _ := p.(map[string]any)
				if pm["name"] == name && pm["protocol"] == protocol {
					return pm["containerPort"], true
				}
			}
		}
	}
	return nil, false
}

// dropAddedPortNames leaves out the names of the compiled ports whose
// manifest port has no name: container ports, paired by container name,
// containerPort and protocol, and Service ports, paired by port and
// protocol, else by targetPort (resolved) and protocol. A pair must be the
// only one of its kind on each side.
func dropAddedPortNames(orig, compiled map[string]any) {
	cspecs := podSpecs(compiled)
	for key, ospec := range podSpecs(orig) {
		cspec, ok := cspecs[key]
		if !ok {
			continue
		}
		for _, oc := range containersOf(ospec) {
			cc := containerNamed(cspec, oc["name"])
			if cc == nil {
				continue
			}
			oports, _ := oc["ports"].([]any)
			cports, _ := cc["ports"].([]any)
			unnamedPairs(oports, cports, "containerPort")
		}
	}
	for key, o := range orig {
		c, ok := compiled[key]
		if !strings.HasPrefix(key, "Service/") || !ok {
			continue
		}
		oports, _ := dig(o, "spec", "ports").([]any)
		cports, _ := dig(c, "spec", "ports").([]any)
		unnamedPairs(oports, cports, "port", "targetPort")
	}
}

// unnamedPairs leaves out the name of each port of cports paired with an
// unnamed port of oports: the only port on each side with the same value
// of the first of keys that pairs them, and the same protocol.
func unnamedPairs(oports, cports []any, keys ...string) {
	for _, op := range oports {
		om, _ := op.(map[string]any)
		if om == nil || om["name"] != nil {
			continue
		}
		for _, k := range keys {
			if cm := only(cports, om[k], k, om["protocol"]); cm != nil && only(oports, om[k], k, om["protocol"]) != nil {
				delete(cm, "name")
				break
			}
		}
	}
}

// only returns the one port of ports whose key is v with protocol, nil
// when there are none or several.
func only(ports []any, v any, key string, protocol any) map[string]any {
	var found map[string]any
	for _, p := range ports {
		pm, _ := p.(map[string]any)
		if pm == nil || v == nil || !reflect.DeepEqual(pm[key], v) || pm["protocol"] != protocol {
			continue
		}
		if found != nil {
			return nil
		}
		found = pm
	}
	return found
}

// containersOf are the containers and init containers of a pod spec.
func containersOf(spec map[string]any) []map[string]any {
	var out []map[string]any
	for _, list := range []string{"containers", "initContainers"} {
		cs, _ := spec[list].([]any)
		for _, c := range cs {
			if cm, ok := c.(map[string]any); ok {
				out = append(out, cm)
			}
		}
	}
	return out
}

// containerNamed is the container or init container of a pod spec called
// name.
func containerNamed(spec map[string]any, name any) map[string]any {
	for _, c := range containersOf(spec) {
		if c["name"] == name {
			return c
		}
	}
	return nil
}
