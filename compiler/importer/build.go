package importer

import (
	"fmt"
	"strings"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// maxRounds bounds the rounds of build: each round leaves out at least one
// more value the intent's checks refused, so a real input needs two or
// three.
const maxRounds = 16

// build maps the Kubernetes objects to an intent (see buildWith).
func build(objs *objects) (*Result, error) {
	def := defaultedOf(objs.workload)
	return buildWith(objs, func(b *builder) {
		b.defaulted = def
		b.run()
	})
}

// buildWith runs mapping, which maps the objects to an intent, accounts
// for every field and puts the intent through the intent's checks; a value
// they refuse is left out and the mapping runs again without it.
func buildWith(objs *objects, mapping func(*builder)) (*Result, error) {
	drops := map[string]string{}
	for range maxRounds {
		b := newBuilder(objs, drops)
		mapping(b)
		refused := append(intent.CheckLimits(b.wi, intent.DefaultLimits), intent.Check(b.wi, intent.Options{})...)
		if len(refused) == 0 {
			lost, err := b.residual()
			if err != nil {
				return nil, err
			}
			return &Result{Intent: b.wi, Lost: append(append(append([]Loss(nil), objs.lost...), b.lost...), lost...), Notes: b.notes}, nil
		}
		for _, f := range refused {
			src, ok := b.sourceOf(f.Field)
			if !ok || src.essential {
				return nil, b.refusal(f, src, ok)
			}
			key := dropKey(src.obj, src.path)
			if src.metaKey != "" {
				key = src.metaKey
			}
			if _, seen := drops[key]; seen {
				return nil, fmt.Errorf("importer: %s was left out and is still refused: %s", src.path, f)
			}
			drops[key] = "the intent's checks refuse it: " + f.Message
		}
	}
	return nil, fmt.Errorf("importer: the intent's checks still refuse values after %d rounds", maxRounds)
}

// refusal is the error for a value the intent's checks refuse that cannot
// be left out (the workload's name, a container's image).
func (b *builder) refusal(f diag.Finding, src source, ok bool) error {
	if !ok {
		return fmt.Errorf("importer: the intent's checks refuse %s, which the import did not write: %s", f.Field, f.Message)
	}
	pos := src.obj.doc.position(src.path)
	return inputErr(src.obj.ref, src.obj.typedPath(src.path), pos, "the intent cannot say it, and the workload cannot go without it: %s", f.Message)
}

// source is where a value of the intent comes from in the manifests.
type source struct {
	obj  *object
	path fieldPath
	// essential values cannot be left out: the workload without them is
	// not the same workload.
	essential bool
	// metaKey, for the intent's labels and annotations, names the key
	// across every object that carries it.
	metaKey string
}

// builder maps one workload and its Services to an intent, once, leaving
// out the values in drops. It marks each manifest field it carries
// into the intent, and records each loss it knows of.
type builder struct {
	objs      *objects
	drops     map[string]string
	defaulted defaultedWorkload // the Kubernetes workload, defaulted
	wi        *podcv1.WorkloadIntent

	ports     []*portRef // the pod's ports, in the intent
	declared  bool       // a port no container declared was declared
	svcs      []*svc     // the Services that became the intent's
	wholeLost []Loss     // Services lost whole

	used    map[*object]map[string]bool // consumed fields, by fieldPath.id()
	reasons map[string]string           // why a field the mapping leaves is lost, by dropKey
	lost    []Loss
	notes   []string
	prov    map[string]source // the manifest field behind each intent path
}

func newBuilder(objs *objects, drops map[string]string) *builder {
	return &builder{
		objs: objs, drops: drops, wi: &podcv1.WorkloadIntent{},
		used: map[*object]map[string]bool{}, reasons: map[string]string{}, prov: map[string]source{},
	}
}

// run maps everything.
func (b *builder) run() {
	w := b.objs.workload
	b.identity()
	b.controller()
	b.podSpec(w, w.podSpecPath())
	b.svcs = b.resolveServices()
	b.exposeAndName(b.svcs)
	kept := b.keepSelector(b.svcs)
	own := b.labelsAndAnnotations(b.svcs, kept)
	b.accountSelectors(b.svcs, kept)
	b.emitServices(b.svcs, own)
	objs := []*object{w}
	for _, s := range b.svcs {
		objs = append(objs, s.obj)
	}
	for _, o := range objs {
		b.use(o, fieldPath{}.f("apiVersion"))
		b.use(o, fieldPath{}.f("kind"))
	}
}

// dropKey names a manifest field across rounds.
func dropKey(o *object, p fieldPath) string { return o.ref + "\x01" + p.id() }

// dropped reports whether the checks refused the value at p of o in an
// earlier round; its reason is then the loss's.
func (b *builder) dropped(o *object, p fieldPath) bool {
	r, ok := b.drops[dropKey(o, p)]
	if ok {
		b.reasons[dropKey(o, p)] = r
	}
	return ok
}

// use marks the field at p of o, and everything inside it, as carried
// into the intent (or written back by compile and defaulting alike).
func (b *builder) use(o *object, p fieldPath) {
	m := b.used[o]
	if m == nil {
		m = map[string]bool{}
		b.used[o] = m
	}
	m[p.id()] = true
}

// lose records that the field at p of o is lost for reason, and marks it
// accounted for.
func (b *builder) lose(o *object, p fieldPath, reason string) {
	b.use(o, p)
	pos := o.doc.position(p)
	b.lost = append(b.lost, Loss{Object: o.ref, Field: o.typedPath(p).String(), Reason: reason, Line: pos.line, Column: pos.col})
}

// why gives the reason a field at p of o, left unmapped, is lost.
func (b *builder) why(o *object, p fieldPath, reason string) {
	b.reasons[dropKey(o, p)] = reason
}

// record notes that the intent value at ip came from the field at p of o.
func (b *builder) record(ip diag.Path, o *object, p fieldPath, essential bool) {
	b.prov[ip.String()] = source{obj: o, path: p, essential: essential}
}

// sourceOf finds the manifest field behind an intent path: the one
// recorded for the path or for the nearest value that holds it.
func (b *builder) sourceOf(ip string) (source, bool) {
	for p := ip; p != ""; p = parentPath(p) {
		if s, ok := b.prov[p]; ok {
			return s, true
		}
	}
	return source{}, false
}

// parentPath strips the last step of an intent path: "a.b[2]" -> "a.b",
// `labels["x.y"]` -> "labels", "a.b" -> "a".
func parentPath(p string) string {
	switch {
	case strings.HasSuffix(p, `"]`):
		if i := strings.LastIndex(p, `["`); i >= 0 {
			return p[:i]
		}
	case strings.HasSuffix(p, "]"):
		if i := strings.LastIndex(p, "["); i >= 0 {
			return p[:i]
		}
	default:
		if i := strings.LastIndex(p, "."); i >= 0 {
			return p[:i]
		}
	}
	return ""
}

// note records a decision for the result's notes.
func (b *builder) note(format string, args ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, args...))
}

// podSpecPath is where the workload's pod spec is: spec, or
// spec.template.spec.
func (o *object) podSpecPath() fieldPath {
	if o.pod != nil {
		return fieldPath{}.f("spec")
	}
	return fieldPath{}.f("spec").f("template").f("spec")
}

// podMetaPath is where the metadata of the workload's pods is.
func (o *object) podMetaPath() fieldPath {
	if o.pod != nil {
		return fieldPath{}.f("metadata")
	}
	return fieldPath{}.f("spec").f("template").f("metadata")
}
