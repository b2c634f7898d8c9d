package policy

import (
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/internal/lru"
)

// An outcome is what one form produced on one input: findings (a
// violations form), defaults (a defaults form), a verdict (an exception
// form), or the fault that kept it from being evaluated. Outcomes are
// cached and shared: never changed once made. None depends on the time:
// an exception's expiry is judged after, in Go, at Params.Now.
type outcome struct {
	findings []diag.Finding
	defaults []pendingDefault
	verdict  *verdict
	fault    string
	// group, in an entry of its own, holds the outcomes of every form of
	// a profile that reads one input (the whole intent or manifests, or
	// one container), in the profile's order (see Bundle.evaluate): an
	// input that projects as one seen before takes them all at once, with
	// no projection per form.
	group []*outcome
}

func (o *outcome) empty() bool {
	return len(o.findings) == 0 && len(o.defaults) == 0 && o.verdict == nil && o.fault == ""
}

// size estimates the bytes an outcome holds, for the cache's byte bound.
func (o *outcome) size() int64 {
	if o == nothing {
		return 0
	}
	n := int64(64 + len(o.fault))
	for _, m := range o.group {
		n += 8 + m.size()
	}
	if o.verdict != nil {
		n += 32 + int64(len(o.verdict.message))
	}
	for _, f := range o.findings {
		n += 128 + int64(len(f.Field)+len(f.ManifestField)+len(f.Message))
	}
	for _, d := range o.defaults {
		n += 96 + int64(len(d.field)+len(d.reason)+len(d.shown)+len(d.source)) + 48*int64(len(d.steps))
		if s, ok := d.value.([]string); ok {
			for _, x := range s {
				n += 16 + int64(len(x))
			}
		}
	}
	return n
}

// CacheStats returns the counters of the bundle's rule outcome cache.
func (b *Bundle) CacheStats() lru.Stats { return b.cache.Stats() }
