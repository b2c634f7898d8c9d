package compiler

import (
	"fmt"
	"testing"
)

func TestSightingsSize(t *testing.T) {
	for _, c := range []struct {
		entries int
		bytes   int64
	}{{1024, 128 << 10}, {1000, 128 << 10}, {1, 128}, {0, 8 * sightingsPerResult}} {
		if got := int64(len(newSightings(c.entries).slots)) * 8; got != c.bytes {
			t.Errorf("%d entries: a table of %d bytes, want %d", c.entries, got, c.bytes)
		}
	}
}

// TestSightingsForgetATakenSlot: a key is seen before from its second
// sighting, until another key takes its slot; then it is new once more.
func TestSightingsForgetATakenSlot(t *testing.T) {
	s := newSightings(1) // 16 slots
	slot := func(k string) uint64 { return s.fingerprint(k) & s.mask }
	a, b := "a", ""
	for i := 0; b == ""; i++ {
		if k := fmt.Sprint("b", i); slot(k) == slot(a) {
			b = k
		}
	}
	for i, step := range []struct {
		key  string
		seen bool
	}{{a, false}, {a, true}, {a, true}, {b, false}, {a, false}, {a, true}, {b, false}} {
		if got := s.seenBefore(step.key); got != step.seen {
			t.Fatalf("step %d, %s: seen before %v, want %v", i, step.key, got, step.seen)
		}
	}
}

func TestParseResultAdmission(t *testing.T) {
	for _, a := range []ResultAdmission{AdmitRepeats, AdmitAll} {
		if got, err := ParseResultAdmission(a.String()); err != nil || got != a {
			t.Errorf("%v: read back as %v, %v", a, got, err)
		}
	}
	if _, err := ParseResultAdmission("first"); err == nil {
		t.Error("an unknown admission was read")
	}
}
