package policy

import (
	"testing"
)

// The default bundle's trimmed forms all compile: none falls back to the
// whole bundle (which would be correct but slow), and a whole-intent unit
// carries the containers only when its rules mention them.
func TestDefaultBundleUsesTrimmedForms(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for name, pr := range b.byProfile {
		for _, u := range []*unit{pr.intentWhole, pr.intentEach, pr.manifestWhole, pr.manifestEach} {
			if u.scope == b.scope {
				t.Errorf("%s: a unit (stage %v, each %v) fell back to the whole bundle", name, u.stage, u.each)
			}
			if !u.each && u.needsContainers {
				t.Errorf("%s: whole unit (stage %v) carries the containers though no rule reads them", name, u.stage)
			}
		}
		if n := len(pr.intentEach.viol) + len(pr.intentWhole.viol); n != len(pr.intent) {
			t.Errorf("%s: %d intent rules in units, want %d", name, n, len(pr.intent))
		}
	}
	if got := len(b.byProfile["restricted"].intentEach.defs); got != 4 {
		t.Errorf("restricted: %d per-container default rules, want 4", got)
	}
}

func TestMentions(t *testing.T) {
	srcs := map[string][]byte{"a.cue": []byte(`package p
rules: x: {violations: [for c in intent.containers {field: c.path}]}
rules: y: {violations: [if intent["name"] == "" {field: "name"}]}
`)}
	for _, tt := range []struct {
		keep string
		want bool
	}{{"x", true}, {"y", false}} {
		wf, err := wrapSources("p", srcs, []string{"a.cue"}, nil, func(id string) (bool, []string) { return id == tt.keep, nil })
		if err != nil {
			t.Fatal(err)
		}
		if got := mentions(wf, "containers"); got != tt.want {
			t.Errorf("keep %s: mentions = %v, want %v", tt.keep, got, tt.want)
		}
	}
}
