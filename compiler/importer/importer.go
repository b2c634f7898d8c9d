// Package importer reads existing Kubernetes manifests — a Pod or a
// Deployment and the Services that select its pods — and writes the
// workload intent that compiles back into them: `podc import`.
//
// The intent says less than a pod spec can, so an import accounts for
// every field of the manifests. Each field is either said by the intent,
// or equal to what compile and the kube-apiserver's defaulting write
// without it, or lost: reported as a Loss with its object, its field path
// and why. Nothing is dropped silently; an import that would lose a field
// fails unless Options.AllowLoss says otherwise.
//
// How a field is accounted for: the mapping marks every field of the input
// it carries into the intent; what is left is compared with the same
// manifests after the apiserver's defaulting, and whatever defaulting does
// not write back by itself is lost. The intent is then put through the
// intent's own structural checks; a value they refuse (an environment
// variable name the intent does not accept, a quantity finer than it
// holds) is left out and lost too, with the check's message.
//
// A Deployment's selector cannot change, so its matchLabels are kept as
// the intent's selector (for a bare Pod, its Services' selector), with
// which compile selects in the Deployment and every Service; the result's
// notes say so. The labels most of the objects share are the intent's
// labels, the pods' others its podLabels; the annotations they all share
// are its annotations, the rest the workload's, the pods', every
// Service's or one Service's own.
//
// It also reads Score workload files (apiVersion score.dev/v1b1): their
// containers with command, args, variables, resources and probes, and
// their service ports; Options.Values gives their ${...} placeholders
// values.
//
// Everything here is pure Go and safe for concurrent use.
package importer

import (
	"fmt"
	"sort"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Limits bound what an import reads.
type Limits struct {
	// Bytes bounds the input text.
	Bytes int64
	// Objects bounds the objects in the input, the items of Lists
	// included.
	Objects int
}

// DefaultLimits are the bounds of an import: a workload and its Services
// fit with a wide margin.
var DefaultLimits = Limits{Bytes: 1 << 20, Objects: 256}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.Bytes <= 0 {
		l.Bytes = DefaultLimits.Bytes
	}
	if l.Objects <= 0 {
		l.Objects = DefaultLimits.Objects
	}
	return l
}

// Options configure an import.
type Options struct {
	// Format is the text format of the input; Detect by default.
	Format Format
	// AllowLoss imports manifests that hold fields the intent cannot say:
	// those fields are dropped (or changed, as each Loss says) and listed
	// in the Result. Without it such an import fails with a *LossError.
	AllowLoss bool
	// Limits bound the input; zero fields mean DefaultLimits'.
	Limits Limits
	// Values are the values of a Score workload's ${...} placeholders, by
	// the expression between the braces ("resources.db.host"), and the
	// images of its containers whose image is "." (built for the
	// workload), by "containers.NAME.image".
	Values map[string]string
}

// Result is an import.
type Result struct {
	// Intent is the workload intent.
	Intent *podcv1.WorkloadIntent
	// Lost lists the fields the intent cannot say, by object and field
	// path: empty unless Options.AllowLoss.
	Lost []Loss
	// Notes say what the import decided that is not a loss: the selector
	// kept, the Services' shape chosen.
	Notes []string
}

// Import reads manifests and returns the intent they compile from.
//
// The input holds exactly one v1 Pod or apps/v1 Deployment and any number
// of v1 Services; the Services whose selector selects the workload's pods
// (in the same namespace) become the intent's Services or the ports'
// expose. Any other object is lost whole. A YAML stream may hold several
// documents; JSON is one object, a v1 List (as kubectl get -o json writes)
// or an array of objects.
//
// Input that cannot be read, holds no workload (or two), or holds a
// workload or Service the kube-apiserver would refuse is an *InputError; an import that would lose fields, without AllowLoss, a
// *LossError listing every one of them.
func Import(data []byte, opts Options) (*Result, error) {
	docs, err := read(data, opts.Format, opts.Limits.withDefaults())
	if err != nil {
		return nil, err
	}
	if d, ok, err := scoreDocument(docs); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return finish(importScore(d, opts.Values))(opts)
	}
	objs, err := sortObjects(docs)
	if err != nil {
		return nil, err
	}
	if err := validateObjects(objs); err != nil {
		return nil, err
	}
	return finish(build(objs))(opts)
}

// finish sorts the losses of an import and refuses it when it loses
// fields without opts.AllowLoss.
func finish(res *Result, err error) func(Options) (*Result, error) {
	return func(opts Options) (*Result, error) {
		if err != nil {
			return nil, err
		}
		sortLosses(res.Lost)
		if len(res.Lost) > 0 && !opts.AllowLoss {
			return nil, &LossError{Lost: res.Lost}
		}
		return res, nil
	}
}

// scoreDocument returns the input's Score workload, when it is one: a
// Score file is one document and nothing else.
func scoreDocument(docs []*document) (*document, bool, error) {
	for _, d := range docs {
		if d.tree["apiVersion"] != ScoreAPIVersion {
			continue
		}
		if len(docs) > 1 {
			return nil, false, &InputError{Problems: []Problem{{Line: d.at.line, Column: d.at.col,
				Message: fmt.Sprintf("a Score workload (%s) among other documents: import a Score file on its own", ScoreAPIVersion)}}}
		}
		return d, true, nil
	}
	return nil, false, nil
}

// sortLosses orders losses by where they are in the input, then by object
// and field.
func sortLosses(ls []Loss) {
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return fmt.Sprint(a.Object, a.Field) < fmt.Sprint(b.Object, b.Field)
	})
}
