package lru

import (
	"fmt"
	"sync"
	"testing"
)

func entries(n int) Bounds { return Bounds{Entries: n, Bytes: 1 << 30} }

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	c := New[int](entries(2), nil)
	c.Put("a", 1)
	c.Put("b", 2)
	if v, ok := c.Get("a"); !ok || v != 1 { // a is now the most recent
		t.Fatalf("Get(a) = %v, %v", v, ok)
	}
	c.Put("c", 3) // drops b
	if _, ok := c.Get("b"); ok {
		t.Error("b should have been dropped")
	}
	for k, want := range map[string]int{"a": 1, "c": 3} {
		if v, ok := c.GetBytes([]byte(k)); !ok || v != want {
			t.Errorf("Get(%s) = %v, %v; want %d", k, v, ok, want)
		}
	}
	c.Put("a", 10)
	if v, _ := c.Get("a"); v != 10 || c.Len() != 2 {
		t.Errorf("replace: Get(a) = %d, Len = %d", v, c.Len())
	}
	st := c.Stats()
	if st.Hits != 4 || st.Misses != 1 || st.Evictions != 1 || st.Entries != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestByteBound(t *testing.T) {
	size := func(s string) int64 { return int64(len(s)) }
	// Room for three entries of a one-byte key and a 100-byte value.
	c := New[string](Bounds{Entries: 100, Bytes: 3 * (1 + 100 + EntryOverhead)}, size)
	val := string(make([]byte, 100))
	for _, k := range []string{"a", "b", "c", "d"} {
		c.Put(k, val)
	}
	st := c.Stats()
	if st.Entries != 3 || st.Bytes != 3*(1+100+EntryOverhead) || st.Evictions != 1 {
		t.Errorf("stats %+v", st)
	}
	if _, ok := c.Get("a"); ok {
		t.Error("a should have been dropped for bytes")
	}
	// Replacing a value recounts its bytes.
	c.Put("b", "x")
	if st := c.Stats(); st.Bytes != 2*(1+100+EntryOverhead)+1+1+EntryOverhead {
		t.Errorf("after replace: %+v", st)
	}
	// A value larger than the whole bound is not stored, and drops nothing.
	c.Put("huge", string(make([]byte, 4096)))
	if _, ok := c.Get("huge"); ok || c.Len() != 3 {
		t.Errorf("a value over the bound was stored (len %d)", c.Len())
	}
}

func TestNeverUnbounded(t *testing.T) {
	c := New[int](Bounds{}, nil)
	c.Put("a", 1)
	c.Put("b", 2)
	if c.Len() > 1 {
		t.Errorf("zero bounds hold %d entries", c.Len())
	}
}

func TestConcurrent(t *testing.T) {
	c := New[string](entries(16), func(s string) int64 { return int64(len(s)) })
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := fmt.Sprint(i % 40)
				c.Put(k, k)
				if v, ok := c.Get(k); ok && v != k {
					t.Errorf("Get(%s) = %s", k, v)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if c.Len() > 16 {
		t.Errorf("Len = %d, bound is 16", c.Len())
	}
}

// TestGetIf: a stale value is dropped and counted as a miss; a fresh one
// is a hit.
func TestGetIf(t *testing.T) {
	c := New[int](entries(4), nil)
	c.Put("a", 1)
	c.Put("b", 2)
	if v, ok := c.GetIf("a", func(v int) bool { return v == 1 }); !ok || v != 1 {
		t.Errorf("fresh: %d %v", v, ok)
	}
	if _, ok := c.GetIf("b", func(int) bool { return false }); ok {
		t.Error("stale value served")
	}
	if _, ok := c.Get("b"); ok || c.Len() != 1 {
		t.Errorf("stale value kept: %d entries", c.Len())
	}
	if _, ok := c.GetIf("z", func(int) bool { t.Error("fresh called without a value"); return true }); ok {
		t.Error("missing key served")
	}
	if st := c.Stats(); st.Hits != 1 || st.Misses != 3 || st.Evictions != 0 {
		t.Errorf("stats %+v", st)
	}
}
