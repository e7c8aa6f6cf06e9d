package storage

import (
	"sync"
	"time"
)

// rowCache remembers recently read rows that almost never change (spaces and
// members are read on every update), so that the hot path of a crowd costs one
// statement. Entries live for ttl; a change made through this process replaces its
// entry at once, and one made by another replica shows after ttl at most.
type rowCache[T any] struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]cacheEntry[T]
}

type cacheEntry[T any] struct {
	row  T
	seen time.Time
}

func newRowCache[T any](ttl time.Duration, max int) *rowCache[T] {
	return &rowCache[T]{ttl: ttl, max: max, entries: map[string]cacheEntry[T]{}}
}

func (c *rowCache[T]) get(key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || time.Since(e.seen) > c.ttl {
		var zero T
		return zero, false
	}
	return e.row, true
}

func (c *rowCache[T]) put(key string, row T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		// a crowd larger than the cache: start over rather than track recency
		clear(c.entries)
	}
	c.entries[key] = cacheEntry[T]{row: row, seen: time.Now()}
}

// clear forgets every entry.
func (c *rowCache[T]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

func (c *rowCache[T]) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}
