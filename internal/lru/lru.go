// Package lru is a least-recently-used cache keyed by strings, bounded both
// in entries and in bytes.
package lru

import (
	"container/list"
	"sync"
)

// EntryOverhead is what the cache counts for one entry besides its key and
// value: the map slot, the list element and the entry itself, measured on
// 64-bit Go.
const EntryOverhead = 160

// Bounds limit a cache. A value at or below zero means one entry (or one
// entry's bytes): a cache is never unbounded.
type Bounds struct {
	// Entries is the most entries the cache holds.
	Entries int
	// Bytes is the most bytes the cache holds: each entry counts its key,
	// the size its value reports and EntryOverhead.
	Bytes int64
}

// Stats are a cache's counters since it was made.
type Stats struct {
	Hits, Misses, Evictions uint64
	Entries                 int
	Bytes                   int64
}

// Cache holds values within its Bounds, dropping the least recently used
// first. It is safe for concurrent use. Values are shared between callers,
// so they must not be changed once stored.
type Cache[V any] struct {
	mu     sync.Mutex
	bounds Bounds
	size   func(V) int64
	order  *list.List // of *entry[V], most recent first
	items  map[string]*list.Element
	stats  Stats
}

type entry[V any] struct {
	key  string
	val  V
	cost int64
}

// New returns a cache within b; size reports the bytes a value holds
// beyond its key (nil counts nothing but the key and EntryOverhead).
func New[V any](b Bounds, size func(V) int64) *Cache[V] {
	b.Entries = max(1, b.Entries)
	b.Bytes = max(1, b.Bytes)
	return &Cache[V]{bounds: b, size: size, order: list.New(), items: make(map[string]*list.Element)}
}

// Get returns the value stored under key and marks it recently used.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.get(c.items[key])
}

// GetIf is Get for a value that may have gone stale: a value stored
// under key for which fresh reports false is dropped and counted as a
// miss, as if it had never been stored. fresh runs under the cache's
// lock: it must be quick and must not use the cache.
func (c *Cache[V]) GetIf(key string, fresh func(V) bool) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.items[key]
	if e != nil && !fresh(e.Value.(*entry[V]).val) {
		c.remove(e)
		e = nil
	}
	return c.get(e)
}

// GetBytes is Get with the key as bytes; it does not copy the key.
func (c *Cache[V]) GetBytes(key []byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.get(c.items[string(key)])
}

func (c *Cache[V]) get(e *list.Element) (V, bool) {
	if e == nil {
		c.stats.Misses++
		var zero V
		return zero, false
	}
	c.stats.Hits++
	c.order.MoveToFront(e)
	return e.Value.(*entry[V]).val, true
}

// Put stores val under key, dropping the least recently used values while
// the cache is over its bounds. A value larger than the whole byte bound is
// not stored.
func (c *Cache[V]) Put(key string, val V) {
	cost := int64(len(key)) + EntryOverhead
	if c.size != nil {
		cost += c.size(val)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.remove(e)
	}
	if cost > c.bounds.Bytes {
		return
	}
	c.items[key] = c.order.PushFront(&entry[V]{key: key, val: val, cost: cost})
	c.stats.Bytes += cost
	for c.order.Len() > c.bounds.Entries || c.stats.Bytes > c.bounds.Bytes {
		c.remove(c.order.Back())
		c.stats.Evictions++
	}
}

func (c *Cache[V]) remove(e *list.Element) {
	en := e.Value.(*entry[V])
	c.order.Remove(e)
	delete(c.items, en.key)
	c.stats.Bytes -= en.cost
}

// Len returns how many values the cache holds.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Stats returns the cache's counters.
func (c *Cache[V]) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries = c.order.Len()
	return s
}
