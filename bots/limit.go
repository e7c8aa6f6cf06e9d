package bots

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"crowdbot/core"
)

// limiter bounds each member's submissions with a token bucket per member. It lives
// in one process: with several replicas each applies its own budget.
type limiter struct {
	mu      sync.Mutex
	perMin  int
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMin: perMinute, buckets: map[string]*bucket{}}
}

// allow reports whether the member may submit now, spending one token if so. A
// member is counted by their platform identity, so one not looked up yet (Spec.Later)
// spends from the same budget as once they are.
func (l *limiter) allow(m core.Member, now time.Time) bool {
	if l.perMin <= 0 {
		return true
	}
	return l.take(string(m.Platform)+":"+m.ExternalID, now)
}

// take spends one token of key's bucket if it has one.
func (l *limiter) take(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > 10*time.Minute {
		// forget idle members so the map does not grow without end
		for id, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, id)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMin)), l.perMin)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
