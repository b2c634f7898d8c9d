package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

//go:generate go test -count=1 -run ^TestEmbeddedFacts$ . -args -write-facts

// bundleFacts are what Load learns of a bundle by building it with podc's
// schema: its profiles and, for each rule, its metadata, where it is
// declared, whether it declares violations and exception terms, and those
// terms settled (settleTerms). Building the bundle checks it against the
// schema and reads all that; it is a fifth of a one-shot `podc compile`.
//
// The embedded bundle's facts are computed when podc is built, from a full
// load (embedded_facts.go, written by `go generate ./compiler/policy`), and
// Embedded takes them with Options.Lazy instead of building the bundle.
// They hold only for the files and the prelude they were made from: key is
// factsKey of that bundle's digest, and a bundle whose files or prelude
// differ in any byte is built and checked as ever. TestEmbeddedFacts checks
// that they equal what a full load of the embedded bundle computes, so a
// change to policies/, to the prelude or to what a load reads fails it
// until they are generated again. A directory bundle never takes facts.
// Should a change to these types leave embedded_facts.go not compiling,
// delete it and generate it again: without it the package builds, and
// every load is a full one.
type bundleFacts struct {
	// key is factsKey of the digest of the files the facts were made from.
	key string
	// profiles are the bundle's profiles, by name.
	profiles []Profile
	// rules are its rules, by id, their exception terms settled.
	rules []ruleMeta
}

// embeddedFacts are the embedded bundle's facts; nil until
// embedded_facts.go, which is generated, sets them.
var embeddedFacts *bundleFacts

// factsKey is what facts made from the bundle with the given digest are
// kept under: a digest of that digest and podc's prelude, whose schema the
// facts were checked with.
func factsKey(digest string) string {
	h := sha256.New()
	h.Write([]byte(digest))
	h.Write([]byte{0})
	h.Write([]byte(prelude))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// takeFacts records the profiles of f and returns its rules, copied, as
// readMetadata would read them, but with their exception terms settled.
func (b *Bundle) takeFacts(f *bundleFacts) []ruleMeta {
	b.profiles = slices.Clone(f.profiles)
	for i, p := range b.profiles {
		b.byProfile[p.Name] = &profileRules{index: i}
	}
	metas := slices.Clone(f.rules)
	for i := range metas {
		metas[i].Rule = cloneRule(metas[i].Rule)
	}
	return metas
}

// settleFromFacts settles the rules' exception terms as settleTerms did
// when the facts were made: a rule that declares exception terms but has
// none in the facts allows no intent to except it, so its exception form
// is never evaluated.
func (b *Bundle) settleFromFacts(f *bundleFacts) {
	for i, m := range f.rules {
		if m.exception && m.Exception == nil {
			b.exceptionForms[i] = nil
		}
	}
}
