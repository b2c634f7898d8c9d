package policy

import (
	"reflect"
	"testing"

	"github.com/podc-dev/podc/compiler/randintent"
	"github.com/podc-dev/podc/internal/lru"
	"github.com/podc-dev/podc/policies"
)

// Rule by rule, with each rule's outcome cached under what it reads, the
// engine decides exactly as the unit's trimmed form evaluated afresh: the
// same findings, defaults and decisions, intent after intent.
func TestRuleCachesMatchWholeUnits(t *testing.T) {
	cached, err := Load(policies.FS(), SourceEmbedded)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Load(policies.FS(), SourceEmbedded)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range plain.byProfile {
		for _, u := range []*unit{pr.intentWhole, pr.intentEach, pr.manifestWhole, pr.manifestEach} {
			if u.forms == nil && !u.empty() {
				t.Fatal("the default bundle has a unit without rule forms")
			}
			u.forms = nil
		}
	}
	gen := randintent.New(7)
	for i := range 150 {
		wi := gen.Next()
		for _, profile := range []string{"baseline", "restricted"} {
			p := Params{Profile: profile}
			want, err := plain.EvaluateIntent(wi, p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cached.EvaluateIntent(wi, p)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Findings, want.Findings) || !reflect.DeepEqual(got.Defaults, want.Defaults) || !reflect.DeepEqual(got.Decisions, want.Decisions) {
				t.Fatalf("intent %d, %s:\n got %v %v\nwant %v %v", i, profile, got.Findings, got.Defaults, want.Findings, want.Defaults)
			}
			// The plain bundle evaluates every intent afresh.
			clearUnitCaches(plain)
		}
	}
}

func clearUnitCaches(b *Bundle) {
	for _, pr := range b.byProfile {
		for _, u := range []*unit{pr.intentWhole, pr.intentEach, pr.manifestWhole, pr.manifestEach} {
			u.cache = lru.New[[]ruleOut](cacheSize)
		}
	}
}
