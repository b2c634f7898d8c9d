package compiler

import (
	"crypto/sha256"
	"testing"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/render"
)

// Two requests that differ in anything that changes the answer never
// share a key, however their strings split: each string is preceded by
// its length, and the two kinds of key never meet.
func TestKeysOfDifferentRequestsDiffer(t *testing.T) {
	bundle, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{})
	other := New(Options{NodePorts: intent.PortRange{Min: 30000, Max: 30999}})
	sum := sha256.Sum256([]byte("intent"))
	base := Request{Profile: "restricted", TargetVersion: "1.30"}
	keys := map[string]string{}
	add := func(name, k string) {
		t.Helper()
		if prev, ok := keys[k]; ok {
			t.Errorf("%s and %s share a key", prev, name)
		}
		keys[k] = name
	}
	add("base", e.key(keyIntent, sum, bundle, base))
	add("wire kind", e.key(keyWire, sum, bundle, base))
	add("another intent", e.key(keyIntent, sha256.Sum256([]byte("intent2")), bundle, base))
	add("node ports", other.key(keyIntent, sum, bundle, base))
	for name, change := range map[string]func(*Request){
		"profile split":  func(r *Request) { r.Profile, r.TargetVersion = "restricted1", ".30" },
		"profile joined": func(r *Request) { r.Profile, r.TargetVersion = "restricted1.30", "" },
		"no profile":     func(r *Request) { r.Profile = "" },
		"json":           func(r *Request) { r.Format = render.JSON },
		"defaults":       func(r *Request) { r.APIServerDefaults = true },
		"explain":        func(r *Request) { r.Explain = true },
		"both flags":     func(r *Request) { r.APIServerDefaults, r.Explain = true, true },
	} {
		r := base
		change(&r)
		add(name, e.key(keyIntent, sum, bundle, r))
	}
	// The same request, the same key.
	if e.key(keyIntent, sum, bundle, base) != e.key(keyIntent, sum, bundle, base) {
		t.Error("one request, two keys")
	}
}
