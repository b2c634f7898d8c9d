package intent

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestMemo(t *testing.T) {
	calls := 0
	m := newMemo[int](3)
	f := func(s string) int { calls++; return len(s) }
	for i := 0; i < 3; i++ {
		if got := m.get("abcd", f); got != 4 {
			t.Fatalf("get = %d, want 4", got)
		}
	}
	if calls != 1 {
		t.Errorf("f called %d times for one key, want 1", calls)
	}
	for i := 0; i < 10; i++ {
		m.get(fmt.Sprint("k", i), f)
	}
	if len(m.m) > 3 {
		t.Errorf("memo holds %d entries, bound is 3", len(m.m))
	}
}

func TestParseImageCachedConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				im, err := ParseImage("localhost:5000/app:1.0")
				if err != nil || im.Registry != "localhost:5000" || im.Tag != "1.0" {
					t.Errorf("ParseImage = %+v, %v", im, err)
					return
				}
				if _, err := ParseImage(fmt.Sprintf("app:%d", i)); err != nil {
					t.Error(err)
					return
				}
				if _, err := ParseImage("Bad:Ref"); err == nil {
					t.Error("cached error lost")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// A reference longer than any valid one is parsed, refused and not kept,
// so the cache's bytes stay bounded whatever callers send.
func TestLongImageNotCached(t *testing.T) {
	long := "registry.example.com/" + strings.Repeat("a", 1<<16) + ":1"
	imageCache.mu.Lock()
	clear(imageCache.m)
	imageCache.mu.Unlock()
	if _, err := ParseImage(long); err == nil {
		t.Fatal("a 64 KiB reference parsed")
	}
	imageCache.mu.RLock()
	n := len(imageCache.m)
	imageCache.mu.RUnlock()
	if n != 0 {
		t.Errorf("the cache kept %d entries after a long reference", n)
	}
}
