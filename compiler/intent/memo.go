package intent

import "sync"

// memo is a bounded cache of a pure function's results by string key. When
// it is full it starts over, which keeps the cost of a flood of distinct
// keys bounded without bookkeeping on every hit. It is safe for concurrent
// use.
type memo[V any] struct {
	mu  sync.RWMutex
	m   map[string]V
	max int
}

func newMemo[V any](max int) *memo[V] {
	return &memo[V]{m: make(map[string]V), max: max}
}

// get returns f(key), computing it only when key is not cached.
func (c *memo[V]) get(key string, f func(string) V) V {
	c.mu.RLock()
	v, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = f(key)
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[key] = v
	c.mu.Unlock()
	return v
}
