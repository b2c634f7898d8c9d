package policy_test

import (
	"slices"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/source"
	"github.com/podc-dev/podc/internal/exampletest"
	"github.com/podc-dev/podc/internal/headstart"
	"github.com/podc-dev/podc/policies"
)

// headTaken reports whether the scope of profile that h compiled was
// handed over already: a fresh head hands it over to this call instead.
func headTaken(h *source.Head, profile string) bool {
	plan := headstart.Plan()
	_, ok := h.Scope(profile, plan.Profiles[profile], plan.Rules)
	return !ok
}

// decisions decides every example under every profile with b, in an
// order that starts with first.
func decisions(t *testing.T, b *policy.Bundle, first string) map[string]string {
	t.Helper()
	profiles := []string{first}
	for _, p := range []string{"baseline", "restricted", "production"} {
		if p != first {
			profiles = append(profiles, p)
		}
	}
	got := map[string]string{}
	for _, profile := range profiles {
		for _, name := range []string{"checkout.json", "hello.json", "resolver.json", "nightly-report.json", "dev-latest.json"} {
			got[name+" "+profile] = decide(t, b, exampletest.Intent(t, name), profile)
		}
	}
	return got
}

// A bundle that takes a head start (its files parsed and a profile's
// forms compiled before the load) decides every example under every
// profile as one that does that work itself, and takes the compiled
// profile: the head hands it over once.
func TestHeadStartDecidesAsWithout(t *testing.T) {
	plain, err := policy.Embedded(policy.Options{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	want := decisions(t, plain, "baseline")
	for _, profile := range []string{"baseline", "restricted", "production", ""} {
		h := source.Start(policies.FS(), headstart.Plan(), profile)
		b, err := policy.Embedded(policy.Options{Lazy: true, Head: h})
		if err != nil {
			t.Fatal(err)
		}
		// The compiled profile is used last, so that the others are
		// compiled into the head's context after it was taken.
		first := "production"
		if profile == "production" {
			first = "baseline"
		}
		got := decisions(t, b, first)
		for k, w := range want {
			if got[k] != w {
				t.Errorf("head start on %q: %s decides\n%s\nwithout one\n%s", profile, k, got[k], w)
			}
		}
		if profile != "" && !headTaken(h, profile) {
			t.Errorf("head start on %q: the bundle did not take the compiled profile", profile)
		}
	}
}

// Many first requests at once, of every profile, on a bundle with a head
// start (run with -race): the head's context is taken once, before any of
// them compiles into it.
func TestHeadStartConcurrentFirstUse(t *testing.T) {
	plain, err := policy.Embedded(policy.Options{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	wi := exampletest.Intent(t, "checkout.json")
	profiles := []string{"baseline", "restricted", "production"}
	want := map[string]string{}
	for _, p := range profiles {
		want[p] = decide(t, plain, wi, p)
	}
	b, err := policy.Embedded(policy.Options{Lazy: true, Head: source.Start(policies.FS(), headstart.Plan(), "restricted")})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]string, 3*len(profiles))
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = decide(t, b, exampletest.Intent(t, "checkout.json"), profiles[i%len(profiles)])
		}()
	}
	wg.Wait()
	for i, g := range got {
		if p := profiles[i%len(profiles)]; g != want[p] {
			t.Errorf("%s, at once with the others:\n%s\nwant\n%s", p, g, want[p])
		}
	}
}

// A head start made for other files, or with other forms than the bundle
// compiles, is not taken, and the bundle decides as without one.
func TestHeadStartNotForThisBundle(t *testing.T) {
	plain, err := policy.Embedded(policy.Options{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	wi := exampletest.Intent(t, "checkout.json")
	want := decide(t, plain, wi, "restricted")

	plan := headstart.Plan()
	otherForms := *plan
	otherForms.Profiles = map[string][]source.Form{"restricted": slices.Clone(plan.Profiles["restricted"])[1:]}
	otherRules := *plan
	otherRules.Rules = append(slices.Clone(plan.Rules), "zz.not-a-rule")
	otherFiles := *plan
	otherFiles.Digest = "sha256:" + plan.Digest[len(plan.Digest)-64:][:63] + "0"
	for name, h := range map[string]*source.Head{
		"other forms": source.Start(policies.FS(), &otherForms, "restricted"),
		"other rules": source.Start(policies.FS(), &otherRules, "restricted"),
		"other files": source.Start(policies.FS(), &otherFiles, "restricted"),
		"another bundle's files": source.Start(fstest.MapFS{
			"p.cue": {Data: []byte("package policies\nprofiles: restricted: description: \"r\"\n")},
		}, plan, "restricted"),
	} {
		b, err := policy.Embedded(policy.Options{Lazy: true, Head: h})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := decide(t, b, wi, "restricted"); got != want {
			t.Errorf("%s: decides\n%s\nwithout a head start\n%s", name, got, want)
		}
	}
}
