package diag

import "strings"

// Origin is where the value of a manifest field came from.
type Origin int

const (
	// OriginIntent means the intent said it: the field holds an intent
	// field's value, copied or translated.
	OriginIntent Origin = iota + 1
	// OriginCompiler means the compiler chose it: a default for an intent
	// field left unset, or a field podc writes on its own.
	OriginCompiler
	// OriginPolicy means a policy rule's default wrote the intent field the
	// value came from, before compile.
	OriginPolicy
)

// String returns "intent", "compiler" or "policy".
func (o Origin) String() string {
	switch o {
	case OriginIntent:
		return "intent"
	case OriginCompiler:
		return "compiler"
	case OriginPolicy:
		return "policy"
	}
	return "unknown"
}

// FieldSource says where one field of a compiled object came from.
type FieldSource struct {
	// Object is the object: "Deployment/checkout".
	Object string
	// ManifestField is the field inside it, as the kube-apiserver writes
	// field paths: "spec.template.spec.containers[0].ports[1].containerPort",
	// "metadata.labels[app.kubernetes.io/name]".
	ManifestField string
	// Origin is who decided the value.
	Origin Origin
	// IntentField is the intent field the value came from or, for a
	// compiler default, the intent field it stands for ("" when it stands
	// for none, as with podc's own managed-by label).
	IntentField string
	// RuleID is the policy rule whose default wrote IntentField, for
	// OriginPolicy; empty otherwise.
	RuleID string
}

// Source returns who decided, in the form of Default.Source: "intent",
// "compiler" or "policy:<rule id>".
func (s FieldSource) Source() string {
	if s.Origin == OriginPolicy {
		return PolicySource(s.RuleID)
	}
	return s.Origin.String()
}

// String renders the source as one line that starts with the manifest
// field: "Deployment/checkout: spec.replicas <- replicas", with the
// deciding party in brackets for defaults:
// "Pod/web: spec.containers[0].imagePullPolicy <- [compiler] containers[0].pullPolicy".
func (s FieldSource) String() string {
	var b strings.Builder
	b.WriteString(s.Object)
	b.WriteString(": ")
	b.WriteString(s.ManifestField)
	b.WriteString(" <-")
	if s.Origin != OriginIntent {
		b.WriteString(" [")
		b.WriteString(s.Source())
		b.WriteString("]")
	}
	if s.IntentField != "" {
		b.WriteString(" ")
		b.WriteString(s.IntentField)
	}
	return b.String()
}
