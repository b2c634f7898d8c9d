package policy

import (
	"testing"

	"github.com/podc-dev/podc/compiler/policy/reads"
	"github.com/podc-dev/podc/compiler/randintent"
	"github.com/podc-dev/podc/compiler/target"
)

// Leaving the containers out of the whole-intent input, as EvaluateIntent
// does for a profile none of whose forms on it reads them, changes no
// projection any of those forms (or the group of them) makes, on any
// intent: so no outcome. Restricted and baseline are such profiles.
func TestWholeIntentWithoutContainersProjectsAlike(t *testing.T) {
	b, err := Embedded(Options{})
	if err != nil {
		t.Fatal(err)
	}
	trimming := 0
	for name, pr := range b.byProfile {
		if _, err := b.scope(b.gen.Load(), pr); err != nil {
			t.Fatal(err)
		}
		if pr.wholeIntentReads("containers") {
			continue
		}
		trimming++
		var sets []*reads.Set
		for _, f := range pr.compiled {
			if f.input == inputIntent && f.broken == "" {
				if f.reads == nil {
					t.Fatalf("%s: a form whose reads are unknown, yet the containers are left out", name)
				}
				sets = append(sets, f.reads)
				if f.conds != nil {
					sets = append(sets, f.conds)
				}
			}
		}
		if g := pr.groupReads(inputIntent); g != nil {
			sets = append(sets, g)
		}
		gen := randintent.New(7)
		for i := range 200 {
			in := flattenIntent(gen.Next(), target.Default)
			trimmed := *in
			trimmed.Containers = nil
			iw := getInputWriter()
			full, err1 := wholeIntentInput(iw, in, inParams{Profile: name})
			short, err2 := wholeIntentInput(iw, &trimmed, inParams{Profile: name})
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if len(in.Containers) > 0 && len(short) >= len(full) {
				t.Fatalf("%s, intent %d: nothing left out", name, i)
			}
			fx, ok1 := reads.NewIndex(full)
			sx, ok2 := reads.NewIndex(short)
			if !ok1 || !ok2 {
				t.Fatalf("%s, intent %d: an input does not index", name, i)
			}
			for _, rs := range sets {
				if a, b := fx.Project(nil, rs), sx.Project(nil, rs); string(a) != string(b) {
					t.Fatalf("%s, intent %d, reads %s:\nfull    %s\ntrimmed %s", name, i, rs, a, b)
				}
			}
			iw.put()
		}
	}
	if trimming < 2 {
		t.Errorf("%d profiles leave the containers out; restricted and baseline should", trimming)
	}
}
