package compiler

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"sync/atomic"
)

// ResultAdmission says which compile answers the result cache remembers.
type ResultAdmission int

const (
	// AdmitRepeats remembers the answer to a request the engine has
	// compiled before: the second time it is asked, and from then on it
	// is served from memory. A request asked once is not remembered, so
	// a stream of one-off requests (a new workload name every call, a CI
	// job's fleet) does not fill the cache, and the heap, with answers
	// nobody asks for again. The default.
	AdmitRepeats ResultAdmission = iota
	// AdmitAll remembers every answer, from the first time it is asked.
	AdmitAll
)

// sightings is AdmitRepeats' memory of the requests compiled once: a
// fixed table of 64-bit fingerprints of their result cache keys (a hash
// seeded afresh by every process, so a caller cannot aim requests at one
// slot), one per slot, a slot chosen by the fingerprint. A request whose
// fingerprint is in its slot was compiled before; one whose is not takes
// the slot. A slot taken over forgets the request that held it, which is
// then remembered one sighting later; two keys of one fingerprint would
// have the second's answer remembered on its first sighting. Neither
// changes an answer: the table only decides what the result cache keeps,
// and the cache itself is keyed by the whole request. Safe for concurrent
// use without a lock (two first sightings at once may both take the
// slot).
type sightings struct {
	seed  maphash.Seed
	slots []atomic.Uint64
	mask  uint64
}

// sightingsPerResult is the table's slots per result cache entry: a
// one-off request is forgotten after about that many times the cache's
// entries other new requests, 8 bytes each (128 KiB for the default 1,024
// entries).
const sightingsPerResult = 16

// newSightings returns a table of sightingsPerResult slots per result
// cache entry, rounded up to a power of two.
func newSightings(entries int) *sightings {
	n := uint64(1) << bits.Len64(uint64(max(1, entries)*sightingsPerResult)-1)
	return &sightings{seed: maphash.MakeSeed(), slots: make([]atomic.Uint64, n), mask: n - 1}
}

// seenBefore reports whether key was seen before, and records it if not.
func (s *sightings) seenBefore(key string) bool {
	fp := s.fingerprint(key)
	slot := &s.slots[fp&s.mask]
	if slot.Load() == fp {
		return true
	}
	slot.Store(fp)
	return false
}

// fingerprint is key's fingerprint: never 0, which marks an empty slot.
func (s *sightings) fingerprint(key string) uint64 { return maphash.String(s.seed, key) | 1 }

// String is the admission's name, as ParseResultAdmission reads it.
func (a ResultAdmission) String() string {
	if a == AdmitAll {
		return "all"
	}
	return "repeats"
}

// ParseResultAdmission reads "repeats" (AdmitRepeats) or "all" (AdmitAll).
func ParseResultAdmission(s string) (ResultAdmission, error) {
	switch s {
	case "repeats":
		return AdmitRepeats, nil
	case "all":
		return AdmitAll, nil
	}
	return 0, fmt.Errorf("%q: want repeats or all", s)
}
