package importer

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/validate"
)

// anyNodePort is the node port range the manifests are validated with:
// the cluster they come from may have any; the intent's checks hold the
// imported node ports to the platform's.
var anyNodePort = intent.PortRange{Min: 1, Max: 65535}

// validateObjects runs the kube-apiserver's create validation on the
// workload and the Services: an import reads manifests a cluster would
// accept, and refuses the others as input, every problem at its field.
func validateObjects(objs *objects) error {
	all := append([]*object{objs.workload}, objs.services...)
	byRef := map[string]*object{}
	var typed []runtime.Object
	for _, o := range all {
		byRef[o.ref] = o
		typed = append(typed, o.typedObject())
	}
	var problems []Problem
	for _, f := range validate.Objects(typed, validate.Options{NodePorts: anyNodePort}) {
		ref, field, _ := strings.Cut(f.ManifestField, ": ")
		p := Problem{Object: ref, Field: field, Message: "the kube-apiserver refuses it: " + strings.TrimSuffix(f.Message, suffixOf(f.Message))}
		if o, ok := byRef[ref]; ok {
			at := o.doc.position(parsePath(o.doc.tree, field))
			p.Line, p.Column = at.line, at.col
		}
		problems = append(problems, p)
	}
	if len(problems) > 0 {
		return &InputError{Problems: problems}
	}
	return nil
}

// suffixOf is the " (Kubernetes 1.NN apiserver validation)" a validation
// message ends with, which the import's own wording replaces.
func suffixOf(msg string) string {
	if i := strings.LastIndex(msg, " (Kubernetes "); i >= 0 && strings.HasSuffix(msg, " apiserver validation)") {
		return msg[i:]
	}
	return ""
}

// parsePath reads a path as the kube-apiserver prints it
// ("spec.containers[0].ports[1]", "metadata.labels[app]") against tree:
// a bracket is an index into a list and a key into a map.
func parsePath(tree any, s string) fieldPath {
	var p fieldPath
	node := tree
	for len(s) > 0 {
		var name string
		bracket := false
		switch {
		case s[0] == '.':
			s = s[1:]
			continue
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return p
			}
			name, s, bracket = s[1:end], s[end+1:], true
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			name, s = s[:end], s[end:]
		}
		if l, ok := node.([]any); ok && bracket {
			i, err := strconv.Atoi(name)
			if err != nil || i < 0 {
				return p
			}
			p = p.i(i)
			node = nil
			if i < len(l) {
				node = l[i]
			}
			continue
		}
		p = p.f(name)
		m, _ := node.(map[string]any)
		node = m[name]
	}
	return p
}
