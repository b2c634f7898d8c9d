package importer

import (
	"fmt"
	"strings"
)

// Loss is one field of the manifests that the intent cannot say: dropped,
// or changed, when the intent is compiled again.
type Loss struct {
	// Object is the manifest object, as Kind/name: "Deployment/web".
	Object string
	// Field is the field path inside the object, in the kube-apiserver's
	// notation ("spec.template.spec.affinity", "metadata.labels[tier]");
	// empty when the whole object is lost.
	Field string
	// Reason says why the intent cannot say it and what compile writes
	// instead, if anything.
	Reason string
	// Line and Column place the field in the input, from 1; zero when the
	// field is not in the input (a value compile would add).
	Line, Column int
}

// String is "Object: field: reason", or "Object: reason" for a whole object.
func (l Loss) String() string {
	if l.Field == "" {
		return l.Object + ": " + l.Reason
	}
	return l.Object + ": " + l.Field + ": " + l.Reason
}

// Path is "Object: field", or "Object" for a whole object: the lost field,
// without its reason.
func (l Loss) Path() string {
	if l.Field == "" {
		return l.Object
	}
	return l.Object + ": " + l.Field
}

// LossError refuses an import whose manifests hold fields the intent cannot
// say, when Options.AllowLoss is off: the manifests are well-formed, but
// importing them would lose something. Lost lists every such field.
type LossError struct {
	Lost []Loss
}

// Error lists every lost field, one per line.
func (e *LossError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d fields the intent cannot say", len(e.Lost))
	for _, l := range e.Lost {
		b.WriteString("\n  ")
		b.WriteString(l.String())
	}
	return b.String()
}

// Problem is one reason the input cannot be imported at all.
type Problem struct {
	// Object is the manifest object, as Kind/name, when the problem is
	// inside one.
	Object string
	// Field is the field path inside Object, when there is one.
	Field string
	// Line and Column place the problem in the input, from 1; zero when
	// unknown.
	Line, Column int
	// Message says what is wrong.
	Message string
}

// String starts with the object and field path, and ends with the
// position in the input.
func (p Problem) String() string {
	var b strings.Builder
	if p.Object != "" {
		b.WriteString(p.Object + ": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	if p.Line > 0 {
		fmt.Fprintf(&b, " (at %d:%d)", p.Line, p.Column)
	}
	return b.String()
}

// InputError refuses input that is not manifests podc can import: text
// that is not YAML or JSON, documents that are not Kubernetes objects,
// values of the wrong type, no Pod or Deployment, or more than one. The
// caller's fault.
type InputError struct {
	Problems []Problem
}

// Error lists every problem, one per line, each starting with its object
// and field.
func (e *InputError) Error() string {
	if len(e.Problems) == 1 {
		return "cannot import: " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cannot import: %d problems", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// inputErr is an InputError with one problem.
func inputErr(obj string, p fieldPath, pos position, format string, args ...any) *InputError {
	return &InputError{Problems: []Problem{{
		Object: obj, Field: p.String(), Line: pos.line, Column: pos.col, Message: fmt.Sprintf(format, args...),
	}}}
}
