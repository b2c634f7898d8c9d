package policy

import (
	"fmt"
	"sync"
	"testing"
)

func TestLRUEvictsLeastRecentlyUsed(t *testing.T) {
	c := newLRU[int](2)
	c.put("a", 1)
	c.put("b", 2)
	if v, ok := c.get("a"); !ok || v != 1 {
		t.Fatalf("get(a) = %v, %v; want 1, true", v, ok)
	}
	c.put("c", 3) // evicts b, the least recently used
	if _, ok := c.get("b"); ok {
		t.Error("b survived eviction")
	}
	for k, want := range map[string]int{"a": 1, "c": 3} {
		if v, ok := c.get(k); !ok || v != want {
			t.Errorf("get(%s) = %v, %v; want %d, true", k, v, ok, want)
		}
	}
	c.put("c", 4)
	if v, _ := c.get("c"); v != 4 {
		t.Errorf("get(c) after overwrite = %d, want 4", v)
	}
	if n := c.len(); n != 2 {
		t.Errorf("len = %d, want 2", n)
	}
}

func TestLRUConcurrent(t *testing.T) {
	c := newLRU[int](16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := fmt.Sprint((g*7 + i) % 40)
				c.put(k, i)
				c.get(k)
			}
		})
	}
	wg.Wait()
	if n := c.len(); n > 16 {
		t.Errorf("len = %d, want at most 16", n)
	}
}
